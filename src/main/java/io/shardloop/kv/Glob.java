package io.shardloop.kv;

/**
 * Glob matching as Redis's stringmatchlen: '*', '?', '[abc]', '[^a-z]', and '\' escaping the
 * next byte. Stateless, no allocation.
 */
public final class Glob {
    private Glob() {
    }

    public static boolean matches(byte[] p, int pOff, int pLen, byte[] s, int sOff, int sLen) {
        return match(p, pOff, pOff + pLen, s, sOff, sOff + sLen, 0);
    }

    /** Whether the pattern is "*" alone (everything matches). */
    public static boolean matchesAll(byte[] p, int pOff, int pLen) {
        return pLen == 1 && p[pOff] == '*';
    }

    private static boolean match(byte[] p, int pi, int pEnd, byte[] s, int si, int sEnd, int depth) {
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
                        if (match(p, pi + 1, pEnd, s, k, sEnd, depth + 1)) {
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
