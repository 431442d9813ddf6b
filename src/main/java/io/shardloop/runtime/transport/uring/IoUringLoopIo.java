package io.shardloop.runtime.transport.uring;

import io.shardloop.runtime.os.Errno;
import io.shardloop.runtime.os.ErrnoException;
import io.shardloop.runtime.os.IoUring;
import io.shardloop.runtime.os.LinuxSockets;
import io.shardloop.runtime.transport.AcceptedSocket;
import io.shardloop.runtime.transport.ListenSocket;
import io.shardloop.runtime.transport.LoopFiles;
import io.shardloop.runtime.transport.LoopIo;
import io.shardloop.runtime.transport.StreamSocket;
import io.shardloop.runtime.transport.Transport;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.ConnectException;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One loop's ring, its provided receive buffers, its eventfd for wake-ups and the table that turns
 * a completion's user data back into the socket or listener it is for.
 * <p>
 * <b>User data.</b> {@code tag << 56 | generation << 32 | slot}: the tag says which of the owner's
 * requests completed (receive, send, a listener's poll, connect, a file request); the slot indexes
 * the owner table; the generation, new with each registration, lets a completion that arrives after
 * its owner closed (a cancelled request's last word) be recognised and dropped. Such a completion
 * still returns its provided buffer.
 * <p>
 * <b>Turns.</b> {@link #poll} submits whatever the last turn queued (sends, re-armed receives,
 * cancellations) and waits in the same call. Work that must reach a socket's events from a poll
 * but was asked for outside one (input held back while reading was off, a connect that finished at
 * once) is queued as {@link #defer deferred} and run by the next poll, which then does not sleep.
 * <p>
 * Owned by one event loop: all methods but {@link #wakeup()} run on that loop's thread.
 */
final class IoUringLoopIo implements LoopIo {
    static final int TAG_RECV = 1;
    static final int TAG_SEND = 2;
    static final int TAG_ACCEPT = 3;
    static final int TAG_CONNECT = 4;
    static final int TAG_FILE = 7;
    private static final int TAG_WAKE = 5;
    /** A cancellation's own completion: nothing to do. */
    static final int TAG_CANCEL = 6;
    private static final int SQ_ENTRIES = 512;
    private static final int CQ_ENTRIES = 4096;
    /** Receive buffers shared by the loop's sockets; each completion of a multishot receive fills one. */
    private static final int BUFFER_COUNT = 256;
    private static final int BUFFER_SIZE = 16 * 1024;
    private static final int BUFFER_GROUP = 0;

    /** A registered owner of requests: a socket, a listener's watch, a connect. */
    interface Owner {
        void onCompletion(int tag, int res, int flags);
    }

    final LinuxSockets calls = new LinuxSockets();
    final IoUring ring;
    private final Arena arena = Arena.ofShared(); // made on the starting thread, used on the loop's
    private final IoUring.BufferRing buffers;
    private final ByteBuffer[] bufferViews;
    private final int wakeFd;
    private final MemorySegment wakeCounter;
    /** Scratch arrays of one sendmsg ({@link IoUringStreamSocket#write}). */
    final long[] sendAddresses = new long[IoUring.MAX_SEND_IOVECS];
    final int[] sendLengths = new int[IoUring.MAX_SEND_IOVECS];
    private Owner[] owners = new Owner[256];
    private int[] generations = new int[256];
    private int[] freeSlots = new int[256];
    private int freeCount;
    private int nextSlot;
    private int nextGeneration = 1;
    private final ArrayDeque<Runnable> deferred = new ArrayDeque<>();
    private IoUringFiles files;
    /** Provided buffers the kernel has filled and this loop not yet given back. */
    private int buffersTaken;
    /** Polls so far: a socket's read budget is per poll. */
    private long turn;
    /** See EpollLoopIo: a wake-up never writes to a descriptor that may have been closed. */
    private volatile boolean closed;
    private final AtomicInteger wakers = new AtomicInteger();

    IoUringLoopIo() throws IOException {
        IoUring made = new IoUring(SQ_ENTRIES, CQ_ENTRIES);
        int wake = -1;
        try {
            wake = calls.eventfd();
            buffers = made.registerBuffers(BUFFER_GROUP, BUFFER_COUNT, BUFFER_SIZE);
        } catch (ErrnoException | RuntimeException e) {
            if (wake >= 0) {
                LinuxSockets.closeQuietly(wake);
            }
            made.close();
            calls.close();
            arena.close();
            throw e;
        }
        ring = made;
        wakeFd = wake;
        wakeCounter = arena.allocate(8, 8);
        bufferViews = new ByteBuffer[BUFFER_COUNT];
        for (int id = 0; id < BUFFER_COUNT; id++) {
            bufferViews[id] = buffers.buffer(id).asByteBuffer();
        }
        armWake();
    }

    @Override
    public Transport transport() {
        return IoUringTransport.INSTANCE;
    }

    // ---- owners --------------------------------------------------------------------------------

    /** Registers an owner; returns its user data, to be or'ed with {@link #tagged} tags. */
    long register(Owner owner) {
        int slot;
        if (freeCount > 0) {
            slot = freeSlots[--freeCount];
        } else {
            slot = nextSlot++;
            if (slot == owners.length) {
                owners = Arrays.copyOf(owners, slot * 2);
                generations = Arrays.copyOf(generations, slot * 2);
            }
        }
        int generation = nextGeneration++ & 0xff_ffff;
        if (generation == 0) {
            generation = nextGeneration++ & 0xff_ffff;
        }
        owners[slot] = owner;
        generations[slot] = generation;
        return ((long) generation << 32) | slot;
    }

    /** Forgets the owner of {@code data}: its requests' later completions are dropped. */
    void release(long data) {
        int slot = (int) data;
        owners[slot] = null;
        generations[slot] = 0;
        if (freeCount == freeSlots.length) {
            freeSlots = Arrays.copyOf(freeSlots, freeCount * 2);
        }
        freeSlots[freeCount++] = slot;
    }

    static long tagged(long data, int tag) {
        return ((long) tag << 56) | data;
    }

    /** Runs {@code task} from the next poll, which does not sleep. */
    void defer(Runnable task) {
        deferred.add(task);
    }

    long turn() {
        return turn;
    }

    ByteBuffer bufferView(int id) {
        return bufferViews[id];
    }

    /** Returns a provided buffer; the kernel sees it after this poll's dispatch. */
    void recycle(int id) {
        buffers.recycle(id);
        buffersTaken--;
    }

    // ---- listeners, sockets, connects ----------------------------------------------------------

    @Override
    public Watch watch(ListenSocket listener, Runnable onAcceptable) throws IOException {
        return new IoUringListenSocket.AcceptWatch((IoUringListenSocket) listener, this, onAcceptable);
    }

    @Override
    public StreamSocket open(AcceptedSocket accepted) throws IOException {
        int fd = ((IoUringListenSocket.Accepted) accepted).fd();
        calls.setOption(fd, LinuxSockets.IPPROTO_TCP, LinuxSockets.TCP_NODELAY, 1);
        return new IoUringStreamSocket(fd, this);
    }

    @Override
    public LoopFiles files() {
        if (files == null) {
            files = new IoUringFiles(this);
        }
        return files;
    }

    @Override
    public PendingConnect connect(InetSocketAddress address, ConnectEvents events) throws IOException {
        if (address.isUnresolved()) {
            throw new IOException("cannot connect to an unresolved address: " + address);
        }
        int fd = calls.openStream(address.getAddress() instanceof Inet6Address);
        try {
            calls.setOption(fd, LinuxSockets.IPPROTO_TCP, LinuxSockets.TCP_NODELAY, 1);
            Connecting connecting = new Connecting(fd, address, events);
            if (calls.connect(fd, address)) {
                defer(() -> connecting.finish(0)); // connected at once: the callback still comes from a poll
            } else {
                connecting.data = register(connecting);
                ring.pollOnce(fd, IoUring.POLLOUT, tagged(connecting.data, TAG_CONNECT));
            }
            return connecting;
        } catch (ErrnoException e) {
            LinuxSockets.closeQuietly(fd);
            throw e.errno() == Errno.ECONNREFUSED ? refused(address) : e;
        } catch (IOException | RuntimeException e) {
            LinuxSockets.closeQuietly(fd);
            throw e;
        }
    }

    private static ConnectException refused(InetSocketAddress address) {
        return new ConnectException("Connection refused: " + address);
    }

    /** A connect under way: one poll for POLLOUT, then SO_ERROR says how it ended. */
    private final class Connecting implements Owner, PendingConnect {
        private final int fd;
        private final InetSocketAddress address;
        private final ConnectEvents events;
        long data;
        private boolean done;

        Connecting(int fd, InetSocketAddress address, ConnectEvents events) {
            this.fd = fd;
            this.address = address;
            this.events = events;
        }

        @Override
        public void onCompletion(int tag, int res, int flags) {
            release(data);
            data = 0;
            finish(res < 0 ? -res : 0);
        }

        void finish(int pollError) {
            if (done) {
                return;
            }
            done = true;
            int error = pollError;
            if (error == 0) {
                try {
                    error = calls.option(fd, LinuxSockets.SOL_SOCKET, LinuxSockets.SO_ERROR);
                } catch (ErrnoException e) {
                    error = e.errno();
                }
            }
            if (error != 0) {
                LinuxSockets.closeQuietly(fd);
                events.onConnectFailed(error == Errno.ECONNREFUSED ? refused(address)
                        : new ErrnoException("connect", address.toString(), error));
                return;
            }
            events.onConnected(new IoUringStreamSocket(fd, IoUringLoopIo.this));
        }

        @Override
        public void cancel() {
            if (!done) {
                done = true;
                if (data != 0) {
                    try {
                        ring.cancel(tagged(data, TAG_CONNECT), tagged(0, TAG_CANCEL));
                    } catch (ErrnoException e) {
                        throw new IllegalStateException("io_uring refused a cancellation: " + e.getMessage(), e);
                    }
                    release(data);
                    data = 0;
                }
                LinuxSockets.closeQuietly(fd);
            }
        }
    }

    // ---- the wait ------------------------------------------------------------------------------

    private void armWake() throws ErrnoException {
        ring.read(wakeFd, wakeCounter.address(), 8, -1, tagged(0, TAG_WAKE));
    }

    @Override
    public int poll(long timeoutNanos, Runnable beforeDispatch) throws IOException {
        ring.submitAndWait(deferred.isEmpty() ? timeoutNanos : 0);
        turn++;
        int dispatched = 0;
        boolean dispatching = false;
        int head = ring.cqHead();
        int tail = ring.cqTail();
        while (head != tail) {
            long userData = ring.cqeUserData(head);
            int res = ring.cqeRes(head);
            int flags = ring.cqeFlags(head);
            head++;
            ring.cqAdvance(head);
            int tag = (int) (userData >>> 56);
            if ((flags & IoUring.CQE_F_BUFFER) != 0) {
                buffersTaken++;
            }
            if (tag == TAG_WAKE) {
                armWake();
                continue;
            }
            if (tag == TAG_CANCEL) {
                continue;
            }
            int slot = (int) userData;
            int generation = (int) (userData >>> 32) & 0xff_ffff;
            Owner owner = slot < owners.length && generations[slot] == generation ? owners[slot] : null;
            if (owner == null) {
                dropStale(tag, res, flags);
                continue;
            }
            if (!dispatching) {
                dispatching = true;
                beforeDispatch.run();
            }
            owner.onCompletion(tag, res, flags);
            dispatched++;
        }
        int ready = deferred.size();
        if (ready > 0 && !dispatching) {
            beforeDispatch.run();
        }
        for (int i = 0; i < ready; i++) {
            deferred.poll().run();
            dispatched++;
        }
        buffers.publish();
        return dispatched;
    }

    /** The last word of a request whose owner is gone: give back what it holds. */
    private void dropStale(int tag, int res, int flags) {
        if ((flags & IoUring.CQE_F_BUFFER) != 0) {
            recycle(flags >>> IoUring.CQE_BUFFER_SHIFT);
        }
    }

    @Override
    public void wakeup() {
        wakers.incrementAndGet();
        try {
            if (!closed) {
                LinuxSockets.signalFromAnyThread(wakeFd);
            }
        } finally {
            wakers.decrementAndGet();
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        while (wakers.get() != 0) {
            Thread.onSpinWait();
        }
        ring.close(); // first: the kernel lets go of the eventfd and the buffers with it
        if (files != null) {
            files.close();
        }
        LinuxSockets.closeQuietly(wakeFd);
        calls.close();
        arena.close();
    }

    /** Provided buffers filled and not yet given back, for tests: 0 between polls. */
    int buffersTaken() {
        return buffersTaken;
    }

    /** Owners registered now, for tests. */
    int registeredCount() {
        int count = 0;
        for (Owner owner : owners) {
            if (owner != null) {
                count++;
            }
        }
        return count;
    }
}
