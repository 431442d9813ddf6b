package io.shardloop.resp;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * CONFIG SET and GET, COMMAND GETKEYS and LIST, WAIT and the CLIENT, SLOWLOG and LATENCY errors, through
 * every front end, against redis-server: the same replies and error texts. Every parameter a
 * sequence changes is set back at its end (the redis-server is shared). maxmemory, which only the
 * loops can change, is {@link IntrospectionTest}'s; COMMAND DOCS and INFO answer fewer fields than
 * Redis's (no arguments, history or key specs), so they are too.
 */
class IntrospectionContractTest {
    private static FrontEnds fronts;

    @BeforeAll
    static void start() throws Exception {
        fronts = FrontEnds.start();
    }

    @AfterAll
    static void stop() throws Exception {
        fronts.close();
    }

    @Test
    void shouldSetTheKeyspaceEventClassesWithRedissLettersAndShowThemAsRedisRendersThem() throws Exception {
        fronts.assertSequenceAgreesWithRedis(new String[][] {
            {"CONFIG", "GET", "notify-keyspace-events"},
            {"CONFIG", "SET", "notify-keyspace-events", "KEA"},
            {"CONFIG", "GET", "notify-keyspace-events"},
            {"CONFIG", "SET", "notify-keyspace-events", "An"},
            {"CONFIG", "GET", "notify-keyspace-events"},
            {"CONFIG", "SET", "notify-keyspace-events", "Kq"},
            {"CONFIG", "GET", "notify-keyspace-events"},
            {"CONFIG", "SET", "notify-keyspace-events", "Elx", "slowlog-max-len", "x"},
            {"CONFIG", "GET", "notify-keyspace-events"},
            {"CONFIG", "SET", "notify-keyspace-events", "$lshzxetmdn"},
            {"CONFIG", "GET", "notify-keyspace-events"},
            {"CONFIG", "SET", "notify-keyspace-events", ""},
            {"CONFIG", "GET", "notify-keyspace-events"},
        }, false);
    }

    @Test
    void shouldSetAndGetParametersAsRedisDoesAllOrNone() throws Exception {
        fronts.assertSequenceAgreesWithRedis(new String[][] {
            {"CONFIG", "SET", "slowlog-log-slower-than", "2500"},
            {"CONFIG", "GET", "slowlog-log-slower-than"},
            {"CONFIG", "SET", "SLOWLOG-MAX-LEN", "7", "latency-monitor-threshold", "5"},
            {"CONFIG", "GET", "slowlog-max-len"},
            {"CONFIG", "GET", "latency-monitor-threshold"},
            {"CONFIG", "SET", "slowlog-max-len", "9", "slowlog-log-slower-than", "x"},
            {"CONFIG", "GET", "slowlog-max-len"},
            {"CONFIG", "SET", "slowlog-max-len", "9", "nosuch", "1"},
            {"CONFIG", "SET", "nosuch", "1", "slowlog-max-len", "x"},
            {"CONFIG", "SET", "slowlog-max-len", "1", "slowlog-max-len", "2"},
            {"CONFIG", "SET", "databases", "3"},
            {"CONFIG", "SET", "slowlog-log-slower-than", "-5"},
            {"CONFIG", "SET", "slowlog-log-slower-than", "+5"},
            {"CONFIG", "SET", "slowlog-log-slower-than", "05"},
            {"CONFIG", "SET", "slowlog-max-len", "-1"},
            {"CONFIG", "SET", "latency-monitor-threshold", "abc"},
            {"CONFIG", "SET", "slowlog-log-slower-than", "10000", "slowlog-max-len", "128"},
            {"CONFIG", "SET", "latency-monitor-threshold", "0"},
            {"CONFIG", "SET", "maxmemory-policy", "bad"},
            {"CONFIG", "SET", "maxmemory-policy", "noeviction"},
            {"CONFIG", "GET", "maxmemory-policy"},
            {"CONFIG", "SET", "appendonly", "maybe"},
            {"CONFIG", "SET", "appendonly", "no"},
            {"CONFIG", "SET", "save", "3600 1 300 100"},
            {"CONFIG", "GET", "save"},
            {"CONFIG", "SET", "save", "+3600 7"},
            {"CONFIG", "GET", "save"},
            {"CONFIG", "SET", "save", "3600  3600 4"},
            {"CONFIG", "GET", "save"},
            {"CONFIG", "SET", "save", "3600"},
            {"CONFIG", "SET", "save", "0 1"},
            {"CONFIG", "SET", "save", "3600 -1"},
            {"CONFIG", "SET", "save", " 3600 1"},
            {"CONFIG", "SET", "save", "3600 x"},
            {"CONFIG", "SET", "save", "3600 1", "save", "3600 2"},
            {"CONFIG", "GET", "save"},
            {"CONFIG", "SET", "save", ""},
            {"CONFIG", "GET", "save"},
            {"CONFIG", "GET", "appendonly"},
            {"CONFIG", "GET", "nosuch*"},
            {"CONFIG", "SET", "hash-max-ziplist-entries", "5"},
            {"CONFIG", "GET", "hash-max-listpack-entries"},
            {"CONFIG", "GET", "HASH-MAX-ZIPLIST-ENTRIES"},
            {"CONFIG", "SET", "hash-max-listpack-entries", "128", "zset-max-ziplist-value", "32"},
            {"CONFIG", "GET", "zset-max-listpack-value"},
            {"CONFIG", "SET", "zset-max-listpack-value", "64", "set-max-intset-entries", "512"},
            {"CONFIG", "SET", "list-max-listpack-size", "x"},
            {"CONFIG", "SET", "list-max-listpack-size", "-3"},
            {"CONFIG", "GET", "list-max-ziplist-size"},
            {"CONFIG", "SET", "list-max-listpack-size", "-2"},
            {"CONFIG", "SET", "busy-reply-threshold", "x"},
            {"CONFIG", "SET", "LUA-TIME-LIMIT", "x"},
            {"CONFIG", "SET", "Databases", "3"},
            {"CONFIG", "SET", "SLOWLOG-MAX-LEN", "1", "slowlog-max-len", "2"},
            {"CONFIG", "SET", "hash-max-ziplist-entries", "x"},
            {"CONFIG", "SET"},
            {"CONFIG", "SET", "a"},
            {"CONFIG", "SET", "a", "b", "c"},
            {"CONFIG", "GET"},
            {"CONFIG", "REWRITE"},
            {"CONFIG", "REWRITE", "x"},
            {"CONFIG", "RESETSTAT"},
            {"CONFIG", "NOSUCH"},
            {"CONFIG", "HELP"},
        }, false);
    }

