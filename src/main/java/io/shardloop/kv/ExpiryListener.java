package io.shardloop.kv;

/**
 * Told of each key deleted because its deadline passed, on the thread that deleted it (client-side
 * caching's invalidations; Redis's deleteExpiredKeyAndPropagate, which signals the key as modified).
 * Called while the store's lock, or the key's, is held: it must not touch the store.
 */
@FunctionalInterface
public interface ExpiryListener {
    /** @param onLookup found by a command's own lookup of the key, rather than by the expiry cycle */
    void expired(Key key, boolean onLookup);
}
