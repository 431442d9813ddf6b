package io.shardloop.runtime.shard;

import io.shardloop.metrics.SingleWriterCounters;
import io.shardloop.runtime.loop.EventLoop;
import io.shardloop.runtime.net.BufferPool;
import io.shardloop.runtime.net.NetStats;
import io.shardloop.runtime.transport.LoopIo;
import io.shardloop.runtime.transport.Transport;
import net.openhft.affinity.AffinityLock;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.CountDownLatch;

/**
 * One {@link EventLoop} with a thread of its own, pinned to a CPU when it can be, its transport's
 * {@link LoopIo} (which owns the read buffer its connections share), and what else they share: the
 * pool of outbound chunks, the gathering-write array and the network counters. A server's {@link Shard} and a load generator's loop are each one of these
 * and what they own on it.
 * <pre>{@code
 * LoopHost host = new LoopHost("shard-0", cpu, idleSpins, transport, new LoopHost.Buffers(64 * 1024, 16 * 1024, 256));
 * new Thread(() -> host.run(startup, atExit, started), host.name()).start();
 * //   pin ─▶ claim the loop ─▶ startup ─▶ started.countDown() ─▶ loop.run() ─▶ atExit ─▶ unpin
 * //                               └─ throws: startFailure() ─▶ started.countDown() ─▶ atExit ─▶ unpin
 * }</pre>
 * <b>Ownership.</b> The buffers and counters' writes belong to the loop's thread alone; the pinned
 * CPU and the start failure are published (volatile) for the thread that started it.
 */
public final class LoopHost {
    /** Buffers one gathering write takes at most. */
    public static final int IOV_LENGTH = 64;

    /**
     * @param readBufferSize  the loop's read buffer, shared by its connections one read at a time
     * @param chunkSize       size of the pooled outbound chunks
     * @param maxPooledChunks free outbound chunks the loop keeps
     */
    public record Buffers(int readBufferSize, int chunkSize, int maxPooledChunks) {
    }

    /** What a loop's owner runs on the loop's thread before its first turn. */
    @FunctionalInterface
    public interface Startup {
        void run() throws Exception;
    }

    private final String name;
    private final int plannedCpu;
    private final EventLoop loop;
    private final LoopIo io;
    private final BufferPool bufferPool;
    private final ByteBuffer[] iov = new ByteBuffer[IOV_LENGTH];
    private final SingleWriterCounters netStats = NetStats.newCounters();

    private volatile int pinnedCpu = Pinning.UNPINNED;
    private volatile Throwable startFailure;

    /**
     * @param plannedCpu the CPU to pin the thread to, or {@link Pinning#UNPINNED}
     * @param idleSpins  empty turns the loop polls without sleeping before it blocks
     */
    public LoopHost(String name, int plannedCpu, int idleSpins, Transport transport, Buffers buffers) throws IOException {
        this.name = name;
        this.plannedCpu = plannedCpu;
        this.io = transport.openLoop(name, buffers.readBufferSize());
        this.loop = new EventLoop(name, io, idleSpins);
        this.bufferPool = new BufferPool(buffers.chunkSize(), buffers.maxPooledChunks());
    }

    public String name() {
        return name;
    }

    public EventLoop loop() {
        return loop;
    }

    /** The loop's sockets and its wait for events. Loop thread only. */
    public LoopIo io() {
        assert loop.inLoopOrUnclaimed();
        return io;
    }

    public BufferPool bufferPool() {
        return bufferPool;
    }

    /** The scratch array for gathering writes. */
    public ByteBuffer[] iov() {
        return iov;
    }

    /** Counters indexed by {@link NetStats}: written on the loop thread, read from anywhere. */
    public SingleWriterCounters netStats() {
        return netStats;
    }

    /** The CPU the thread is pinned to, or {@link Pinning#UNPINNED}; set before {@code started} counts down. */
    public int pinnedCpu() {
        return pinnedCpu;
    }

    /** What the startup threw, or null; set before {@code started} counts down. */
    public Throwable startFailure() {
        return startFailure;
    }

    /** "shard-0→CPU 1" or "shard-0→unpinned": where the loop runs, for start-up lines. */
    public String placement() {
        int cpu = pinnedCpu;
        return name + "→" + (cpu == Pinning.UNPINNED ? "unpinned" : "CPU " + cpu);
    }

    /**
     * The loop thread's body: pins the calling thread (or notes it runs unpinned), makes it the
     * loop's thread, runs {@code startup} and counts {@code started} down, then runs the loop until
     * it stops. When the startup throws, the failure is kept for {@link #startFailure()} and the loop
     * does not run. {@code atExit} runs on this thread in every case, before the pin is released.
     */
    public void run(Startup startup, Runnable atExit, CountDownLatch started) {
        AffinityLock lock = null;
        try {
            try {
                lock = Pinning.pinCurrentThread(plannedCpu, name);
                pinnedCpu = lock == null ? Pinning.UNPINNED : plannedCpu;
                loop.claimThread(); // the owner's startup runs as the loop's own thread
                startup.run();
            } catch (Throwable e) {
                startFailure = e;
                return;
            } finally {
                started.countDown();
            }
            loop.run();
        } finally {
            atExit.run();
            if (lock != null) {
                lock.release();
            }
        }
    }

    @Override
    public String toString() {
        return name;
    }
}
