package io.shardloop.runtime.loop;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.function.IntConsumer;
import java.util.function.Supplier;

/**
 * The default {@link LoopFailureHandler}: it logs an exception with its stack and lets the loop go
 * on; on a fatal failure (an {@link Error}) it writes one line to stderr, for example
 * <pre>
 *   shardloop: fatal OutOfMemoryError on shard-1 (Java heap space) in a task at io.shardloop.kv.Db.put(Db.java:40): exiting
 * </pre>
 * flushes stdout and stderr, and halts the process with {@link #EXIT_STATUS}, as
 * {@code -XX:+ExitOnOutOfMemoryError} would. {@link Runtime#halt} and not {@link System#exit}: shutdown
 * hooks would drain connections through the very state the error broke, and one of them could block
 * on the loop that is no longer turning. The line is built from the failure alone; if even that
 * fails (no heap left), a fixed line is written instead. Whatever happens, the process halts.
 */
public final class HaltOnError implements LoopFailureHandler {
    /** The exit status after a fatal failure on a loop: {@code EX_SOFTWARE} of sysexits.h, "internal software error". */
    public static final int EXIT_STATUS = 70;

    /** The process-wide default: stderr as it is at the time of the failure, and {@link Runtime#halt}. */
    public static final HaltOnError INSTANCE = new HaltOnError(() -> System.err, status -> Runtime.getRuntime().halt(status));

    private static final System.Logger LOG = System.getLogger(EventLoop.class.getName());
    private static final int MAX_MESSAGE_CHARS = 300;
    private static final byte[] FALLBACK_LINE = "shardloop: fatal error on an event loop: exiting\n"
            .getBytes(StandardCharsets.US_ASCII);

    private final Supplier<PrintStream> err;
    private final IntConsumer halt;

    /** A handler that writes the fatal line to {@code err} and ends with {@code halt}; tests pass their own. */
    HaltOnError(Supplier<PrintStream> err, IntConsumer halt) {
        this.err = err;
        this.halt = halt;
    }

    @Override
    public void onFailure(String loopName, String activity, Throwable failure) {
        if (!LoopFailures.isFatal(failure)) {
            try {
                LOG.log(System.Logger.Level.ERROR, loopName + ": " + activity + " threw; the loop goes on", failure);
                return;
            } catch (Throwable whileLogging) {
                if (!LoopFailures.isFatal(whileLogging)) {
                    return;
                }
                failure = whileLogging;
                activity = "logging a failure of " + activity;
            }
        }
        PrintStream out = err.get();
        try {
            out.println(fatalLine(loopName, activity, failure));
        } catch (Throwable cannotSay) {
            out.write(FALLBACK_LINE, 0, FALLBACK_LINE.length);
        } finally {
            System.out.flush();
            out.flush();
            halt.accept(EXIT_STATUS);
        }
    }

    /** The one line written before halting, without its line end. */
    static String fatalLine(String loopName, String activity, Throwable failure) {
        StringBuilder line = new StringBuilder("shardloop: fatal ");
        String type = failure.getClass().getSimpleName();
        line.append(type.isEmpty() ? failure.getClass().getName() : type).append(" on ").append(loopName);
        String message = failure.getMessage();
        if (message != null && !message.isBlank()) {
            String oneLine = message.strip().replaceAll("\\s+", " ");
            if (oneLine.length() > MAX_MESSAGE_CHARS) {
                oneLine = oneLine.substring(0, MAX_MESSAGE_CHARS) + "...";
            }
            line.append(" (").append(oneLine).append(')');
        }
        line.append(" in ").append(activity);
        StackTraceElement[] stack = failure.getStackTrace();
        if (stack.length > 0) {
            line.append(" at ").append(stack[0]);
        }
        return line.append(": exiting").toString();
    }
}
