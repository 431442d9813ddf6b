package io.shardloop.runtime.mailbox;

/**
 * Told, on the shard's loop thread, that requests to a target may be sent again: a response
 * returned credit after a {@link Mailbox#request} to that target was refused with
 * {@link Mailbox#NO_CREDIT}, or after {@link Mailbox#awaitCredit} asked. Called at most once per
 * target per turn of the mailbox.
 */
@FunctionalInterface
public interface CreditListener {
    void onCredit(int target);
}
