package io.shardloop.metrics;

import com.sun.management.GarbageCollectionNotificationInfo;

import javax.management.NotificationEmitter;
import javax.management.openmbean.CompositeData;
import java.io.IOException;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The memory of this process, as the JVM and Linux count it, for INFO's memory section:
 * <ul>
 *   <li>used: heap in use (MemoryMXBean) plus direct buffers in use (BufferPoolMXBean "direct"):
 *       what the server's objects and its network buffers hold;</li>
 *   <li>resident: {@code /proc/self/statm}'s resident pages times the page size (the auxiliary
 *       vector's AT_PAGESZ): what the kernel gives the process, the JVM's own structures, code
 *       and untouched heap reservations aside;</li>
 *   <li>peak: the most "used" any {@link #sample()} has seen in this process;</li>
 *   <li>live ({@link #liveBytes()}): the heap as it was right after the latest garbage collection
 *       (what survived it, so what the data and buffers really hold, without the garbage a heap
 *       reading between collections counts) plus the direct buffers in use. Updated at every
 *       collection from the collectors' own notifications, and by {@link #refresh()} (the shards
 *       call it from a timer) for the direct buffers; reading it is one volatile load, cheap enough
 *       for every write command. This is the figure {@code maxmemory} is held to. It lags the data
 *       by up to one collection; under pressure collections come often, so it catches up as the
 *       limit nears.</li>
 * </ul>
 * Thread-safe: the MXBeans may be read from any thread, and the peak is an atomic maximum.
 */
public final class ProcessMemory {
    /** AT_PAGESZ, the auxiliary vector's entry for the page size (elf.h). */
    private static final long AT_PAGESZ = 6;
    private static final long PAGE_SIZE = pageSize();
    private static final MemoryMXBean HEAP = ManagementFactory.getMemoryMXBean();
    private static final BufferPoolMXBean DIRECT = directPool();
    private static final AtomicLong PEAK = new AtomicLong();
    private static final List<String> HEAP_POOLS = ManagementFactory.getMemoryPoolMXBeans().stream()
            .filter(p -> p.getType() == MemoryType.HEAP).map(MemoryPoolMXBean::getName).toList();
    private static volatile long heapAfterGc = HEAP.getHeapMemoryUsage().getUsed();
    private static volatile long live;

    static {
        refresh();
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            if (gc instanceof NotificationEmitter emitter) {
                emitter.addNotificationListener((notification, handback) -> {
                    if (GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(notification.getType())) {
                        afterCollection(GarbageCollectionNotificationInfo.from((CompositeData) notification.getUserData()));
                    }
                }, null, null);
            }
        }
    }

    /** One reading. Resident is -1 where /proc is not there. */
    public record Figures(long heapUsed, long heapCommitted, long heapMax, long directUsed, long directCapacity,
                          long directBuffers, long resident, long peak) {
        /** Heap plus direct memory in use: INFO's {@code used_memory}. */
        public long used() {
            return heapUsed + directUsed;
        }
    }

    private ProcessMemory() {
    }

    /** Reads the figures (and /proc/self/statm) and raises the peak. */
    public static Figures sample() {
        MemoryUsage heap = HEAP.getHeapMemoryUsage();
        long directUsed = DIRECT == null ? 0 : DIRECT.getMemoryUsed();
        long peak = raisePeak(heap.getUsed() + directUsed);
        return new Figures(heap.getUsed(), heap.getCommitted(), heap.getMax(), directUsed,
                DIRECT == null ? 0 : DIRECT.getTotalCapacity(), DIRECT == null ? 0 : DIRECT.getCount(), resident(), peak);
    }

    /** The heap after the latest collection, plus the direct buffers in use at the latest refresh. Any thread. */
    public static long liveBytes() {
        return live;
    }

    /** Reads the direct buffers in use again (a few atomic reads): the live figure between collections. */
    public static void refresh() {
        live = heapAfterGc + (DIRECT == null ? 0 : DIRECT.getMemoryUsed());
    }

    /** The largest heap the JVM may have. */
    public static long maxHeap() {
        return Runtime.getRuntime().maxMemory();
    }

    private static void afterCollection(GarbageCollectionNotificationInfo info) {
        long after = 0;
        for (Map.Entry<String, MemoryUsage> pool : info.getGcInfo().getMemoryUsageAfterGc().entrySet()) {
            if (HEAP_POOLS.contains(pool.getKey())) {
                after += pool.getValue().getUsed();
            }
        }
        heapAfterGc = after;
        refresh();
    }

    /** Raises the peak to what is in use now, without reading /proc: cheap enough for a 100 ms timer. */
    public static void updatePeak() {
        raisePeak(HEAP.getHeapMemoryUsage().getUsed() + (DIRECT == null ? 0 : DIRECT.getMemoryUsed()));
    }

    private static long raisePeak(long used) {
        return PEAK.accumulateAndGet(used, Math::max);
    }

    /** Resident bytes, from the second field of /proc/self/statm; -1 when it cannot be read. */
    static long resident() {
        try {
            String[] fields = Files.readString(Path.of("/proc/self/statm"), StandardCharsets.US_ASCII).trim().split(" ");
            return Long.parseLong(fields[1]) * PAGE_SIZE;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** The page size from /proc/self/auxv (pairs of native longs, key then value); 4096 when unreadable. */
    static long pageSize() {
        try {
            ByteBuffer auxv = ByteBuffer.wrap(Files.readAllBytes(Path.of("/proc/self/auxv"))).order(ByteOrder.nativeOrder());
            while (auxv.remaining() >= 16) {
                long key = auxv.getLong();
                long value = auxv.getLong();
                if (key == AT_PAGESZ && value > 0) {
                    return value;
                }
                if (key == 0) {
                    break; // AT_NULL ends the vector
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or /proc not mounted: the common page size
        }
        return 4096;
    }

    private static BufferPoolMXBean directPool() {
        for (BufferPoolMXBean pool : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
            if (pool.getName().equals("direct")) {
                return pool;
            }
        }
        return null;
    }
}