    @Test
    void shouldRefuseShutdownsBadArgumentsAndTransactionsAsRedisDoes() throws Exception {
        fronts.assertSequenceAgreesWithRedis(new String[][] { // none that would stop a server
            {"SHUTDOWN", "x"},
            {"SHUTDOWN", "NOSAVE", "SAVE"},
            {"SHUTDOWN", "ABORT", "NOW"},
            {"SHUTDOWN", "now", "now", "ABORT"},
            {"SHUTDOWN", "ABORT"},
            {"MULTI"},
            {"SHUTDOWN", "NOSAVE"},
            {"SAVE"},
            {"EXEC"},
            {"COMMAND", "INFO", "shutdown"},
        }, false);
    }

    @Test
    void shouldFindTheKeysOfACommandAsRedisDoes() throws Exception {
        fronts.assertSequenceAgreesWithRedis(new String[][] {
            {"COMMAND", "GETKEYS", "get", "a"},
            {"COMMAND", "GETKEYS", "GET"},
            {"COMMAND", "GETKEYS", "nosuch", "a"},
            {"COMMAND", "GETKEYS", "ping", "a"},
            {"COMMAND", "GETKEYS", "set", "a"},
            {"COMMAND", "GETKEYS", "mset", "a", "1", "b", "2"},
            {"COMMAND", "GETKEYS", "mset", "a", "1", "b"},
            {"COMMAND", "GETKEYS", "del", "a", "b", "c"},
            {"COMMAND", "GETKEYS", "rename", "a", "b"},
            {"COMMAND", "GETKEYS", "lmove", "a", "b", "left", "right"},
            {"COMMAND", "GETKEYS", "eval", "return 1", "2", "a", "b", "c"},
            {"COMMAND", "GETKEYS", "eval", "return 1", "0"},
            {"COMMAND", "GETKEYS", "eval", "return 1", "5", "a"},
            {"COMMAND", "GETKEYS", "zunionstore", "d", "2", "a", "b"},
            {"COMMAND", "GETKEYS", "sintercard", "0", "a"},
            {"COMMAND", "GETKEYS", "memory", "usage", "k"},
            {"COMMAND", "GETKEYS", "client", "list"},
            {"COMMAND", "GETKEYS"},
            {"COMMAND", "GETKEYSANDFLAGS", "set", "k", "v"},
            {"COMMAND", "GETKEYSANDFLAGS", "set", "k", "v", "GET"},
            {"COMMAND", "GETKEYSANDFLAGS", "get", "k"},
            {"COMMAND", "GETKEYSANDFLAGS", "del", "k", "j"},
            {"COMMAND", "GETKEYSANDFLAGS", "rename", "a", "b"},
            {"COMMAND", "GETKEYSANDFLAGS", "zunionstore", "d", "2", "a", "b"},
            {"COMMAND", "GETKEYSANDFLAGS", "lmove", "a", "b", "left", "right"},
            {"COMMAND", "GETKEYSANDFLAGS", "nosuch"},
            {"COMMAND", "LIST", "FILTERBY", "PATTERN", "getdel"},
            {"COMMAND", "LIST", "FILTERBY", "MODULE", "x"},
            {"COMMAND", "LIST", "FILTERBY", "NOSUCH", "x"},
            {"COMMAND", "LIST", "x"},
            {"COMMAND", "NOSUCH"},
            {"COMMAND", "COUNT", "x"},
            {"COMMAND", "HELP"},
        }, false);
    }

