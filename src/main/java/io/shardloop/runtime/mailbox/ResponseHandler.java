package io.shardloop.runtime.mailbox;

import org.agrona.DirectBuffer;

/**
 * The continuation of a request, run on the requesting shard's loop thread when the response
 * arrives. One instance can serve many requests: the {@code context} given to
 * {@link Mailbox#request} tells them apart, so no object is needed per request.
 */
@FunctionalInterface
public interface ResponseHandler {
    void onResponse(long context, int type, DirectBuffer buffer, int offset, int length);
}
