package io.shardloop.metrics;

import com.sun.management.GarbageCollectionNotificationInfo;

import javax.management.NotificationEmitter;
import javax.management.openmbean.CompositeData;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.List;
import java.util.Map;

/**
 * What the process's memory holds, as the JVM can tell it cheaply and honestly:
 * <ul>
 *   <li>{@link #liveBytes()}: the heap as it was right after the latest garbage collection (what
 *       survived it, so what the data and buffers really hold, without the garbage a heap reading
 *       between collections counts) plus the direct buffers in use. Updated at every collection
 *       from the collectors' own notifications, and by {@link #refresh()} (the shards call it from
 *       a timer) for the direct buffers; reading it is one volatile load, cheap enough for every
 *       write command. This is the figure {@code maxmemory} is held to.</li>
 *   <li>{@link #usedBytes()}: the heap in use now (garbage included) plus the direct buffers: what
 *       INFO reports as used memory.</li>
 * </ul>
 * The gauge lags the data by up to one collection cycle; under pressure collections come often,
 * so it catches up as the limit nears.
 * <p>
 * Threading: any thread. One per process.
 */
public final class JvmMemory {
    private static final JvmMemory INSTANCE = new JvmMemory();

    private final List<MemoryPoolMXBean> heapPools;
    private final BufferPoolMXBean direct;
    private volatile long heapAfterGc;
    private volatile long live;
    private volatile long peakLive;

    private JvmMemory() {
        this.heapPools = ManagementFactory.getMemoryPoolMXBeans().stream()
                .filter(p -> p.getType() == MemoryType.HEAP).toList();
        this.direct = ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
                .filter(b -> b.getName().equals("direct")).findFirst().orElse(null);
        this.heapAfterGc = heapNow();
        refresh();
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            if (gc instanceof NotificationEmitter emitter) {
                emitter.addNotificationListener((notification, handback) -> {
                    if (GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(notification.getType())) {
                        onCollection(GarbageCollectionNotificationInfo.from((CompositeData) notification.getUserData()));
                    }
                }, null, null);
            }
        }
    }

    public static JvmMemory get() {
        return INSTANCE;
    }

    /** The heap after the latest collection, plus direct buffers in use at the latest refresh. */
    public long liveBytes() {
        return live;
    }

    /** Reads the direct buffers in use again. Any thread; a few atomic reads. */
    public void refresh() {
        long now = heapAfterGc + directBytes();
        live = now;
        if (now > peakLive) {
            peakLive = now; // a racy maximum is fine: it is a report, not a decision
        }
    }

    /** The heap in use now, garbage included, plus direct buffers in use now. */
    public long usedBytes() {
        return heapNow() + directBytes();
    }

    /** The highest {@link #liveBytes()} seen. */
    public long peakLiveBytes() {
        return Math.max(peakLive, liveBytes());
    }

    /** The largest heap the JVM may have. */
    public long maxHeapBytes() {
        return Runtime.getRuntime().maxMemory();
    }

    public long directBytes() {
        return direct == null ? 0 : Math.max(0, direct.getMemoryUsed());
    }

    private long heapNow() {
        MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        return heap.getUsed();
    }

    private void onCollection(GarbageCollectionNotificationInfo info) {
        long after = 0;
        for (Map.Entry<String, MemoryUsage> pool : info.getGcInfo().getMemoryUsageAfterGc().entrySet()) {
            if (isHeapPool(pool.getKey())) {
                after += pool.getValue().getUsed();
            }
        }
        heapAfterGc = after;
        refresh();
    }

    private boolean isHeapPool(String name) {
        for (MemoryPoolMXBean p : heapPools) {
            if (p.getName().equals(name)) {
                return true;
            }
        }
        return false;
    }
}
