package io.shardloop.kv;

import io.shardloop.runtime.mailbox.Mailbox;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableDirectByteBuffer;

import java.util.HashMap;
import java.util.Map;

/**
 * Questions one shard's front end asks the others about what is their own (their connections
 * for CLIENT LIST and KILL, their slowlog and latency records), as bytes over the mailbox: nothing
 * of one shard's is read by another shard's thread. The front end on each shard registers an
 * {@link Answerer} per topic (a small number it chooses); the bytes of a question and of an answer
 * mean whatever the front end says (the kv layer only carries them).
 * <p>
 * A question is a one-way message {@link #MSG_QUESTION}: an 8-byte ask number, a 1-byte topic,
 * then the question; the answer comes back as {@link #MSG_ANSWER}: the same number, then the answer. Both are sent
 * with {@link Mailbox#sendAlways} (never refused, never waiting for credit): they are few, one
 * per CLIENT LIST or KILL and shard, so they need no bound of their own.
 * <p>
 * Owned by its shard's loop thread.
 */
public final class ConnectionQuestions {
    /** Message types, beside the key-value ones ({@link KvShard}, {@link ShardTransactions}). */
    static final int MSG_QUESTION = 40;
    static final int MSG_ANSWER = 41;

    /** A front end's answers about its connections on the shard asked, on that shard's loop thread. */
    @FunctionalInterface
    public interface Answerer {
        byte[] answer(DirectBuffer question, int offset, int length);
    }

    /** What an asker does with every shard's answer, on its own loop thread. */
    @FunctionalInterface
    public interface Answers {
        /** @param answers the answers by shard, null for the asker's own shard and for shards not asked */
        void onAnswers(byte[][] answers);
    }

    private final Mailbox mailbox;
    private final int here;
    private final int shardCount;
    private final ExpandableDirectByteBuffer scratch = new ExpandableDirectByteBuffer(256);
    private final Map<Long, Gather> gathers = new HashMap<>();
    /** Topics a front end may use: 0 to TOPICS - 1. */
    public static final int TOPICS = 8;
    private final Answerer[] answerers = new Answerer[TOPICS];
    private long nextAsk = 1;

    private static final class Gather {
        final byte[][] answers;
        final Answers done;
        int missing;

        Gather(int shards, Answers done) {
            this.answers = new byte[shards][];
            this.done = done;
        }
    }

    ConnectionQuestions(Mailbox mailbox, int here, int shardCount) {
        this.mailbox = mailbox;
        this.here = here;
        this.shardCount = shardCount;
    }

    /** Sets who answers the other shards' questions of a topic here. Before start or on the loop thread. */
    public void answerer(int topic, Answerer a) {
        answerers[topic] = a;
    }

    /**
     * Asks one other shard, or every other shard ({@code shard} -1), a question of the topic;
     * {@code done} runs once all have answered (at once when there is none to ask).
     */
    public void ask(int topic, int shard, byte[] question, Answers done) {
        Gather g = new Gather(shardCount, done);
        long ask = nextAsk++;
        scratch.putLong(0, ask);
        scratch.putByte(Long.BYTES, (byte) topic);
        scratch.putBytes(Long.BYTES + 1, question);
        for (int s = 0; s < shardCount; s++) {
            if (s != here && (shard < 0 || s == shard)) {
                g.missing++;
                mailbox.sendAlways(s, MSG_QUESTION, scratch, 0, Long.BYTES + 1 + question.length);
            }
        }
        if (g.missing == 0) {
            done.onAnswers(g.answers);
        } else {
            gathers.put(ask, g);
        }
    }

    /** A question or an answer from another shard; false for a message of another kind. */
    boolean onMessage(int type, int source, DirectBuffer buffer, int offset, int length) {
        if (type == MSG_QUESTION) {
            Answerer answerer = answerers[buffer.getByte(offset + Long.BYTES)];
            byte[] answer = answerer == null ? new byte[0]
                    : answerer.answer(buffer, offset + Long.BYTES + 1, length - Long.BYTES - 1);
            scratch.putLong(0, buffer.getLong(offset));
            scratch.putBytes(Long.BYTES, answer);
            mailbox.sendAlways(source, MSG_ANSWER, scratch, 0, Long.BYTES + answer.length);
            return true;
        }
        if (type == MSG_ANSWER) {
            long ask = buffer.getLong(offset);
            Gather g = gathers.get(ask);
            byte[] answer = new byte[length - Long.BYTES];
            buffer.getBytes(offset + Long.BYTES, answer);
            g.answers[source] = answer;
            if (--g.missing == 0) {
                gathers.remove(ask);
                g.done.onAnswers(g.answers);
            }
            return true;
        }
        return false;
    }
}
