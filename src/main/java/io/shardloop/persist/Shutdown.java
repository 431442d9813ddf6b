package io.shardloop.persist;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.logging.Logger;

/**
 * SHUTDOWN, and the signals that ask for it ({@code serve}'s SIGINT and SIGTERM): the one place that
 * decides whether the data is saved before the server stops, and that stops it, as Redis 7.0's
 * prepareForShutdown and finishShutdown do. A snapshot is saved (dbfilename in dir, a round that
 * begins after the request) when asked ({@link #SAVE}), or when save points are set and
 * {@link #NOSAVE} is not given; if it fails the server goes on serving and every request waiting is
 * told {@link #FAILED}, unless {@link #FORCE}. Then the stop action runs on a thread of its own, never
 * on a loop: the server stops as {@code Server.stop} does (drain, the logs written and synced, the
 * loops ended), and nothing is answered to the requests (their connections close with the server).
 * There are no replicas to wait for: {@link #NOW} changes nothing, and there is never a shutdown to
 * ABORT.
 * <p>
 * Thread-safe: a request comes from any connection's thread or a signal's; the requests under way
 * are kept under this object's lock, held for a few instructions and never across the save.
 */
public final class Shutdown {
    private static final Logger LOG = Logger.getLogger(Shutdown.class.getName());
    /** Redis's SHUTDOWN_* flags. */
    public static final int NOSAVE = 1;
    public static final int SAVE = 2;
    public static final int NOW = 4;
    public static final int FORCE = 8;
    /** What a SHUTDOWN whose save failed answers (Redis's replyToClientsBlockedOnShutdown). */
    public static final String FAILED = "ERR Errors trying to SHUTDOWN. Check logs.";

    private final DiskControl disk;
    private volatile Runnable stop = () -> LOG.warning("nothing stops this server: it goes on serving");
    /** The requests waiting for the outcome of the shutdown under way; null when none is. */
    private List<Consumer<String>> waiting;
    private boolean stopping;
    /** The stop follows a final save that succeeded: the shards serve nothing more. */
    private volatile boolean savedBeforeStop;

    /** @param disk the server's, whose save points and final save it uses ({@link DiskControl#NONE} where nothing is kept) */
    public Shutdown(DiskControl disk) {
        this.disk = disk;
    }

    /**
     * Whether the server stops after a final save that succeeded: from its beginning no shard runs
     * a command, so the replies still owed to a connection when it stops may never come, and the
     * stop does not wait for them.
     */
    public boolean savedBeforeStop() {
        return savedBeforeStop;
    }

    /** What stops the server once a shutdown decided it (set by whoever runs the server); run on a thread of its own. */
    public void onStop(Runnable action) {
        stop = action;
    }

    /**
     * Shuts the server down, saving first when {@code flags} and the save points say so. A request
     * while one is under way waits for its outcome, whatever its own flags (as Redis's clients
     * blocked on a shutdown do).
     *
     * @param outcome gets {@link #FAILED} when the server goes on serving, or null once it stops; on
     *                any thread
     */
    public void request(int flags, Consumer<String> outcome) {
        synchronized (this) {
            if (stopping) {
                outcome.accept(null);
                return;
            }
            if (waiting != null) {
                waiting.add(outcome);
                return;
            }
            waiting = new ArrayList<>(List.of(outcome));
        }
        LOG.warning("User requested shutdown...");
        boolean save = (flags & SAVE) != 0 || !disk.savePoints().isEmpty() && (flags & NOSAVE) == 0;
        if (!save) {
            finish();
            return;
        }
        LOG.info("Saving the final RDB snapshot before exiting.");
        disk.finalSave(reply -> {
            if (!reply.error()) {
                savedBeforeStop = true;
                finish();
            } else if ((flags & FORCE) != 0) {
                LOG.warning("Error trying to save the DB. Exit anyway.");
                finish();
            } else {
                LOG.warning("Error trying to save the DB, can't exit.");
                LOG.warning("Errors trying to shut down the server. Check the logs for more information.");
                tell(FAILED);
            }
        });
    }

    private void finish() {
        LOG.warning("shardloop is now ready to exit, bye bye...");
        synchronized (this) {
            stopping = true;
        }
        tell(null);
        Thread.ofPlatform().name("shardloop-shutdown").start(stop);
    }

    private void tell(String outcome) {
        List<Consumer<String>> told;
        synchronized (this) {
            told = waiting;
            waiting = null;
        }
        for (Consumer<String> c : told) {
            c.accept(outcome);
        }
    }
}
