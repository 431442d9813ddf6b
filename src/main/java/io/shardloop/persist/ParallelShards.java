package io.shardloop.persist;

import java.io.IOException;

/**
 * Runs one piece of file work per shard, each on a platform thread of its own, and waits for them
 * all: start-up's reading of the shards' logs, before any loop runs. Stateless.
 */
public final class ParallelShards {
    /** The work for one shard. */
    @FunctionalInterface
    public interface Task {
        void run(int shard) throws IOException;
    }

    private ParallelShards() {
    }

    /**
     * Runs {@code task} for shards 0 to {@code shards - 1} on threads named {@code name-<k>}, and
     * returns once all are done; a failure of any (a runtime one as an IOException) is thrown then.
     *
     * @param activity what the tasks do, for the error when the caller is interrupted while waiting
     */
    public static void run(String name, int shards, String activity, Task task) throws IOException {
        IOException[] failure = new IOException[1];
        Thread[] threads = new Thread[shards];
        for (int s = 0; s < shards; s++) {
            int shard = s;
            threads[s] = Thread.ofPlatform().name(name + "-" + s).start(() -> {
                try {
                    task.run(shard);
                } catch (IOException | RuntimeException e) {
                    synchronized (failure) {
                        failure[0] = e instanceof IOException io ? io : new IOException(e.getMessage(), e);
                    }
                }
            });
        }
        for (Thread t : threads) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while " + activity);
            }
        }
        synchronized (failure) {
            if (failure[0] != null) {
                throw failure[0];
            }
        }
    }
}
