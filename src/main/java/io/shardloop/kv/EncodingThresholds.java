package io.shardloop.kv;

/**
 * The thresholds past which Redis 7.0 holds a value in its big encoding rather than its compact
 * one (config.c's defaults; CONFIG SET changes them, {@code ServerSettings}): what
 * {@link ObjectEncoding} reads. One per store, shared by its databases and shards. Lists have no
 * threshold here: 7.0 holds every list as a quicklist, whatever list-max-listpack-size says.
 * <p>
 * Thread-safe: each value is a volatile read; a change reaches the next lookup on every thread.
 */
public final class EncodingThresholds {
    private volatile long hashMaxListpackEntries = 512;
    private volatile long hashMaxListpackValue = 64;
    private volatile long setMaxIntsetEntries = 512;
    private volatile long zsetMaxListpackEntries = 128;
    private volatile long zsetMaxListpackValue = 64;

    public long hashMaxListpackEntries() {
        return hashMaxListpackEntries;
    }

    public void hashMaxListpackEntries(long n) {
        hashMaxListpackEntries = n;
    }

    public long hashMaxListpackValue() {
        return hashMaxListpackValue;
    }

    public void hashMaxListpackValue(long bytes) {
        hashMaxListpackValue = bytes;
    }

    public long setMaxIntsetEntries() {
        return setMaxIntsetEntries;
    }

    public void setMaxIntsetEntries(long n) {
        setMaxIntsetEntries = n;
    }

    public long zsetMaxListpackEntries() {
        return zsetMaxListpackEntries;
    }

    public void zsetMaxListpackEntries(long n) {
        zsetMaxListpackEntries = n;
    }

    public long zsetMaxListpackValue() {
        return zsetMaxListpackValue;
    }

    public void zsetMaxListpackValue(long bytes) {
        zsetMaxListpackValue = bytes;
    }
}
