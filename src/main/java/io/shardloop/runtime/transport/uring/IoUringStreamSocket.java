package io.shardloop.runtime.transport.uring;

import io.shardloop.runtime.os.Errno;
import io.shardloop.runtime.os.ErrnoException;
import io.shardloop.runtime.os.IoUring;
import io.shardloop.runtime.os.LinuxSockets;
import io.shardloop.runtime.transport.SocketEvents;
import io.shardloop.runtime.transport.StreamSocket;
import org.agrona.BufferUtil;

import java.io.IOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;

/**
 * A connected descriptor on its loop's ring.
 * <p>
 * <b>Receiving.</b> One multishot receive stays armed while reading is on; each completion names
 * the provided buffer the kernel filled, which goes to {@link SocketEvents#onInput} in place and back
 * to the kernel after. Switching reading off cancels the receive; what still arrives before the
 * cancellation lands is kept (copied) and delivered first once reading is on again. A receive that
 * ends on its own (the buffers ran out, or the kernel stopped it) is armed again. The read budget
 * of {@link #start} holds per poll, as on the readiness transports: input past it is kept and
 * delivered from the next poll, a budget's worth at a time, and once a budget's worth is kept the
 * receive is cancelled too, so a sender faster than its connection is slowed by TCP rather than
 * buffered here.
 * <p>
 * <b>Sending.</b> One send in flight at a time, straight from the outbound chunks (their native
 * addresses, no copy), submitted with the turn's other requests. {@link #write} takes nothing at
 * once: it reports the bytes the last send completed (advancing the chunks past them) and submits
 * the next; the completion arrives as {@link SocketEvents#onWritable}. The chunks' bytes up to a
 * send's length stay untouched until it completes, since the connection only appends behind them
 * and releases a chunk only once it is reported sent.
 * <p>
 * <b>Closing</b> cancels what is armed. A send in flight is cancelled at once, in its own submit,
 * because its chunks go back to the pool right after; with the ring's deferred completions the
 * kernel reads them only inside this thread's own {@code io_uring_enter}, so none is read after.
 * <p>
 * Loop thread only.
 */
final class IoUringStreamSocket implements StreamSocket, IoUringLoopIo.Owner {
    private final int fd;
    private final IoUringLoopIo io;
    private final long data;
    private SocketEvents events;
    private int readBudget;
    /** The poll the budget was last refilled in, and what is left of it there. */
    private long budgetTurn = -1;
    private int budgetLeft;
    private boolean reading = true;
    /** Held input reached a budget's worth: the receive is cancelled until the connection has taken it. */
    private boolean throttled;
    /** The kernel has a multishot receive of this socket armed (until its last completion). */
    private boolean recvArmed;
    private boolean cancelSent;
    /** Input received and not yet delivered (reading was off, or the turn's budget spent), in read mode. */
    private ByteBuffer held;
    private boolean inputEndHeld;
    private boolean deliveryQueued;
    private boolean sendInFlight;
    /** Bytes the completed sends took that {@link #write} has not reported yet. */
    private long sent;
    private boolean awaitingWritable;
    private boolean writableQueued;
    private boolean closed;
    private SocketAddress remote;
    private SocketAddress local;

    IoUringStreamSocket(int fd, IoUringLoopIo io) {
        this.fd = fd;
        this.io = io;
        this.data = io.register(this);
    }

    @Override
    public void start(SocketEvents events, int readBudget) throws IOException {
        this.events = events;
        this.readBudget = readBudget;
        updateRecv();
    }

    private boolean wantsRecv() {
        return reading && !throttled && !inputEndHeld && !closed;
    }

    /** Arms the receive when it is wanted and not armed; cancels it when it is armed and not wanted. */
    private void updateRecv() throws ErrnoException {
        if (wantsRecv()) {
            if (!recvArmed) {
                io.ring.recvMultishot(fd, 0, IoUringLoopIo.tagged(data, IoUringLoopIo.TAG_RECV));
                recvArmed = true;
                cancelSent = false;
            }
        } else if (recvArmed && !cancelSent) {
            io.ring.cancel(IoUringLoopIo.tagged(data, IoUringLoopIo.TAG_RECV), IoUringLoopIo.tagged(0, IoUringLoopIo.TAG_CANCEL));
            cancelSent = true; // armed until its last completion: no second receive meanwhile
        }
    }

