package io.shardloop.kv;

import io.shardloop.resp.codec.CommandArgs;
import io.shardloop.resp.codec.ReplySink;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * LCS key1 key2 [LEN] [IDX] [MINMATCHLEN len] [WITHMATCHLEN]: the longest common subsequence of
 * two strings, as Redis 7.0's lcsCommand computes and answers it: the dynamic-programming table of
 * prefix lengths, walked back from its corner; IDX lists the matched ranges from the end, each
 * [[a start, a end], [b start, b end]] (and its length with WITHMATCHLEN), then "len". A missing
 * key reads as an empty string. Both keys run together on one keyspace ({@link Command.Route#WHOLE}).
 * Stateless.
 */
final class LcsCommand {
    /** Redis refuses a table larger than proto-max-bulk-len (512 MB) of 4-byte cells. */
    private static final long MAX_TABLE_BYTES = 512L * 1024 * 1024;
    private static final byte[] NOT_STRINGS = Errors.encoded("-ERR The specified keys must contain string values");
    private static final byte[] LEN_AND_IDX =
            Errors.encoded("-ERR If you want both the length and indexes, please just use IDX.");
    private static final byte[] TABLE_TOO_BIG = Errors.encoded(
            "-ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len");
    private static final byte[] TABLE_FAILED = Errors.encoded(
            "-ERR Insufficient memory, failed allocating transient memory for LCS");

    private LcsCommand() {
    }

    /** One matched range: positions in the first and the second string, inclusive. */
    record Match(int aStart, int aEnd, int bStart, int bEnd) {
        int length() {
            return aEnd - aStart + 1;
        }
    }

    /** The subsequence, its length, and the ranges Redis reports, in its order (from the end). */
    record Result(byte[] subsequence, int length, List<Match> matches) {
    }

    static void lcs(Db db, CommandArgs a, ReplySink out) {
        Object first = db.get(db.probe(0, a, 1));
        Object second = db.get(db.probe(0, a, 2));
        if (first != null && !(first instanceof byte[]) || second != null && !(second instanceof byte[])) {
            out.raw(NOT_STRINGS);
            return;
        }
        boolean idx = false;
        boolean len = false;
        boolean withMatchLen = false;
        long minMatchLen = 0;
        for (int i = 3; i < a.count(); i++) {
            if (a.is(i, "IDX")) {
                idx = true;
            } else if (a.is(i, "LEN")) {
                len = true;
            } else if (a.is(i, "WITHMATCHLEN")) {
                withMatchLen = true;
            } else if (a.is(i, "MINMATCHLEN") && i + 1 < a.count()) {
                if (!a.isLong(++i)) {
                    out.raw(Errors.NOT_INTEGER);
                    return;
                }
                minMatchLen = Math.max(0, a.parseLong(i, 0));
            } else {
                out.raw(Errors.SYNTAX);
                return;
            }
        }
        if (idx && len) {
            out.raw(LEN_AND_IDX);
            return;
        }
        byte[] x = first == null ? new byte[0] : (byte[]) first;
        byte[] y = second == null ? new byte[0] : (byte[]) second;
        if ((x.length + 1L) * (y.length + 1L) * 4 > MAX_TABLE_BYTES) {
            out.raw(TABLE_TOO_BIG);
            return;
        }
        Result r;
        try {
            r = compute(x, y, minMatchLen, idx || !len);
        } catch (OutOfMemoryError e) {
            out.raw(TABLE_FAILED);
            return;
        }
        if (idx) {
            out.mapHeader(2);
            out.bulk("matches".getBytes(StandardCharsets.US_ASCII));
            out.arrayHeader(r.matches().size());
            for (Match m : r.matches()) {
                out.arrayHeader(withMatchLen ? 3 : 2);
                out.arrayHeader(2);
                out.integer(m.aStart());
                out.integer(m.aEnd());
                out.arrayHeader(2);
                out.integer(m.bStart());
                out.integer(m.bEnd());
                if (withMatchLen) {
                    out.integer(m.length());
                }
            }
            out.bulk("len".getBytes(StandardCharsets.US_ASCII));
            out.integer(r.length());
        } else if (len) {
            out.integer(r.length());
        } else {
            out.bulk(r.subsequence());
        }
    }

    /**
     * Redis's algorithm, step for step: the table, then the walk back that writes the subsequence
     * and closes a range when the match stops being contiguous (the match that breaks it starts no
     * new range: Redis drops it), or reaches the start of either string. Only ranges of at least
     * {@code minMatchLen} (0: all) are kept. Without {@code walk}, only the length.
     */
    static Result compute(byte[] x, byte[] y, long minMatchLen, boolean walk) {
        int alen = x.length;
        int blen = y.length;
        int width = blen + 1;
        int[] table = new int[(alen + 1) * width];
        for (int i = 1; i <= alen; i++) {
            for (int j = 1; j <= blen; j++) {
                table[i * width + j] = x[i - 1] == y[j - 1] ? table[(i - 1) * width + j - 1] + 1
                        : Math.max(table[(i - 1) * width + j], table[i * width + j - 1]);
            }
        }
        int length = table[alen * width + blen];
        List<Match> matches = new ArrayList<>();
        if (!walk) {
            return new Result(null, length, matches);
        }
        byte[] subsequence = new byte[length];
        int at = length;
        int aStart = alen; // alen: no range open
        int aEnd = 0;
        int bStart = 0;
        int bEnd = 0;
        int i = alen;
        int j = blen;
        while (i > 0 && j > 0) {
            boolean emit = false;
            if (x[i - 1] == y[j - 1]) {
                subsequence[at - 1] = x[i - 1];
                if (aStart == alen) {
                    aStart = i - 1;
                    aEnd = i - 1;
                    bStart = j - 1;
                    bEnd = j - 1;
                } else if (aStart == i && bStart == j) {
                    aStart--;
                    bStart--;
                } else {
                    emit = true;
                }
                if (aStart == 0 || bStart == 0) {
                    emit = true;
                }
                at--;
                i--;
                j--;
            } else {
                if (table[(i - 1) * width + j] > table[i * width + j - 1]) {
                    i--;
                } else {
                    j--;
                }
                if (aStart != alen) {
                    emit = true;
                }
            }
            if (emit) {
                int matchLength = aEnd - aStart + 1;
                if (minMatchLen == 0 || matchLength >= minMatchLen) {
                    matches.add(new Match(aStart, aEnd, bStart, bEnd));
                }
                aStart = alen;
            }
        }
        return new Result(subsequence, length, matches);
    }
}
