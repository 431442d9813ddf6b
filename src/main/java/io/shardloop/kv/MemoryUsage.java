package io.shardloop.kv;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

import static io.shardloop.kv.ObjectLayout.REFERENCE;
import static io.shardloop.kv.ObjectLayout.array;
import static io.shardloop.kv.ObjectLayout.object;
import static io.shardloop.kv.ObjectLayout.referenceArray;

/**
 * MEMORY USAGE's estimate of the heap one key holds: the key, its value, and what the store spends
 * to hold the pair ({@link Db#entryBytes}). Every object is sized from the JVM's layout
 * ({@link ObjectLayout}); nothing is measured, so the figure is a model of the structures below,
 * not an allocator's count.
 * <pre>
 *   key      Key object (bytes ref, offset, length, hash, owned) + its byte[]
 *   string   byte[] of the value
 *   hash     LinkedHashMap (HashMap's 8 fields, head, tail, accessOrder) + its table (a power of
 *            two, at most 3/4 full, at least 16 slots) + per field: LinkedHashMap.Entry (hash, key,
 *            value, next, before, after) + Key + key byte[] + value byte[]
 *   list     ArrayDeque (elements, head, tail) + its array (one slot per element and one free:
 *            the growth slack past that is not counted) + per element: byte[]
 *   set      MemberSet (4 fields) + its member array + its int index + per member: Key + byte[]
 *   zset     SortedSet (6 fields) + its head node (32 levels) + its two 32-slot search arrays
 *            + its HashMap and table + per member:
 *            a skip-list node (member, score, links, spans, backward) with its link and span arrays,
 *            HashMap.Node + Key + byte[]
 * </pre>
 * As in Redis ({@code objectComputeSize}), the elements of a container are sampled: the first
 * {@code samples} give a mean element size, counted for every element; the container's own
 * structure is counted whole.
 * <p>
 * Stateless.
 */
final class MemoryUsage {
    /** Redis's OBJ_COMPUTE_SIZE_DEF_SAMPLES. */
    static final long DEFAULT_SAMPLES = 5;

    static final long KEY_OBJECT = object(REFERENCE + 4 + 4 + 4 + 1);
    static final long HASH_MAP = object(4 * REFERENCE + 4 * 4);
    static final long HASH_MAP_NODE = object(4 + 3 * REFERENCE);
    static final long LINKED_HASH_MAP = object(6 * REFERENCE + 4 * 4 + 1);
    static final long LINKED_HASH_MAP_ENTRY = object(4 + 5 * REFERENCE);
    static final long ARRAY_DEQUE = object(REFERENCE + 4 + 4);
    static final long MEMBER_SET = object(2 * REFERENCE + 4 + 4);
    static final long SORTED_SET = object(5 * REFERENCE + 4);
    static final long SKIP_LIST_NODE = object(4 * REFERENCE + 8);

    private MemoryUsage() {
    }

    /** A key of {@code keyLength} bytes holding {@code value}, in a store spending {@code entryBytes} on it. */
    static long ofEntry(int keyLength, Object value, long samples, long entryBytes) {
        return key(keyLength) + value(value, samples) + entryBytes;
    }

    static long key(int length) {
        return KEY_OBJECT + array(length, 1);
    }

    /** The bytes of a {@link HashMap}'s table slots per entry, as a map at its load factor (3/4) has them. */
    static long mapSlotPerEntry() {
        return (REFERENCE * 4 + 2) / 3;
    }

    static long value(Object value, long samples) {
        return switch (value) {
            case byte[] s -> array(s.length, 1);
            case HashMap<?, ?> h -> hash(h, samples);
            case ArrayDeque<?> l -> list(l, samples);
            case MemberSet s -> set(s, samples);
            case SortedSet z -> zset(z, samples);
            default -> throw new IllegalStateException("unknown value type " + value.getClass());
        };
    }

    private static long hash(HashMap<?, ?> h, long samples) {
        long sampled = 0;
        long bytes = 0;
        for (Map.Entry<?, ?> e : h.entrySet()) {
            if (sampled == samples) {
                break;
            }
            bytes += LINKED_HASH_MAP_ENTRY + key(((Key) e.getKey()).length()) + array(((byte[]) e.getValue()).length, 1);
            sampled++;
        }
        return LINKED_HASH_MAP + referenceArray(hashTableLength(h.size())) + extrapolate(bytes, sampled, h.size());
    }

    private static long list(ArrayDeque<?> l, long samples) {
        long sampled = 0;
        long bytes = 0;
        for (Object element : l) {
            if (sampled == samples) {
                break;
            }
            bytes += array(((byte[]) element).length, 1);
            sampled++;
        }
        return ARRAY_DEQUE + referenceArray(l.size() + 1L) + extrapolate(bytes, sampled, l.size());
    }

    private static long set(MemberSet s, long samples) {
        long n = Math.min(samples, s.size());
        long bytes = 0;
        for (int i = 0; i < n; i++) {
            bytes += key(s.member(i).length());
        }
        return MEMBER_SET + referenceArray(s.capacity()) + array(s.slotCount(), 4) + extrapolate(bytes, n, s.size());
    }

    private static long zset(SortedSet z, long samples) {
        long sampled = 0;
        long bytes = 0;
        for (SortedSet.Node n = z.first(); n != null && sampled < samples; n = n.next()) {
            bytes += skipListNode(n.levels()) + HASH_MAP_NODE + key(n.member.length());
            sampled++;
        }
        return SORTED_SET + skipListNode(SortedSet.MAX_LEVEL) + referenceArray(SortedSet.MAX_LEVEL)
                + array(SortedSet.MAX_LEVEL, 4) + HASH_MAP + referenceArray(hashTableLength(z.size()))
                + extrapolate(bytes, sampled, z.size());
    }

    private static long skipListNode(int levels) {
        return SKIP_LIST_NODE + referenceArray(levels) + array(levels, 4);
    }

    /** The table a HashMap grown from the default has for this many entries. */
    static int hashTableLength(int entries) {
        int length = 16;
        while (entries > length / 4 * 3 && length < 1 << 30) {
            length <<= 1;
        }
        return length;
    }

    private static long extrapolate(long sampledBytes, long sampled, long count) {
        return sampled == 0 ? 0 : Math.round((double) sampledBytes / sampled * count);
    }
}
