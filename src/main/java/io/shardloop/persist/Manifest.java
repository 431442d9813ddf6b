package io.shardloop.persist;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** A Redis 7 AOF manifest: one base file and the incremental files after it. Immutable. */
public final class Manifest {
    /** One line: {@code file <name> seq <n> type <b|h|i>}. */
    public record Entry(String name, int seq, char type) {
    }

    private final Entry base;
    private final List<Entry> incrementals;

    public Manifest() {
        this(null, List.of());
    }

    private Manifest(Entry base, List<Entry> incrementals) {
        this.base = base;
        this.incrementals = List.copyOf(incrementals);
    }

    public Entry base() {
        return base;
    }

    public List<Entry> incrementals() {
        return incrementals;
    }

    public int nextIncrementalSeq() {
        return incrementals.isEmpty() ? 1 : incrementals.getLast().seq() + 1;
    }

    public int nextBaseSeq() {
        return base == null ? 1 : base.seq() + 1;
    }

    public Manifest withIncremental(String name, int seq) {
        List<Entry> l = new ArrayList<>(incrementals);
        l.add(new Entry(name, seq, 'i'));
        return new Manifest(base, l);
    }

    /** A new base, and the incremental files from {@code firstKept} on. */
    public Manifest withBase(String name, int seq, String firstKept) {
        List<Entry> kept = new ArrayList<>();
        boolean keeping = false;
        for (Entry e : incrementals) {
            keeping |= e.name().equals(firstKept);
            if (keeping) {
                kept.add(e);
            }
        }
        return new Manifest(new Entry(name, seq, 'b'), kept);
    }

    /** The files this one names that {@code other} does not. */
    public List<String> namesNotIn(Manifest other) {
        Set<String> theirs = new HashSet<>();
        if (other.base != null) {
            theirs.add(other.base.name());
        }
        other.incrementals.forEach(e -> theirs.add(e.name()));
        List<String> out = new ArrayList<>();
        if (base != null && !theirs.contains(base.name())) {
            out.add(base.name());
        }
        for (Entry e : incrementals) {
            if (!theirs.contains(e.name())) {
                out.add(e.name());
            }
        }
        return out;
    }

    public String format() {
        StringBuilder b = new StringBuilder();
        if (base != null) {
            b.append("file ").append(base.name()).append(" seq ").append(base.seq()).append(" type b\n");
        }
        for (Entry e : incrementals) {
            b.append("file ").append(e.name()).append(" seq ").append(e.seq()).append(" type i\n");
        }
        return b.toString();
    }

    public static Manifest parse(String source, String text) {
        Entry base = null;
        List<Entry> incr = new ArrayList<>();
        int n = 0;
        for (String line : text.split("\n")) {
            n++;
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            String[] w = line.trim().split(" ");
            if (w.length != 6 || !w[0].equals("file") || !w[2].equals("seq") || !w[4].equals("type")) {
                throw new IllegalArgumentException("Invalid AOF manifest file format: " + source + " line " + n);
            }
            int seq;
            try {
                seq = Integer.parseInt(w[3]);
            } catch (NumberFormatException notANumber) {
                throw new IllegalArgumentException("Invalid AOF manifest file format: " + source + " line " + n
                        + " (seq '" + w[3] + "' is not a number)");
            }
            if (w[5].length() != 1) {
                throw new IllegalArgumentException("Invalid AOF manifest file format: " + source + " line " + n);
            }
            Entry e = new Entry(w[1], seq, w[5].charAt(0));
            switch (e.type()) {
                case 'b' -> base = e;
                case 'i' -> incr.add(e);
                case 'h' -> { }
                default -> throw new IllegalArgumentException("Invalid AOF manifest file format: " + source + " line " + n);
            }
        }
        return new Manifest(base, incr);
    }
}
