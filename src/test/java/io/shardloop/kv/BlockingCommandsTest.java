package io.shardloop.kv;

import io.shardloop.resp.codec.BufferReplyWriter;
import io.shardloop.resp.codec.CommandArgs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * What a served answer took goes back whole, where it came from, for a client that hung up before
 * reading it ({@link BlockingCommands#giveBack}); and the timeout as Redis reads it.
 */
class BlockingCommandsTest {
    private final Store store = new LockedStore(1, System::currentTimeMillis);

    private String run(int protocol, String... words) {
        BufferReplyWriter out = new BufferReplyWriter();
        out.protocol(protocol);
        store.execute(CommandArgs.of(words), out);
        return out.toString();
    }

    /** Runs the blocking command, then what gives its answer back, and returns the key's contents. */
    private String takenAndGivenBack(int protocol, String[] command, String... read) {
        BufferReplyWriter out = new BufferReplyWriter();
        out.protocol(protocol);
        CommandArgs args = CommandArgs.of(command);
        Command c = CommandTable.find(args);
        store.execute(c, args, out);
        CommandArgs back = BlockingCommands.giveBack(c, args, out.buffer(), 0);
        store.execute(back, new BufferReplyWriter());
        return run(protocol, read);
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 3})
    void listElementsGoBackToTheEndTheyCameFrom(int protocol) {
        String before = run(protocol, "RPUSH", "l", "a", "b", "c", "d");
        String all = run(protocol, "LRANGE", "l", "0", "-1");
        assertEquals(":4\r\n", before);
        assertEquals(all, takenAndGivenBack(protocol, new String[] {"BLPOP", "x", "l", "0"}, "LRANGE", "l", "0", "-1"));
        assertEquals(all, takenAndGivenBack(protocol, new String[] {"BRPOP", "l", "0"}, "LRANGE", "l", "0", "-1"));
        assertEquals(all, takenAndGivenBack(protocol, new String[] {"BLMPOP", "0", "1", "l", "LEFT", "COUNT", "3"},
                "LRANGE", "l", "0", "-1"));
        assertEquals(all, takenAndGivenBack(protocol, new String[] {"BLMPOP", "0", "2", "x", "l", "RIGHT", "COUNT", "2"},
                "LRANGE", "l", "0", "-1"));
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 3})
    void membersGoBackWithTheirScores(int protocol) {
        run(protocol, "ZADD", "z", "1.5", "a", "2", "b", "-3", "c");
        String all = run(protocol, "ZRANGE", "z", "0", "-1", "WITHSCORES");
        assertEquals(all, takenAndGivenBack(protocol, new String[] {"BZPOPMIN", "z", "0"}, "ZRANGE", "z", "0", "-1", "WITHSCORES"));
        assertEquals(all, takenAndGivenBack(protocol, new String[] {"BZPOPMAX", "z", "0"}, "ZRANGE", "z", "0", "-1", "WITHSCORES"));
        assertEquals(all, takenAndGivenBack(protocol, new String[] {"BZMPOP", "0", "1", "z", "MIN", "COUNT", "2"},
                "ZRANGE", "z", "0", "-1", "WITHSCORES"));
    }

    @Test
    void aMoveKeepsItsElementInTheDestination() {
        run(2, "RPUSH", "l", "a");
        BufferReplyWriter out = new BufferReplyWriter();
        CommandArgs args = CommandArgs.of("BLMOVE", "l", "d", "LEFT", "LEFT", "0");
        Command c = CommandTable.find(args);
        store.execute(c, args, out);
        assertNull(BlockingCommands.giveBack(c, args, out.buffer(), 0));
    }

    @Test
    void theTimeoutIsSecondsRoundedUpToMilliseconds() {
        assertEquals(1500, BlockingCommands.timeoutMillis(CommandTable.find(CommandArgs.of("BLPOP")),
                CommandArgs.of("BLPOP", "k", "1.5")));
        assertEquals(1, BlockingCommands.timeoutMillis(CommandTable.find(CommandArgs.of("BLMPOP")),
                CommandArgs.of("BLMPOP", "0.0001", "1", "k", "LEFT")), "a part of a millisecond waits one, not for ever");
        assertEquals(1, BlockingCommands.timeoutMillis(CommandTable.find(CommandArgs.of("BLPOP")),
                CommandArgs.of("BLPOP", "k", "0.001")));
        assertEquals(250, BlockingCommands.timeoutMillis(CommandTable.find(CommandArgs.of("BLMOVE")),
                CommandArgs.of("BLMOVE", "a", "b", "LEFT", "LEFT", "0.25")));
    }
}
