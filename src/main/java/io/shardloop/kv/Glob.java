package io.shardloop.kv;

/**
 * Glob matching with the semantics of Redis's {@code stringmatchlen} (src/util.c), case-sensitive:
 * <ul>
 *   <li>{@code *} matches any run of bytes, {@code ?} exactly one byte;</li>
 *   <li>{@code [abc]} one byte of the set, {@code [^abc]} one byte outside it; {@code a-z} is a
 *       range (reversed ends are swapped), {@code \x} is the literal x, an unterminated class runs
 *       to the end of the pattern, and {@code []} matches nothing. Range ends compare as unsigned
 *       bytes, as in Redis where {@code char} is unsigned (arm64); a Redis built with signed
 *       {@code char} (x86-64) differs only for a range that spans 0x7F and 0x80;</li>
 *   <li>{@code \x} outside a class is the literal x; a trailing {@code \} is a literal backslash;</li>
 *   <li>an empty subject is matched by the empty pattern alone (not even by {@code *});</li>
 *   <li>a pattern with more than {@link #STAR_NESTING_LIMIT} star runs before its last token
 *       matches nothing, as Redis stops following stars past that depth.</li>
 * </ul>
 * Redis answers by recursion on every star; this walks the pattern once and, on a mismatch,
 * returns only to the latest star, letting it absorb one more byte. Each non-star token matches
 * exactly one byte, so nothing an earlier star could absorb can help where the latest one failed;
 * the work is at most (pattern + 1) × (subject + 1) pattern bytes read, whatever the pattern.
 * Stateless, no allocation.
 */
public final class Glob {
    /**
     * Star runs Redis follows before giving up on a match (its {@code nesting > 1000} guard). Part
     * of the matching semantics, not a tunable: Redis's own test expects {@code "*?"} repeated
     * 50000 times not to match 50000 bytes.
     */
    static final int STAR_NESTING_LIMIT = 1000;

    private static final long MATCHED = 1;

    private Glob() {
    }

    public static boolean matches(byte[] p, int pOff, int pLen, byte[] s, int sOff, int sLen) {
        return (run(p, pOff, pLen, s, sOff, sLen) & MATCHED) != 0;
    }

    /** Whether the pattern is "*" alone (everything matches). */
    public static boolean matchesAll(byte[] p, int pOff, int pLen) {
        return pLen == 1 && p[pOff] == '*';
    }

    /** The work one match does: pattern bytes read plus returns to a star. Bounded by tests. */
    static long steps(byte[] p, int pOff, int pLen, byte[] s, int sOff, int sLen) {
        return run(p, pOff, pLen, s, sOff, sLen) >>> 1;
    }

    /** Matches and counts in one pass: returns {@code steps << 1 | MATCHED-or-0}. */
    private static long run(byte[] p, int pOff, int pLen, byte[] s, int sOff, int sLen) {
        if (sLen == 0) {
            return pLen == 0 ? MATCHED : 0; // Redis's loop needs a subject byte before it reads the pattern
        }
        int pEnd = pOff + pLen;
        int sEnd = sOff + sLen;
        int pi = pOff;
        int si = sOff;
        int resumeP = -1; // just after the latest star run; -1 while there is none
        int resumeS = 0;  // the subject bytes before this belong to the latest star run
        int starRuns = 0;
        long steps = 0;
        while (si < sEnd) {
            if (pi < pEnd && p[pi] == '*') {
                int runStart = pi;
                do {
                    pi++;
                } while (pi < pEnd && p[pi] == '*');
                steps += pi - runStart;
                if (pi == pEnd) {
                    return steps << 1 | MATCHED;
                }
                if (++starRuns > STAR_NESTING_LIMIT) {
                    return steps << 1;
                }
                resumeP = pi;
                resumeS = si;
                continue;
            }
            int next = pi < pEnd ? token(p, pi, pEnd, s[si]) : ~pEnd;
            steps += (next >= 0 ? next : ~next) - pi;
            if (next >= 0) {
                pi = next;
                si++;
            } else if (resumeP < 0) {
                return steps << 1;
            } else {
                steps++;
                pi = resumeP;
                si = ++resumeS;
            }
        }
        while (pi < pEnd && p[pi] == '*') {
            pi++;
            steps++;
        }
        return steps << 1 | (pi == pEnd ? MATCHED : 0);
    }

    /**
     * Matches the one non-star token at {@code pi} against byte {@code c}: returns the index after
     * the token when it matches, its bitwise complement when not.
     */
    private static int token(byte[] p, int pi, int pEnd, byte c) {
        return switch (p[pi]) {
            case '?' -> pi + 1;
            case '[' -> bracket(p, pi, pEnd, c);
            case '\\' -> {
                int literal = pi + 1 < pEnd ? pi + 1 : pi; // a trailing '\' stands for itself
                yield p[literal] == c ? literal + 1 : ~(literal + 1);
            }
            default -> p[pi] == c ? pi + 1 : ~(pi + 1);
        };
    }

    /** A class {@code [...]} starting at {@code open}; the same contract as {@link #token}. */
    private static int bracket(byte[] p, int open, int pEnd, byte c) {
        int i = open + 1;
        boolean negated = i < pEnd && p[i] == '^';
        if (negated) {
            i++;
        }
        boolean hit = false;
        int end;
        while (true) {
            if (i >= pEnd) {
                end = pEnd; // unterminated: the class takes the rest of the pattern
                break;
            }
            byte b = p[i];
            if (b == '\\' && i + 1 < pEnd) {
                i++;
                hit |= p[i] == c;
            } else if (b == ']') {
                end = i + 1;
                break;
            } else if (i + 2 < pEnd && p[i + 1] == '-') {
                int lo = b & 0xFF;
                int hi = p[i + 2] & 0xFF;
                int v = c & 0xFF;
                hit |= lo <= hi ? v >= lo && v <= hi : v >= hi && v <= lo;
                i += 2;
            } else {
                hit |= b == c;
            }
            i++;
        }
        return hit != negated ? end : ~end;
    }
}