    @Override
    public void reading(boolean on) {
        if (reading == on) {
            return;
        }
        reading = on;
        if (events == null || closed) {
            return; // not started: start() arms the receive if reading is on then
        }
        if (on && (held != null || inputEndHeld)) {
            queueDelivery();
        }
        try {
            updateRecv();
        } catch (ErrnoException e) {
            throw new IllegalStateException("io_uring refused a request: " + e.getMessage(), e);
        }
    }

    @Override
    public void onCompletion(int tag, int res, int flags) {
        if (tag == IoUringLoopIo.TAG_RECV) {
            onReceived(res, flags);
        } else if (tag == IoUringLoopIo.TAG_SEND) {
            onSent(res);
        }
    }

    private void onReceived(int res, int flags) {
        if ((flags & IoUring.CQE_F_MORE) == 0) {
            recvArmed = false;
        }
        if ((flags & IoUring.CQE_F_BUFFER) != 0) {
            int id = flags >>> IoUring.CQE_BUFFER_SHIFT;
            try {
                if (res > 0 && !closed) {
                    ByteBuffer in = io.bufferView(id);
                    in.clear().limit(res);
                    received(in);
                }
            } finally {
                io.recycle(id);
            }
        }
        if (closed) {
            return;
        }
        if (res == 0) {
            recvArmed = false;
            if (reading && held == null) {
                events.onInputEnd();
            } else {
                inputEndHeld = true;
            }
            return;
        }
        if (res < 0 && res != -Errno.ENOBUFS && res != -Errno.ECANCELED) {
            events.onIoFailure(new ErrnoException("recv", "fd " + fd, -res));
            return;
        }
        try {
            updateRecv(); // armed again if it ended on its own (out of buffers) or was cancelled and is wanted again
        } catch (ErrnoException e) {
            events.onIoFailure(e);
        }
    }

    /** Fresh input: to the connection within the turn's budget, else held for the next poll. */
    private void received(ByteBuffer in) {
        if (reading && held == null && spend(in.remaining())) {
            events.onInput(in);
            return;
        }
        hold(in);
        if (reading) {
            queueDelivery();
        }
        if (held.remaining() >= readBudget && !throttled) {
            throttled = true; // a sender faster than the connection: let TCP slow it down
            try {
                updateRecv();
            } catch (ErrnoException e) {
                events.onIoFailure(e);
            }
        }
    }

    /** Takes {@code n} bytes from this poll's budget; false when it was spent (a little overdraft is allowed). */
    private boolean spend(int n) {
        long turn = io.turn();
        if (budgetTurn != turn) {
            budgetTurn = turn;
            budgetLeft = readBudget;
        }
        if (budgetLeft <= 0) {
            return false;
        }
        budgetLeft -= n;
        return true;
    }

    private void hold(ByteBuffer in) {
        int n = in.remaining();
        if (held == null) {
            held = ByteBuffer.allocateDirect(Math.max(n, 4096)).limit(0); // direct, as the loop's buffers are
        } else if (held.capacity() - held.limit() < n) {
            ByteBuffer grown = ByteBuffer.allocateDirect(Math.max(held.capacity() * 2, held.remaining() + n));
            grown.put(held);
            grown.flip();
            held = grown;
        }
        int at = held.limit();
        held.limit(at + n);
        held.put(at, in, in.position(), n);
    }

    private void queueDelivery() {
        if (!deliveryQueued) {
            deliveryQueued = true;
            io.defer(this::deliverHeld);
        }
    }

