package io.shardloop.resp;

/**
 * What the server keeps of one client between its commands: its id, the name CLIENT SETNAME or
 * HELLO SETNAME gave it, whether it has authenticated, and the database SELECT chose. {@link ConnectionCommands} reads and
 * changes it.
 * <p>
 * Owned by one connection: its shard's loop thread, or its own thread in the thread-per-connection
 * models.
 */
public final class Session {
    private final long id;
    private String name = "";
    private boolean authenticated;
    /** The database SELECT chose (0 at first and after RESET); its commands run there. */
    private int db;
    /** Its client-side caching state on the event loops; null in the models without it. */
    private io.shardloop.kv.TrackingClient tracking;

    Session(long id, boolean authenticated) {
        this.id = id;
        this.authenticated = authenticated;
    }

    public long id() {
        return id;
    }

    /** The client's name, empty when it has none. */
    public String name() {
        return name;
    }

    /** Whether the client may run commands that need authentication. */
    public boolean authenticated() {
        return authenticated;
    }

    /** The numbered database this client's commands run on. */
    public int db() {
        return db;
    }

    /** Its CLIENT TRACKING state, or null where the server model has none. */
    public io.shardloop.kv.TrackingClient tracking() {
        return tracking;
    }

    void tracking(io.shardloop.kv.TrackingClient state) {
        tracking = state;
    }

    void db(int index) {
        db = index;
    }

    void name(String newName) {
        name = newName;
    }

    void authenticated(boolean value) {
        authenticated = value;
    }
}
