package io.shardloop.persist;

import java.util.ArrayList;
import java.util.List;

/**
 * Redis's {@code save <seconds> <changes> [<seconds> <changes> ...]}: a snapshot (BGSAVE) is taken
 * once, since the last successful one, at least {@code changes} changes were made and more than
 * {@code seconds} seconds went by, for any one of the points. Read and written as Redis 7.0's
 * config.c does (setConfigSaveOption, getConfigSaveOption). Immutable.
 */
public final class SavePoints {
    /** Redis's error for a value it refuses. */
    public static final String INVALID = "Invalid save parameters";
    /** None: snapshots are taken only when asked for. */
    public static final SavePoints NONE = new SavePoints(List.of());

    /** One point: after more than {@code seconds}, with at least {@code changes} changes. */
    public record Point(long seconds, int changes) {
    }

    private final List<Point> points;

    private SavePoints(List<Point> points) {
        this.points = List.copyOf(points);
    }

    /**
     * A value as CONFIG SET and the {@code --save} option take it: pairs separated by single spaces,
     * seconds at least 1 and changes at least 0 ("" for none), as Redis reads them (each word as
     * strtoll does, changes cut to an int as Redis stores them).
     *
     * @throws IllegalArgumentException with {@link #INVALID} when it is not one
     */
    public static SavePoints parse(String value) {
        if (value.isEmpty()) {
            return NONE;
        }
        String[] words = value.split(" ", -1); // Redis splits on each space: two in a row make an empty word
        if (words.length % 2 != 0) {
            throw new IllegalArgumentException(INVALID);
        }
        List<Point> points = new ArrayList<>();
        for (int j = 0; j < words.length; j += 2) {
            long seconds = strtoll(words[j]);
            long changes = strtoll(words[j + 1]);
            if (seconds < 1 || changes < 0) {
                throw new IllegalArgumentException(INVALID);
            }
            points.add(new Point(seconds, (int) changes));
        }
        return new SavePoints(points);
    }

    /** C's strtoll over a whole word (leading blanks, a sign, digits; saturating); -1 when it is not one. */
    private static long strtoll(String word) {
        int i = 0;
        while (i < word.length() && Character.isWhitespace(word.charAt(i))) {
            i++;
        }
        if (i == word.length()) {
            return word.isEmpty() ? 0 : -1; // strtoll("") is 0, with nothing left over
        }
        boolean negative = word.charAt(i) == '-';
        if (word.charAt(i) == '-' || word.charAt(i) == '+') {
            i++;
        }
        if (i == word.length()) {
            return -1;
        }
        long value = 0;
        for (; i < word.length(); i++) {
            char c = word.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value > (Long.MAX_VALUE - (c - '0')) / 10 ? Long.MAX_VALUE : value * 10 + (c - '0');
        }
        return negative ? -value : value;
    }

    public List<Point> points() {
        return points;
    }

    public boolean isEmpty() {
        return points.isEmpty();
    }

    /**
     * The first point that is due with {@code changes} changes made {@code seconds} seconds after the
     * last successful save (serverCron's test), or null.
     */
    public Point due(long changes, long seconds) {
        for (Point p : points) {
            if (changes >= p.changes() && seconds > p.seconds()) {
                return p;
            }
        }
        return null;
    }

    /** As CONFIG GET shows it: "3600 1 300 100", or "" for none. */
    @Override
    public String toString() {
        StringBuilder b = new StringBuilder();
        for (Point p : points) {
            if (!b.isEmpty()) {
                b.append(' ');
            }
            b.append(p.seconds()).append(' ').append(p.changes());
        }
        return b.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SavePoints s && s.points.equals(points);
    }

    @Override
    public int hashCode() {
        return points.hashCode();
    }
}
