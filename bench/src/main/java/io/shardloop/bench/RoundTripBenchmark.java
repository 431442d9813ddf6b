package io.shardloop.bench;

import io.shardloop.runtime.loop.EventLoop;
import io.shardloop.runtime.loop.NioPoller;
import io.shardloop.runtime.mailbox.Mailbox;
import io.shardloop.runtime.mailbox.MailboxConfig;
import io.shardloop.runtime.mailbox.MailboxKind;
import io.shardloop.runtime.mailbox.Mailboxes;
import io.shardloop.runtime.mailbox.ResponseHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.*;

import java.io.IOException;
import java.util.concurrent.TimeUnit;

/**
 * One request to an idle shard and its response. Shard 1 is a real event loop that sleeps in
 * its selector between requests (idle spins 0), so each sample includes waking it. The benchmark
 * thread plays shard 0: it sends the request and spins on its own mailbox until the answer.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 2)
@Fork(1)
@State(Scope.Benchmark)
public class RoundTripBenchmark {
    @Param({"mpsc", "spsc"})
    public String kind;

    private EventLoop[] loops;
    private Mailbox[] mailboxes;
    private Thread server;
    private final UnsafeBuffer question = new UnsafeBuffer(new byte[16]);
    private final UnsafeBuffer answer = new UnsafeBuffer(new byte[16]);
    private boolean answered;
    private final ResponseHandler onAnswer = (context, type, buffer, offset, length) -> answered = true;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        loops = new EventLoop[] {new EventLoop("client", new NioPoller(), 0), new EventLoop("server", new NioPoller(), 0)};
        mailboxes = Mailboxes.create(MailboxConfig.defaults().withKind(MailboxKind.parse(kind)), loops);
        Mailbox serverMailbox = mailboxes[1];
        serverMailbox.handler((type, source, id, buffer, offset, length) ->
                serverMailbox.reply(source, id, type, answer, 0, answer.capacity()));
        loops[1].addWorkSource(serverMailbox);
        server = new Thread(loops[1], "server");
        server.start();
    }

    @TearDown(Level.Trial)
    public void tearDown() throws InterruptedException {
        loops[1].stop();
        server.join();
        loops[0].stop();
        loops[0].run();
    }

    @Benchmark
    public boolean roundTrip() {
        answered = false;
        Mailbox client = mailboxes[0];
        if (client.request(1, 1, question, 0, question.capacity(), onAnswer, 0) < 0) {
            throw new IllegalStateException("request refused");
        }
        while (!answered) {
            client.doWork();
        }
        return answered;
    }
}
