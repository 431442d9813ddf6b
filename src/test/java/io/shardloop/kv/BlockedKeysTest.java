package io.shardloop.kv;

import io.shardloop.resp.codec.BufferReplyWriter;
import io.shardloop.resp.codec.CommandArgs;
import io.shardloop.resp.codec.ReplySink;
import org.agrona.DirectBuffer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The lines of waiters per key, served by the owner right after a put: oldest first, each element once. */
class BlockedKeysTest {
    private final BlockedKeys blocked = new BlockedKeys();
    private final ShardExecutor executor = new ShardExecutor(Keyspace.databases(1, System::currentTimeMillis, 0, 1));
    private final List<String> answers = new ArrayList<>();
    private final BlockedKeys.Owner owner = new BlockedKeys.Owner() {
        @Override
        public Object valueOf(Key key) {
            return executor.keyspace(DbKeys.db(key)).get(DbKeys.name(key));
        }

        @Override
        public boolean owns(Key key) {
            return true;
        }

        @Override
        public boolean mayRun(Command c, CommandArgs args) {
            return true;
        }

        @Override
        public void run(Command c, CommandArgs args, ReplySink out) {
            executor.execute(c, args, out);
        }
    };

    BlockedKeysTest() {
        executor.keyspace().blockedKeys(blocked);
    }

    private static Key key(String name) {
        byte[] b = name.getBytes(StandardCharsets.US_ASCII);
        return DbKeys.of(0, b, 0, b.length);
    }

    private final class Waiter implements BlockedKeys.Waiter {
        final long id;
        final CommandArgs args;
        final Command command;
        boolean ending;

        Waiter(long id, String... command) {
            this.id = id;
            this.args = CommandArgs.of(command);
            this.command = CommandTable.find(args);
        }

        void join() {
            blocked.block(this, BlockingCommands.waitedKeys(command, args));
        }

        @Override
        public long waitId() {
            return id;
        }

        @Override
        public Command command() {
            return command;
        }

        @Override
        public CommandArgs args() {
            return args;
        }

        @Override
        public int protocol() {
            return 2;
        }

        @Override
        public boolean claim() {
            return !ending;
        }

        @Override
        public void served(Key key, DirectBuffer reply, int offset, int length) {
            byte[] b = new byte[length];
            reply.getBytes(offset, b);
            answers.add(id + " " + new String(b, StandardCharsets.US_ASCII).replace("\r\n", " ").trim());
        }
    }

    private void run(String... command) {
        BufferReplyWriter out = new BufferReplyWriter(64);
        executor.execute(CommandArgs.of(command), out);
    }

    @Test
    void aPushServesTheOldestWaiterAndOnlyIt() {
        new Waiter(1, "BLPOP", "k", "0").join();
        new Waiter(2, "BLPOP", "k", "0").join();
        blocked.serveReady(owner);
        assertTrue(answers.isEmpty(), "nothing there yet");
        run("RPUSH", "k", "a");
        assertTrue(blocked.hasReady());
        blocked.serveReady(owner);
        assertEquals(List.of("1 *2 $1 k $1 a"), answers);
        assertFalse(blocked.hasReady());
        assertEquals(null, owner.valueOf(key("k")), "the element went to the waiter, not left for another client");
    }

    @Test
    void eachElementGoesToOneWaiterInTheOrderTheyBlocked() {
        new Waiter(1, "BRPOP", "k", "0").join();
        new Waiter(2, "BLPOP", "k", "0").join();
        new Waiter(3, "BLPOP", "k", "0").join();
        run("RPUSH", "k", "a", "b");
        blocked.serveReady(owner);
        assertEquals(List.of("1 *2 $1 k $1 b", "2 *2 $1 k $1 a"), answers);
        run("RPUSH", "k", "c");
        blocked.serveReady(owner);
        assertEquals("3 *2 $1 k $1 c", answers.get(2));
        assertTrue(blocked.isEmpty(), "every served waiter left its line");
    }

    @Test
    void aWaiterForAnotherTypeKeepsItsPlace() {
        new Waiter(1, "BZPOPMIN", "k", "0").join();
        new Waiter(2, "BLPOP", "k", "0").join();
        run("RPUSH", "k", "a");
        blocked.serveReady(owner);
        assertEquals(List.of("2 *2 $1 k $1 a"), answers);
        run("ZADD", "k", "1", "m");
        blocked.serveReady(owner);
        assertEquals("1 *3 $1 k $1 m $1 1", answers.get(1));
    }

    @Test
    void aWaiterOverSeveralKeysIsServedOnceAndLeavesEveryLine() {
        new Waiter(1, "BLPOP", "k1", "k2", "0").join();
        new Waiter(2, "BLPOP", "k2", "0").join();
        run("RPUSH", "k1", "a");
        run("RPUSH", "k2", "b");
        blocked.serveReady(owner);
        assertEquals(List.of("1 *2 $2 k1 $1 a", "2 *2 $2 k2 $1 b"), answers);
    }

    @Test
    void aWaiterWhoseWaitIsEndingIsPassedOverAndTakesNothing() {
        Waiter first = new Waiter(1, "BLPOP", "k", "0");
        first.join();
        new Waiter(2, "BLPOP", "k", "0").join();
        first.ending = true;
        run("RPUSH", "k", "a");
        blocked.serveReady(owner);
        assertEquals(List.of("2 *2 $1 k $1 a"), answers);
    }

    @Test
    void aWaiterJoiningAKeyThatHoldsSomethingIsServedAtOnce() {
        run("RPUSH", "k", "a");
        new Waiter(7, "BLMPOP", "0", "2", "x", "k", "LEFT", "COUNT", "5").join();
        blocked.serveReady(owner);
        assertEquals(List.of("7 *2 $1 k *1 $1 a"), answers);
    }

    @Test
    void aServedMoveMakesItsDestinationReadyForItsOwnWaiters() {
        new Waiter(1, "BLMOVE", "src", "dst", "LEFT", "RIGHT", "0").join();
        new Waiter(2, "BLPOP", "dst", "0").join();
        run("RPUSH", "src", "a");
        blocked.serveReady(owner);
        assertEquals(List.of("1 $1 a", "2 *2 $3 dst $1 a"), answers);
    }
}
