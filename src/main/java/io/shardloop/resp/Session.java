package io.shardloop.resp;

/**
 * What the server keeps of one client between its commands: its id, the name CLIENT SETNAME or
 * HELLO SETNAME gave it, whether it has authenticated, when it connected and last sent a command
 * (and which), its database, its subscriptions, and whether its replies are sent (CLIENT REPLY).
 * {@link ConnectionCommands} reads and changes it; CLIENT LIST shows it.
 * <p>
 * Owned by one connection: its shard's loop thread, or its own thread in the thread-per-connection
 * models. CLIENT LIST from another shard reads it on that same thread (a message to the shard).
 * In the thread-per-connection models another connection's thread reads it: the fields changed
 * by a command are volatile, and the two written on every command (the last command and its time)
 * are plain, so that the hot path pays no fence; a line read from another thread may show them a
 * moment old (a reference and a 64-bit long are read whole on a 64-bit JVM).
 */
public final class Session {
    private final long id;
    private final long createdMillis;
    private volatile String name = "";
    private volatile boolean authenticated;
    private long lastCommandMillis;
    /** The last command's name as Redis shows it ("get", "client|list"), "NULL" before any. */
    private String lastCommand = "NULL";
    private volatile int db;
    /** The RESP version its replies are written in (HELLO). */
    private volatile int protocol = 2;
    private volatile int channels;
    private volatile int patterns;
    private volatile int shardChannels;
    /** CLIENT REPLY OFF. */
    private boolean repliesOff;
    /** CLIENT REPLY SKIP: the next command's reply is not sent. */
    private boolean skipNext;
    /** CLIENT NO-EVICT ON: kept (and shown) only; this server evicts no clients. */
    private volatile boolean noEvict;
    /** Its client-side caching state on the event loops; null in the models without it. */
    private io.shardloop.kv.TrackingClient tracking;

    Session(long id, boolean authenticated) {
        this.id = id;
        this.authenticated = authenticated;
        this.createdMillis = System.currentTimeMillis();
        this.lastCommandMillis = createdMillis;
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

    /** The database the client's commands address (SELECT); 0 until it selects another. */
    public int db() {
        return db;
    }

    /** The RESP version of its replies, 2 or 3. */
    public int protocol() {
        return protocol;
    }

    /** When the client connected, ms since the epoch. */
    public long createdMillis() {
        return createdMillis;
    }

    /** When the client's last command arrived, ms since the epoch. */
    public long lastCommandMillis() {
        return lastCommandMillis;
    }

    public String lastCommand() {
        return lastCommand;
    }

    public int channels() {
        return channels;
    }

    public int patterns() {
        return patterns;
    }

    public int shardChannels() {
        return shardChannels;
    }

    /** Whether it is subscribed to anything (Redis's pubsub client type). */
    public boolean subscribed() {
        return channels + patterns + shardChannels > 0;
    }

    public boolean noEvict() {
        return noEvict;
    }

    /**
     * A command arrived: it becomes the last one, and the answer is whether its reply is dropped
     * (CLIENT REPLY OFF, or SKIP before it). CLIENT REPLY ON is answered even while replies are off.
     *
     * @param command the name CLIENT LIST shows ("get", "client|reply")
     */
    public boolean onCommand(String command, boolean turnsRepliesOn, long nowMillis) {
        lastCommand = command;
        lastCommandMillis = nowMillis;
        boolean drop = !turnsRepliesOn && (repliesOff || skipNext);
        skipNext = false;
        return drop;
    }

    /**
     * The one place subscriptions are counted: the subscribe commands set them, CLIENT LIST and
     * the pubsub client type read them.
     */
    public void subscriptions(int channelCount, int patternCount, int shardChannelCount) {
        channels = channelCount;
        patterns = patternCount;
        shardChannels = shardChannelCount;
    }

    /** Its CLIENT TRACKING state, set by every front end as the connection starts. */
    public io.shardloop.kv.TrackingClient tracking() {
        return tracking;
    }

    /** Set by the front end as the connection starts, on its thread. */
    public void tracking(io.shardloop.kv.TrackingClient state) {
        tracking = state;
    }

    void name(String newName) {
        name = newName;
    }

    void authenticated(boolean value) {
        authenticated = value;
    }

    void protocol(int version) {
        protocol = version;
    }

    void db(int index) {
        db = index;
    }

    /** CLIENT REPLY ON|OFF|SKIP (SKIP does nothing while replies are off, as in Redis). */
    void replyMode(String mode) {
        switch (mode) {
            case "on" -> {
                repliesOff = false;
                skipNext = false;
            }
            case "off" -> repliesOff = true;
            default -> skipNext = !repliesOff;
        }
    }

    void noEvict(boolean value) {
        noEvict = value;
    }

    /** RESET: back to a new client's state (but its id, its age and its authentication, which RESET decides). */
    void reset() {
        name = "";
        db = 0;
        protocol = 2;
        repliesOff = false;
        skipNext = false;
        noEvict = false;
    }
}
