package io.shardloop.runtime.shard;

import io.shardloop.runtime.transport.Transport;
import io.shardloop.runtime.transport.epoll.EpollTransport;
import io.shardloop.runtime.transport.nio.NioTransport;
import io.shardloop.runtime.transport.uring.IoUringTransport;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Which {@link Transport} a process runs on: {@code --transport auto|io_uring|epoll|nio}. {@code auto}
 * takes the first of io_uring, epoll and NIO that can start here, and says why it passed over the
 * others (no io_uring in the kernel, {@code kernel.io_uring_disabled}, a seccomp filter, a kernel
 * before 6.1); a transport asked for by name either starts or is refused with one line saying why.
 * <p>
 * The system property {@value #PROPERTY} sets what {@link #preferred()} gives (and so what a
 * {@link RuntimeConfig} runs on unless told otherwise): the test suite runs its transport contract
 * once per transport that way.
 */
public final class Transports {
    /** Names the transport {@link #preferred()} selects, as {@code --transport} does. */
    public static final String PROPERTY = "shardloop.transport";
    /** The names {@code --transport} takes, {@code auto} first. */
    public static final List<String> NAMES = List.of("auto", "io_uring", "epoll", "nio");

    private static volatile Selection preferred;

    private Transports() {
    }

    /** A transport chosen, and why: {@code "epoll (auto: the first that starts here)"}. */
    public record Selection(Transport transport, String why) {
        @Override
        public String toString() {
            return transport.name() + " (" + why + ")";
        }
    }

    /** A transport that cannot run here; the message is one line that says why. */
    public static final class UnavailableException extends IllegalArgumentException {
        UnavailableException(String message) {
            super(message);
        }
    }

    /**
     * The transport of that name ({@link #NAMES}), or for {@code auto} the first that starts here.
     *
     * @throws UnavailableException when the one asked for cannot run here, or the name is unknown
     */
    public static Selection select(String name) {
        String asked = name.toLowerCase(Locale.ROOT);
        switch (asked) {
            case "io_uring" -> {
                String missing = IoUringTransport.unavailableReason();
                if (missing != null) {
                    throw new UnavailableException("the io_uring transport cannot start: " + missing);
                }
                return new Selection(IoUringTransport.INSTANCE, "asked for");
            }
            case "epoll" -> {
                String missing = EpollTransport.unavailableReason();
                if (missing != null) {
                    throw new UnavailableException("the epoll transport cannot start: " + missing);
                }
                return new Selection(EpollTransport.INSTANCE, "asked for");
            }
            case "nio" -> {
                return new Selection(NioTransport.INSTANCE, "asked for");
            }
            case "auto" -> {
                List<String> passed = new ArrayList<>();
                String uringMissing = IoUringTransport.unavailableReason();
                if (uringMissing == null) {
                    return new Selection(IoUringTransport.INSTANCE, "auto: io_uring through FFM");
                }
                passed.add("io_uring: " + uringMissing);
                String epollMissing = EpollTransport.unavailableReason();
                if (epollMissing == null) {
                    return new Selection(EpollTransport.INSTANCE, "auto: native epoll through FFM; " + String.join("; ", passed));
                }
                passed.add("epoll: " + epollMissing);
                return new Selection(NioTransport.INSTANCE, "auto: " + String.join("; ", passed));
            }
            default -> throw new UnavailableException("unknown transport '" + name + "' (expected one of "
                    + String.join(", ", NAMES) + ")");
        }
    }

    /** What {@link #PROPERTY} names, {@code auto} when it is not set; chosen once per process. */
    public static Selection preferred() {
        Selection selection = preferred;
        if (selection == null) {
            selection = select(System.getProperty(PROPERTY, "auto"));
            preferred = selection;
        }
        return selection;
    }
}