    /** From a poll: the held input, a budget's worth at a time, then the end of input if it came. */
    private void deliverHeld() {
        deliveryQueued = false;
        if (closed || !reading) {
            return;
        }
        ByteBuffer in = held;
        if (in != null) {
            long turn = io.turn();
            int allowance = budgetTurn == turn ? budgetLeft : readBudget;
            if (allowance <= 0) {
                queueDelivery(); // this poll's budget went on fresh input: the next poll's
                return;
            }
            int n = Math.min(in.remaining(), allowance);
            spend(n);
            int end = in.limit();
            in.limit(in.position() + n);
            events.onInput(in); // the connection takes the view whole (what its handler leaves, it keeps)
            if (closed) {
                return;
            }
            in.limit(end);
            if (in.hasRemaining()) {
                queueDelivery();
                return;
            }
            held = null;
        }
        if (throttled) {
            throttled = false;
            try {
                updateRecv();
            } catch (ErrnoException e) {
                events.onIoFailure(e);
                return;
            }
        }
        if (inputEndHeld && reading) {
            inputEndHeld = false;
            events.onInputEnd();
        }
    }

    // ---- sending -------------------------------------------------------------------------------

    @Override
    public long write(ByteBuffer[] chunks, int count) throws IOException {
        if (closed) {
            return 0;
        }
        long reported = sent;
        if (reported > 0) {
            sent = 0;
            long left = reported;
            for (int i = 0; i < count && left > 0; i++) {
                ByteBuffer chunk = chunks[i];
                int taken = (int) Math.min(left, chunk.remaining());
                chunk.position(chunk.position() + taken);
                left -= taken;
            }
        }
        if (!sendInFlight) {
            submitSend(chunks, count);
        }
        return reported;
    }

    private void submitSend(ByteBuffer[] chunks, int count) throws ErrnoException {
        long[] addresses = io.sendAddresses;
        int[] lengths = io.sendLengths;
        int n = 0;
        for (int i = 0; i < count && n < addresses.length; i++) {
            ByteBuffer chunk = chunks[i];
            if (chunk.hasRemaining()) {
                addresses[n] = BufferUtil.address(chunk) + chunk.position();
                lengths[n] = chunk.remaining();
                n++;
            }
        }
        if (n == 0) {
            return;
        }
        long userData = IoUringLoopIo.tagged(data, IoUringLoopIo.TAG_SEND);
        if (n == 1) {
            io.ring.send(fd, addresses[0], lengths[0], userData);
        } else {
            io.ring.sendmsg(fd, addresses, lengths, n, userData);
        }
        sendInFlight = true;
    }

    private void onSent(int res) {
        sendInFlight = false;
        if (closed) {
            return;
        }
        if (res < 0) {
            events.onIoFailure(new ErrnoException("send", "fd " + fd, -res));
            return;
        }
        sent += res;
        if (awaitingWritable) {
            events.onWritable();
        }
    }

    @Override
    public void awaitWritable(boolean on) {
        awaitingWritable = on;
        if (on && !sendInFlight && !closed && !writableQueued) {
            // Nothing in flight to complete: say so from the next poll (write submits what is left).
            writableQueued = true;
            io.defer(() -> {
                writableQueued = false;
                if (awaitingWritable && !closed) {
                    events.onWritable();
                }
            });
        }
    }

    @Override
    public void shutdownOutput() throws IOException {
        io.calls.shutdownOutput(fd);
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        held = null;
        try {
            long cancelled = IoUringLoopIo.tagged(0, IoUringLoopIo.TAG_CANCEL);
            if (recvArmed) {
                io.ring.cancel(IoUringLoopIo.tagged(data, IoUringLoopIo.TAG_RECV), cancelled);
            }
            if (sendInFlight) {
                io.ring.cancel(IoUringLoopIo.tagged(data, IoUringLoopIo.TAG_SEND), cancelled);
                io.ring.submit(); // now: the chunks it reads go back to the pool after this call
            }
        } catch (ErrnoException e) {
            throw new IllegalStateException("io_uring refused a cancellation: " + e.getMessage(), e);
        } finally {
            io.release(data);
            LinuxSockets.closeQuietly(fd); // the kernel keeps the socket until the cancellations land
        }
    }

    @Override
    public SocketAddress remoteAddress() {
        if (remote == null && !closed) {
            try {
                remote = io.calls.remoteAddress(fd);
            } catch (ErrnoException e) {
                return null;
            }
        }
        return remote;
    }

    @Override
    public SocketAddress localAddress() {
        if (local == null && !closed) {
            try {
                local = io.calls.localAddress(fd);
            } catch (ErrnoException e) {
                return null;
            }
        }
        return local;
    }
}
