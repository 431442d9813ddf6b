package io.shardloop.runtime.loop;

import io.shardloop.runtime.transport.TestTransports;

/**
 * A process whose loop throws an Error, for {@link HaltOnErrorTest}: with the default handler it must
 * halt with one line on stderr and {@link HaltOnError#EXIT_STATUS}, its shutdown hook not run.
 */
public final class FatalLoopErrorMain {
    private FatalLoopErrorMain() {
    }

    public static void main(String[] args) throws Exception {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> System.out.println("shutdown hook ran")));
        EventLoop loop = new EventLoop("shard-7", TestTransports.openLoop(), 0);
        Thread thread = new Thread(loop, "shard-7");
        thread.start();
        loop.execute(() -> {
            throw new OutOfMemoryError("Java heap space");
        });
        thread.join(30_000);
        System.out.println("the loop ended and the process went on");
        System.exit(0);
    }
}
