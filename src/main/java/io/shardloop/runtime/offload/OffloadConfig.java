package io.shardloop.runtime.offload;

/**
 * Tunables of the blocking-work pool.
 *
 * @param threads   threads that run blocking tasks
 * @param queueSize tasks that may wait for a thread; past it {@code offload} is rejected
 */
public record OffloadConfig(int threads, int queueSize) {
    public OffloadConfig {
        if (threads < 1) {
            throw new IllegalArgumentException("offload threads must be at least 1, got " + threads);
        }
        if (queueSize < 0) {
            throw new IllegalArgumentException("offload queue size must not be negative, got " + queueSize);
        }
    }

    public static OffloadConfig defaults() {
        return new OffloadConfig(4, 1024);
    }

    public String describe() {
        return "offload-threads=" + threads + " offload-queue=" + queueSize;
    }
}
