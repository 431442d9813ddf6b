package io.shardloop.persist;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The commands about what is kept on disk, as a front end sees them: BGSAVE, SAVE, LASTSAVE,
 * BGREWRITEAOF, INFO's persistence section, the save points (CONFIG's save) and appendfsync. {@link #NONE} is a server that keeps nothing on
 * disk (the thread-per-connection models, the shared state modes).
 * <p>
 * Thread-safe: called from any connection's thread.
 */
public interface DiskControl {
    /** A status line or an error line (without its leading '+' or '-'). */
    record Reply(boolean error, String text) {
        public static Reply status(String text) {
            return new Reply(false, text);
        }

        public static Reply error(String text) {
            return new Reply(true, text);
        }
    }

    /** BGSAVE [SCHEDULE]. */
    Reply bgsave(boolean schedule);

    /** SAVE: {@code done} gets the reply once the file is written, on the calling connection's thread. */
    void save(Consumer<Reply> done);

    /**
     * SHUTDOWN's save: SAVE, in a round that begins after this call (after the one under way, if
     * any); {@code done} gets the outcome on any thread, or the connection's where the front end
     * wrapped it.
     */
    void finalSave(Consumer<Reply> done);

    /** LASTSAVE: when the last snapshot was written, Unix seconds (the start-up time before any). */
    long lastSave();

    /** BGREWRITEAOF. */
    Reply bgrewriteaof();

    /** INFO persistence, in Redis's names and order. */
    Map<String, Object> info();

    /** Redis's save points now (CONFIG GET save): none where nothing is kept on disk. */
    SavePoints savePoints();

    /** CONFIG SET save: the save points from now on (ignored where nothing is kept on disk). */
    void savePoints(SavePoints points);

    /** appendonly now (CONFIG GET appendonly, INFO's aof_enabled). */
    boolean appendOnly();

    /** Why CONFIG SET appendonly {@code on} is refused, or null when it is taken. */
    String appendOnlyRefused(boolean on);

    /**
     * CONFIG SET appendonly (after {@link #appendOnlyRefused} took it): turns the log on, in the
     * background (each shard writes its first base; INFO's aof_rewrite_in_progress says when it is
     * done), or off; nothing when it is as asked.
     */
    void appendOnly(boolean on);

    /** appendfsync now (CONFIG GET appendfsync). */
    AppendLog.Fsync appendfsync();

    /**
     * CONFIG SET appendfsync: every shard's log syncs by {@code policy} from its loop's next turn
     * on; replies held for a sync that the new policy does not wait for leave then.
     */
    void appendfsync(AppendLog.Fsync policy);

    /**
     * {@code all}'s commands, with SAVE's and SHUTDOWN's outcome handed to {@code replies} (a
     * connection's loop) rather than given on whatever thread the save ends on.
     */
    static DiskControl repliesOn(DiskControl all, java.util.concurrent.Executor replies) {
        return new DiskControl() {
            @Override
            public Reply bgsave(boolean schedule) {
                return all.bgsave(schedule);
            }

            @Override
            public void save(Consumer<Reply> done) {
                all.save(reply -> replies.execute(() -> done.accept(reply)));
            }

            @Override
            public void finalSave(Consumer<Reply> done) {
                all.finalSave(reply -> replies.execute(() -> done.accept(reply)));
            }

            @Override
            public long lastSave() {
                return all.lastSave();
            }

            @Override
            public Reply bgrewriteaof() {
                return all.bgrewriteaof();
            }

            @Override
            public Map<String, Object> info() {
                return all.info();
            }

            @Override
            public SavePoints savePoints() {
                return all.savePoints();
            }

            @Override
            public void savePoints(SavePoints points) {
                all.savePoints(points);
            }

            @Override
            public boolean appendOnly() {
                return all.appendOnly();
            }

            @Override
            public String appendOnlyRefused(boolean on) {
                return all.appendOnlyRefused(on);
            }

            @Override
            public void appendOnly(boolean on) {
                all.appendOnly(on);
            }

            @Override
            public AppendLog.Fsync appendfsync() {
                return all.appendfsync();
            }

            @Override
            public void appendfsync(AppendLog.Fsync policy) {
                all.appendfsync(policy);
            }
        };
    }

    /** The error every one of these commands answers where nothing is kept on disk. */
    String NO_DISK = "ERR this server keeps no data on disk (persistence needs the event-loop model with --state sharded)";

    DiskControl NONE = new DiskControl() {
        private final long started = System.currentTimeMillis() / 1000;

        @Override
        public Reply bgsave(boolean schedule) {
            return Reply.error(NO_DISK);
        }

        @Override
        public void save(Consumer<Reply> done) {
            done.accept(Reply.error(NO_DISK));
        }

        @Override
        public void finalSave(Consumer<Reply> done) {
            done.accept(Reply.error(NO_DISK));
        }

        @Override
        public long lastSave() {
            return started;
        }

        @Override
        public Reply bgrewriteaof() {
            return Reply.error(NO_DISK);
        }

        @Override
        public SavePoints savePoints() {
            return SavePoints.NONE;
        }

        @Override
        public boolean appendOnly() {
            return false;
        }

        @Override
        public String appendOnlyRefused(boolean on) {
            return on ? "this server keeps no data on disk" : null;
        }

        @Override
        public void appendOnly(boolean on) {
        }

        @Override
        public AppendLog.Fsync appendfsync() {
            return AppendLog.Fsync.EVERYSEC;
        }

        @Override
        public void appendfsync(AppendLog.Fsync policy) {
        }

        @Override
        public void savePoints(SavePoints points) {
        }

        @Override
        public Map<String, Object> info() {
            Map<String, Object> f = new LinkedHashMap<>();
            f.put("loading", 0);
            f.put("async_loading", 0);
            f.put("rdb_changes_since_last_save", 0);
            f.put("rdb_bgsave_in_progress", 0);
            f.put("rdb_last_save_time", started);
            f.put("rdb_last_bgsave_status", "ok");
            f.put("aof_enabled", 0);
            f.put("aof_rewrite_in_progress", 0);
            f.put("aof_rewrite_scheduled", 0);
            f.put("aof_last_bgrewrite_status", "ok");
            f.put("aof_last_write_status", "ok");
            return f;
        }
    };
}
