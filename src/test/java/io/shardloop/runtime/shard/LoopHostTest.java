package io.shardloop.runtime.shard;

import io.shardloop.runtime.transport.TestTransports;
import org.junit.jupiter.api.Test;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LoopHostTest {
    private static final LoopHost.Buffers SMALL = new LoopHost.Buffers(4096, 1024, 4);

    @Test
    void shouldRunTheStartupAsTheLoopsThreadThenTheLoopThenTheExitAction() throws Exception {
        LoopHost host = new LoopHost("host-a", Pinning.UNPINNED, 0, TestTransports.current(), SMALL);
        AtomicBoolean startupInLoop = new AtomicBoolean();
        AtomicReference<Thread> exitThread = new AtomicReference<>();
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch ran = new CountDownLatch(1);
        Thread thread = new Thread(() -> host.run(() -> {
            startupInLoop.set(host.loop().inLoop());
            assertSame(host.loop().poller(), host.io()); // the loop waits on its transport's I/O
        }, () -> exitThread.set(Thread.currentThread()), started), host.name());
        thread.start();
        assertTrue(started.await(10, TimeUnit.SECONDS));
        assertNull(host.startFailure());
        assertTrue(startupInLoop.get());
        host.loop().execute(ran::countDown);
        assertTrue(ran.await(10, TimeUnit.SECONDS), "the loop runs after the startup");
        host.loop().stop();
        thread.join(10_000);
        assertFalse(thread.isAlive());
        assertSame(thread, exitThread.get());
        assertEquals("host-a→unpinned", host.placement());
        assertEquals(LoopHost.IOV_LENGTH, host.iov().length);
    }

    @Test
    void shouldKeepAStartupFailureAndNeverRunTheLoop() throws Exception {
        LoopHost host = new LoopHost("host-b", Pinning.UNPINNED, 0, TestTransports.current(), SMALL);
        IllegalStateException boom = new IllegalStateException("no listener");
        AtomicBoolean exited = new AtomicBoolean();
        AtomicBoolean taskRan = new AtomicBoolean();
        host.loop().execute(() -> taskRan.set(true));
        CountDownLatch started = new CountDownLatch(1);
        Thread thread = new Thread(() -> host.run(() -> {
            throw boom;
        }, () -> exited.set(true), started));
        thread.start();
        assertTrue(started.await(10, TimeUnit.SECONDS));
        thread.join(10_000);
        assertFalse(thread.isAlive(), "the thread ends without running the loop");
        assertSame(boom, host.startFailure());
        assertTrue(exited.get());
        assertFalse(taskRan.get());
    }

    @Test
    void shouldRefuseItsIoToAnotherThread() throws Exception {
        LoopHost host = new LoopHost("host-c", Pinning.UNPINNED, 0, TestTransports.current(), SMALL);
        Thread owner = new Thread(host.loop()::claimThread);
        owner.start();
        owner.join();
        assertThrows(AssertionError.class, host::io);
    }
}