    @Test
    void shouldAnswerWaitAtOnceAndClientSlowlogAndLatencyErrorsAsRedisDoes() throws Exception {
        fronts.assertSequenceAgreesWithRedis(new String[][] {
            {"WAIT", "0", "0"},
            {"WAIT", "1", "10"},
            {"WAIT", "abc", "0"},
            {"WAIT", "0", "-1"},
            {"WAIT", "0", "abc"},
            {"WAIT", "0", "1.5"},
            {"CLIENT", "KILL", "1.2.3.4:5"},
            {"CLIENT", "KILL", "ID", "999999"},
            {"CLIENT", "KILL", "ID", "-1"},
            {"CLIENT", "KILL", "ID", "x"},
            {"CLIENT", "KILL", "foo", "bar"},
            {"CLIENT", "KILL", "TYPE", "foo"},
            {"CLIENT", "KILL", "TYPE", "master"},
            {"CLIENT", "KILL", "USER", "nobody"},
            {"CLIENT", "KILL", "USER", "default"},
            {"CLIENT", "KILL", "ADDR", "1.1.1.1:1", "SKIPME", "maybe"},
            {"CLIENT", "KILL", "ADDR", "1.1.1.1:1", "SKIPME"},
            {"CLIENT", "KILL", "1.1.1.1:1", "x"},
            {"CLIENT", "KILL"},
            {"CLIENT", "LIST", "TYPE", "foo"},
            {"CLIENT", "LIST", "TYPE", "pubsub"},
            {"CLIENT", "LIST", "TYPE", "replica"},
            {"CLIENT", "LIST", "ID", "abc"},
            {"CLIENT", "LIST", "ID"},
            {"CLIENT", "LIST", "ID", "999999"},
            {"CLIENT", "LIST", "foo"},
            {"CLIENT", "INFO", "x"},
            {"CLIENT", "REPLY"},
            {"CLIENT", "REPLY", "foo"},
            {"CLIENT", "REPLY", "ON"},
            {"CLIENT", "NO-EVICT", "foo"},
            {"CLIENT", "NO-EVICT", "on"},
            {"CLIENT", "NO-EVICT", "OFF"},
            {"SLOWLOG", "HELP"},
            {"SLOWLOG", "GET", "1", "2"},
            {"SLOWLOG", "LEN", "x"},
            {"SLOWLOG", "NOSUCH"},
            {"SLOWLOG", "GET", "-2"},
            {"SLOWLOG", "GET", "x"},
            {"SLOWLOG"},
            {"LATENCY", "NOSUCH"},
            {"LATENCY", "LATEST", "x"},
            {"LATENCY", "HISTORY"},
            {"LATENCY", "HISTORY", "x", "y"},
            {"LATENCY", "HISTORY", "nosuch"},
            {"LATENCY", "LATEST"},
            {"LATENCY", "RESET", "nosuch"},
        }, false);
    }
}
