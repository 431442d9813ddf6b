package io.shardloop.resp;

import io.shardloop.kv.CommandCodec;
import io.shardloop.kv.ConnectionQuestions;
import io.shardloop.resp.codec.BufferReplyWriter;
import io.shardloop.resp.codec.CommandArgs;
import io.shardloop.resp.codec.ReplySink;
import io.shardloop.runtime.shard.Shard;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableDirectByteBuffer;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One shard's clients, for CLIENT LIST, INFO and KILL in the event-loop model. Shares nothing: a
 * CLIENT LIST or a KILL that may reach other shards' clients asks those shards by message
 * ({@link ConnectionQuestions}), each answers from its own registry on its own loop, and the
 * reply is completed in its client's line when every answer is in. A KILL ID goes only to the
 * shard in the id's high bits; a client killed there is closed by its own loop.
 * <p>
 * A question is the asker's id (8 bytes) and the CLIENT command's arguments ({@link
 * CommandCodec}); the answer to a LIST is the matched lines, to a KILL the number killed (8 bytes).
 * <p>
 * Owned by its shard's loop thread.
 */
final class ShardClients implements ClientDirectory, ConnectionQuestions.Answerer {
    /** The topic of CLIENT LIST and KILL among the shards' questions. */
    static final int TOPIC = 0;
    private final int here;
    private final int shardCount;
    private final ConnectionQuestions questions;
    /** By id: connection order, as Redis lists its clients. */
    private final Map<Long, ClientHandle> clients = new LinkedHashMap<>();
    private final ExpandableDirectByteBuffer scratch = new ExpandableDirectByteBuffer(256);
    private final CommandArgs asked = new CommandArgs();

    ShardClients(int here, int shardCount, ConnectionQuestions questions) {
        this.here = here;
        this.shardCount = shardCount;
        this.questions = questions;
        questions.answerer(TOPIC, this);
    }

    @Override
    public void add(ClientHandle c) {
        clients.put(c.session().id(), c);
    }

    @Override
    public void remove(ClientHandle c) {
        clients.remove(c.session().id());
    }

    @Override
    public ClientHandle find(long id) {
        return clients.get(id);
    }

    @Override
    public boolean run(ClientFilter f, CommandArgs a, ReplySink out, LaterReply later) {
        long now = System.currentTimeMillis();
        int only = f.onlyShard(Shard.CONNECTION_ID_SHARD_SHIFT);
        boolean askOthers = shardCount > 1 && later != null && only != here;
        String lines = f.kill() || only >= 0 && only != here ? "" : ClientDirectory.lines(clients.values(), f, now);
        long killed = f.kill() && (only < 0 || only == here) ? ClientDirectory.kill(clients.values(), f, now) : 0;
        ClientHandle asker = clients.get(f.asker());
        boolean selfKilled = f.kill() && asker != null && f.matches(asker, now);
        if (!askOthers) {
            reply(f, lines, killed, out);
            return selfKilled;
        }
        long token = later.defer();
        questions.ask(TOPIC, only, question(f, a), answers -> {
            StringBuilder all = new StringBuilder(lines);
            long total = killed;
            for (byte[] answer : answers) {
                if (answer == null || answer.length == 0) {
                    continue; // not asked, or a shard without this front end
                }
                if (f.kill()) {
                    total += ByteBuffer.wrap(answer).getLong();
                } else {
                    all.append(new String(answer, StandardCharsets.UTF_8));
                }
            }
            BufferReplyWriter w = new BufferReplyWriter(256);
            w.protocol(later.protocol());
            reply(f, all.toString(), total, w);
            later.complete(token, w.toByteArray());
            if (selfKilled) {
                asker.closeAfterReplies(); // its reply is in its line now
            }
        });
        return false;
    }

    /** The asker's id and the CLIENT command's arguments. */
    private byte[] question(ClientFilter f, CommandArgs a) {
        int length = CommandCodec.encode(a, scratch, Long.BYTES);
        scratch.putLong(0, f.asker());
        byte[] q = new byte[Long.BYTES + length];
        scratch.getBytes(0, q);
        return q;
    }

    private static void reply(ClientFilter f, String lines, long killed, ReplySink out) {
        if (f.kill()) {
            f.writeKillReply(killed, out);
        } else {
            ClientDirectory.writeList(f.listText(lines), out);
        }
    }

    /** Another shard's CLIENT LIST or KILL, over this shard's clients. */
    @Override
    public byte[] answer(DirectBuffer q, int offset, int length) {
        long asker = q.getLong(offset);
        CommandCodec.decode(q, offset + Long.BYTES, asked);
        ClientFilter f = ClientFilter.parse(asked, asker);
        long now = System.currentTimeMillis();
        if (!f.kill()) {
            return ClientDirectory.lines(clients.values(), f, now).getBytes(StandardCharsets.UTF_8);
        }
        return ByteBuffer.allocate(Long.BYTES).putLong(ClientDirectory.kill(clients.values(), f, now)).array();
    }
}
