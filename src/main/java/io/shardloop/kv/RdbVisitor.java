package io.shardloop.kv;

/**
 * What {@link RdbFileReader} finds in an RDB file, in file order. All the calls are made by the
 * thread that called {@link RdbFileReader#read}, one at a time; what they are given is new and the
 * visitor's to keep.
 * <p>
 * The checksum is checked at the end, after every entry has been delivered: a loader that must take
 * a file whole or not at all keeps what it was given aside until {@link #end}. Entries come as
 * they are stored, an expired one included (Redis drops those on a master when loading, keeps them
 * when loading an AOF base or as a replica): whether to keep it is the visitor's choice.
 * <pre>
 *   version  aux* (function | selectDb resizeDb? entry*)*  end
 * </pre>
 */
public interface RdbVisitor {
    /** The file's RDB version, 1 to 10, first of all. */
    default void version(int version) {
    }

    /**
     * An aux field: redis-ver, redis-bits, ctime, used-mem, aof-base, repl-id... Name and value
     * are the stored bytes, one char per byte (ISO-8859-1).
     */
    default void aux(String name, String value) {
    }

    /**
     * A function library (FUNCTION LOAD's argument: the code with its {@code #!lua name=...} line),
     * one char per byte (ISO-8859-1), as the libraries hold their code.
     */
    default void function(String code) {
    }

    /** The database the entries after this go to (Redis has 0 to 15: a larger one is for the visitor to refuse). */
    default void selectDb(int db) {
    }

    /** A hint: the keys of the selected database and how many of them expire. */
    default void resizeDb(int db, long keys, long expires) {
    }

    /**
     * A key and its value.
     *
     * @param db         the selected database (0 before any selection)
     * @param key        the key's bytes
     * @param value      the value as {@link ValueCodec} decodes it: byte[], ArrayDeque&lt;byte[]&gt;,
     *                   MemberSet, HashMap&lt;Key, byte[]&gt; or SortedSet
     * @param expireAtMs its expiry as Unix time in milliseconds, or {@link RdbFileReader#NO_EXPIRY}
     */
    void entry(int db, byte[] key, Object value, long expireAtMs);

    /**
     * The end: the checksum matched, or was 0 (written with checksums off, so not checked), or the
     * version is older than checksums.
     */
    default void end() {
    }
}
