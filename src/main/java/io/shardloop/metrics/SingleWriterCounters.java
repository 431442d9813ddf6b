package io.shardloop.metrics;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A fixed set of counters with one writer thread and any number of readers. The writer pays a
 * plain add and an opaque store (no fence on x86); readers see each counter whole, eventually.
 * <p>
 * Threading: {@link #add}, {@link #set} and {@link #max} from the owning thread only.
 */
public final class SingleWriterCounters {
    private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(long[].class);

    private final long[] values;

    public SingleWriterCounters(int size) {
        this.values = new long[size];
    }

    public int size() {
        return values.length;
    }

    public void add(int counter, long delta) {
        SLOT.setOpaque(values, counter, values[counter] + delta);
    }

    public void increment(int counter) {
        add(counter, 1);
    }

    public void set(int counter, long value) {
        SLOT.setOpaque(values, counter, value);
    }

    /** Raises the counter to the value if it is higher (a high-water mark). */
    public void max(int counter, long value) {
        if (value > values[counter]) {
            SLOT.setOpaque(values, counter, value);
        }
    }

    /** Any thread. */
    public long get(int counter) {
        return (long) SLOT.getOpaque(values, counter);
    }

    /** A copy of every counter, any thread. */
    public long[] snapshot() {
        long[] copy = new long[values.length];
        for (int i = 0; i < copy.length; i++) {
            copy[i] = get(i);
        }
        return copy;
    }
}
