package io.shardloop.kv;

/** Makes client text safe inside an error line, as Redis does: CR and LF become spaces. */
public final class Sanitize {
    private Sanitize() {
    }

    public static String of(String s) {
        return s.replace('\r', ' ').replace('\n', ' ');
    }
}
