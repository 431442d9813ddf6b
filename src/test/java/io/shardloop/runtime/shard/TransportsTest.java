package io.shardloop.runtime.shard;

import io.shardloop.runtime.transport.epoll.EpollTransport;
import io.shardloop.runtime.transport.nio.NioTransport;
import io.shardloop.runtime.transport.uring.IoUringTransport;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code --transport}: auto takes the first of io_uring, epoll and NIO that starts here, and says why. */
class TransportsTest {
    @Test
    void shouldTakeTheFirstTransportThatStartsAndSayWhyItPassedTheOthersOver() {
        Transports.Selection auto = Transports.select("auto");
        String uring = IoUringTransport.unavailableReason();
        String epoll = EpollTransport.unavailableReason();
        if (uring == null) {
            assertSame(IoUringTransport.INSTANCE, auto.transport());
        } else if (epoll == null) {
            assertSame(EpollTransport.INSTANCE, auto.transport());
            assertTrue(auto.why().contains("io_uring: " + uring), auto.why());
        } else {
            assertSame(NioTransport.INSTANCE, auto.transport());
            assertTrue(auto.why().contains("io_uring: " + uring) && auto.why().contains("epoll: " + epoll), auto.why());
        }
        assertTrue(auto.toString().startsWith(auto.transport().name() + " (auto: "), auto.toString());
    }

    @Test
    void shouldStartATransportAskedForByNameOrRefuseItInOneLine() {
        for (String name : Transports.NAMES) {
            if (name.equals("auto")) {
                continue;
            }
            String missing = switch (name) {
                case "io_uring" -> IoUringTransport.unavailableReason();
                case "epoll" -> EpollTransport.unavailableReason();
                default -> null;
            };
            if (missing == null) {
                Transports.Selection chosen = Transports.select(name.toUpperCase());
                assertEquals(name, chosen.transport().name());
                assertEquals("asked for", chosen.why());
            } else {
                Transports.UnavailableException e = assertThrows(Transports.UnavailableException.class,
                        () -> Transports.select(name));
                assertEquals("the " + name + " transport cannot start: " + missing, e.getMessage());
            }
        }
        Transports.UnavailableException unknown = assertThrows(Transports.UnavailableException.class,
                () -> Transports.select("kqueue"));
        assertEquals("unknown transport 'kqueue' (expected one of auto, io_uring, epoll, nio)", unknown.getMessage());
    }
}
