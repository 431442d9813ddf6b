package io.shardloop.kv;

/**
 * The reference for {@link Glob}: the recursive matcher shardloop used before, shaped like Redis's
 * stringmatchlen (try every suffix at each star, give up past 1000 nested stars). Exponential on
 * patterns like {@code a*a*a*...b}; tests only, on small inputs. One change from the old code: an
 * empty subject is matched by the empty pattern alone, as Redis's loop never starts on one.
 * {@link #calls} counts the recursive calls, to show what the linear matcher saves.
 */
final class RecursiveGlob {
    private RecursiveGlob() {
    }

    static boolean matches(byte[] p, int pOff, int pLen, byte[] s, int sOff, int sLen) {
        return matches(p, pOff, pLen, s, sOff, sLen, new long[1]);
    }

    /** The number of calls of the recursive step one match makes. */
    static long calls(byte[] p, int pOff, int pLen, byte[] s, int sOff, int sLen) {
        long[] calls = new long[1];
        matches(p, pOff, pLen, s, sOff, sLen, calls);
        return calls[0];
    }

    private static boolean matches(byte[] p, int pOff, int pLen, byte[] s, int sOff, int sLen, long[] calls) {
        if (sLen == 0) {
            return pLen == 0;
        }
        return match(p, pOff, pOff + pLen, s, sOff, sOff + sLen, 0, calls);
    }

    private static boolean match(byte[] p, int pi, int pEnd, byte[] s, int si, int sEnd, int depth, long[] calls) {
        calls[0]++;
        if (depth > 1000) {
            return false; // a pathological pattern; Redis caps its recursion the same way
        }
        while (pi < pEnd && si < sEnd) {
            switch (p[pi]) {
                case '*' -> {
                    while (pi + 1 < pEnd && p[pi + 1] == '*') {
                        pi++;
                    }
                    if (pi + 1 == pEnd) {
                        return true;
                    }
                    for (int k = si; k < sEnd; k++) {
                        if (match(p, pi + 1, pEnd, s, k, sEnd, depth + 1, calls)) {
                            return true;
                        }
                    }
                    return false;
                }
                case '?' -> si++;
                case '[' -> {
                    pi++;
                    boolean not = pi < pEnd && p[pi] == '^';
                    if (not) {
                        pi++;
                    }
                    boolean hit = false;
                    while (true) {
                        if (pi >= pEnd) {
                            pi--; // unterminated class: as Redis, the last byte closes it
                            break;
                        }
                        if (p[pi] == '\\' && pi + 1 < pEnd) {
                            pi++;
                            if (p[pi] == s[si]) {
                                hit = true;
                            }
                        } else if (p[pi] == ']') {
                            break;
                        } else if (pi + 2 < pEnd && p[pi + 1] == '-') {
                            int start = p[pi] & 0xFF;
                            int end = p[pi + 2] & 0xFF;
                            int c = s[si] & 0xFF;
                            if (start > end) {
                                int t = start;
                                start = end;
                                end = t;
                            }
                            pi += 2;
                            if (c >= start && c <= end) {
                                hit = true;
                            }
                        } else if (p[pi] == s[si]) {
                            hit = true;
                        }
                        pi++;
                    }
                    if (not) {
                        hit = !hit;
                    }
                    if (!hit) {
                        return false;
                    }
                    si++;
                }
                case '\\' -> {
                    if (pi + 1 < pEnd) {
                        pi++;
                    }
                    if (p[pi] != s[si]) {
                        return false;
                    }
                    si++;
                }
                default -> {
                    if (p[pi] != s[si]) {
                        return false;
                    }
                    si++;
                }
            }
            pi++;
        }
        while (pi < pEnd && p[pi] == '*') {
            pi++;
        }
        return pi == pEnd && si == sEnd;
    }
}
