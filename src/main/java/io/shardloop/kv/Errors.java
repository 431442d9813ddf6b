package io.shardloop.kv;

import java.nio.charset.StandardCharsets;

/** Redis's reply texts, pre-encoded where they are common so that replying allocates nothing. */
final class Errors {
    static final byte[] WRONGTYPE = encoded("-WRONGTYPE Operation against a key holding the wrong kind of value");
    static final byte[] NOT_INTEGER = encoded("-ERR value is not an integer or out of range");
    static final byte[] SYNTAX = encoded("-ERR syntax error");
    static final byte[] OVERFLOW = encoded("-ERR increment or decrement would overflow");
    static final byte[] HASH_NOT_INTEGER = encoded("-ERR hash value is not an integer");
    static final byte[] NOT_POSITIVE = encoded("-ERR value is out of range, must be positive");
    static final byte[] INVALID_CURSOR = encoded("-ERR invalid cursor");
    static final byte[] DB_OUT_OF_RANGE = encoded("-ERR DB index is out of range");
    static final byte[] OOM = encoded("-OOM command not allowed when used memory > 'maxmemory'.");
    static final byte[] PONG = encoded("+PONG");
    static final byte[] OK = encoded("+OK");

    private Errors() {
    }

    static String wrongArity(String command) {
        return "ERR wrong number of arguments for '" + command + "' command";
    }

    static String invalidExpire(String command) {
        return "ERR invalid expire time in '" + command + "' command";
    }

    private static byte[] encoded(String line) {
        return (line + "\r\n").getBytes(StandardCharsets.US_ASCII);
    }
}
