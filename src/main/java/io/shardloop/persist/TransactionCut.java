package io.shardloop.persist;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.logging.Logger;

/**
 * Where each shard's log ends at start-up so that every transaction over several shards is
 * replayed whole or not at all. Each part of such a transaction is one record of its shard's log,
 * after an annotation line {@code #TX:<id>:<parts>} ({@link #annotation}; Redis's loader skips
 * {@code #} lines): the transaction's id, unique over the server's life (the load moves the ids
 * past every one in the logs, {@link #lastTransaction}), and how many shards log a part. A crash
 * may leave one shard's part on disk and not another's; then:
 * <ol>
 *   <li>a transaction is whole when all its parts are in the logs, each before its shard's cut;</li>
 *   <li>a shard's cut is at its first part of a transaction that is not whole (none: its end);</li>
 *   <li>cutting a shard drops the parts after its cut, which may break other transactions: repeat
 *       until no cut moves (cuts only move earlier, so it ends).</li>
 * </ol>
 * Each log is then a prefix of what its shard did, and the prefixes agree: a part is kept only
 * with all its partners.
 * <p>
 * <b>Settled.</b> The same computation runs live over the parts each shard has on disk
 * ({@link #settledPrefixes}): a part it keeps can never be cut by a later crash, since a crash only
 * loses what is not yet on disk and more parts on disk only move cuts later. Such parts are
 * <em>settled</em>: each shard then appends a mark naming them ({@link #settledMark},
 * {@code #SETTLED:<id>,<id>...}, a line that belongs to no record), and the loader takes a
 * transaction named by a mark in any shard's log as whole, so that a compaction may fold a part
 * into its shard's base (where no annotation is left) while a partner's part is still in another
 * shard's log. Under appendfsync always no acknowledged write lies after an unsettled part: a reply
 * made after one waits until it is settled ({@link AppendLog#afterDurable}).
 * <p>
 * Start-up only: {@link #scan} reads the shards' files on a thread each, then the cut is computed
 * and {@link #apply applied} by the calling thread, before any shard serves.
 */
public final class TransactionCut {
    private static final Logger LOG = Logger.getLogger(TransactionCut.class.getName());
    private static final String PREFIX = "TX:";
    /** The annotation of a settled mark, which stands alone ({@link AofReader#STANDALONE}). */
    private static final String SETTLED = AofReader.STANDALONE;
    /** Transactions named on one mark line: it stays well under Redis's loader's line of 1024 bytes. */
    private static final int IDS_PER_MARK = 32;

    /** One part found in a shard's log: its transaction, the transaction's part count, where its record starts. */
    record Part(long transaction, int parts, int file, long offset) {
    }

    /**
     * Where one shard's log is cut: at {@code offset} of its incremental file number {@code file},
     * the start of its part of {@code transaction}, which has {@code present} of its {@code parts}
     * parts in the logs (all of them when another shard's cut dropped one).
     */
    public record Cut(int file, long offset, long transaction, int present, int parts) {
        String why() {
            return present < parts
                    ? "transaction " + transaction + " has " + present + " of its " + parts + " parts on disk"
                    : "transaction " + transaction + " lost its part on another shard to that shard's cut";
        }
    }

    private final List<List<Path>> incrementals;
    private final Cut[] cuts;
    private final long lastTransaction;
    /** Per shard: the transactions of the parts its log keeps and no mark names yet. */
    private final List<List<Long>> unmarked;

    private TransactionCut(List<List<Path>> incrementals, Cut[] cuts, long lastTransaction, List<List<Long>> unmarked) {
        this.incrementals = incrementals;
        this.cuts = cuts;
        this.lastTransaction = lastTransaction;
        this.unmarked = unmarked;
    }

    /** The annotation line before a part's record: {@code #TX:<transaction>:<parts>} and CRLF. */
    public static byte[] annotation(long transaction, int parts) {
        return ("#" + PREFIX + transaction + ":" + parts + "\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * The mark lines that name {@code transactions} as settled: {@code #SETTLED:<id>,<id>...} and
     * CRLF, at most {@value #IDS_PER_MARK} to a line.
     */
    public static byte[] settledMark(long[] transactions) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < transactions.length; i++) {
            if (i % IDS_PER_MARK == 0) {
                b.append(i == 0 ? "" : "\r\n").append('#').append(SETTLED);
            } else {
                b.append(',');
            }
            b.append(transactions[i]);
        }
        return b.append("\r\n").toString().getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * The live settlement: given each shard's unsettled parts on disk, oldest first (their
     * transactions and part counts), how many of each shard's, from its first, are settled.
     */
    public static int[] settledPrefixes(long[][] transactions, int[][] parts) {
        List<List<Part>> shards = new ArrayList<>();
        for (int s = 0; s < transactions.length; s++) {
            List<Part> list = new ArrayList<>(transactions[s].length);
            for (int i = 0; i < transactions[s].length; i++) {
                list.add(new Part(transactions[s][i], parts[s][i], 0, i));
            }
            shards.add(list);
        }
        Cut[] cuts = compute(Set.of(), shards);
        int[] settled = new int[transactions.length];
        for (int s = 0; s < settled.length; s++) {
            settled[s] = cuts[s] == null ? transactions[s].length : (int) cuts[s].offset();
        }
        return settled;
    }

    /**
     * Reads every shard's incremental files ({@code incrementals}, per shard, oldest first) for the
     * parts they hold, a thread per shard, and computes the cuts. A file damaged before its end, or
     * cut short when it is not its shard's last, stops start-up (naming it) before anything changes.
     */
    public static TransactionCut scan(List<List<Path>> incrementals) throws IOException {
        int n = incrementals.size();
        List<List<Part>> found = new ArrayList<>();
        List<Set<Long>> marked = new ArrayList<>();
        for (int s = 0; s < n; s++) {
            found.add(new ArrayList<>());
            marked.add(new HashSet<>());
        }
        ParallelShards.run("aof-scan", n, "reading the append-only files",
                shard -> scanShard(incrementals.get(shard), found.get(shard), marked.get(shard)));
        Set<Long> settled = new HashSet<>();
        for (Set<Long> m : marked) {
            settled.addAll(m);
        }
        long last = 0;
        for (List<Part> parts : found) {
            for (Part p : parts) {
                last = Math.max(last, p.transaction());
            }
        }
        Cut[] cuts = compute(settled, found);
        List<List<Long>> unmarked = new ArrayList<>();
        for (int s = 0; s < n; s++) {
            List<Long> kept = new ArrayList<>();
            List<Part> parts = found.get(s);
            for (Part p : parts) {
                if (cuts[s] != null && p.file() == cuts[s].file() && p.offset() == cuts[s].offset()) {
                    break;
                }
                if (!marked.get(s).contains(p.transaction())) {
                    kept.add(p.transaction());
                }
            }
            unmarked.add(kept);
        }
        return new TransactionCut(incrementals, cuts, last, unmarked);
    }

    private static void scanShard(List<Path> files, List<Part> into, Set<Long> marked) throws IOException {
        for (int i = 0; i < files.size(); i++) {
            Path file = files.get(i);
            if (!Files.exists(file)) {
                throw new IOException("the append-only file " + file + " its manifest names is missing");
            }
            int index = i;
            AofReader.Outcome outcome = AofReader.scan(file, (start, annotation) -> {
                if (annotation == null) {
                    return;
                }
                if (annotation.startsWith(PREFIX)) {
                    into.add(parse(file, index, start, annotation));
                } else if (annotation.startsWith(SETTLED)) {
                    parseMark(file, start, annotation, marked);
                }
            });
            if (outcome.truncated() && i < files.size() - 1) {
                throw new IOException("the append-only file " + file + " is cut short at offset "
                        + outcome.truncatedAt() + " of " + outcome.size());
            }
        }
    }

    private static Part parse(Path file, int index, long start, String annotation) throws IOException {
        int colon = annotation.indexOf(':', PREFIX.length());
        try {
            long transaction = Long.parseLong(annotation.substring(PREFIX.length(), colon));
            int parts = Integer.parseInt(annotation.substring(colon + 1));
            if (transaction > 0 && parts > 0) {
                return new Part(transaction, parts, index, start);
            }
        } catch (NumberFormatException | IndexOutOfBoundsException bad) {
            // named below
        }
        throw new AofReader.CorruptException(file, start, "a transaction annotation '#" + annotation
                + "' (expected '#" + PREFIX + "<id>:<parts>')");
    }

    private static void parseMark(Path file, long start, String annotation, Set<Long> into) throws IOException {
        try {
            for (String id : annotation.substring(SETTLED.length()).split(",")) {
                into.add(Long.parseLong(id));
            }
        } catch (NumberFormatException bad) {
            throw new AofReader.CorruptException(file, start, "a settled mark '#" + annotation
                    + "' (expected '#" + SETTLED + "<id>,<id>...')");
        }
    }

    /**
     * The cut of each shard ({@code shards}: each one's parts in log order), null where it keeps
     * all; a transaction in {@code settled} (named by a mark) is whole, whatever parts are found.
     */
    static Cut[] compute(Set<Long> settled, List<List<Part>> shards) {
        int n = shards.size();
        Map<Long, List<int[]>> where = new HashMap<>();
        int[] end = new int[n]; // per shard: the parts from this index on are dropped
        for (int s = 0; s < n; s++) {
            List<Part> parts = shards.get(s);
            end[s] = parts.size();
            for (int i = 0; i < parts.size(); i++) {
                where.computeIfAbsent(parts.get(i).transaction(), id -> new ArrayList<>()).add(new int[] {s, i});
            }
        }
        Set<Long> broken = new HashSet<>();
        ArrayDeque<Long> toCut = new ArrayDeque<>();
        for (List<Part> parts : shards) {
            for (Part p : parts) {
                if (!settled.contains(p.transaction()) && where.get(p.transaction()).size() < p.parts()
                        && broken.add(p.transaction())) {
                    toCut.add(p.transaction());
                }
            }
        }
        while (!toCut.isEmpty()) {
            for (int[] at : where.get(toCut.poll())) {
                int s = at[0];
                List<Part> parts = shards.get(s);
                for (int j = at[1]; j < end[s]; j++) {
                    long other = parts.get(j).transaction();
                    if (broken.add(other)) {
                        toCut.add(other);
                    }
                }
                end[s] = Math.min(end[s], at[1]);
            }
        }
        Cut[] cuts = new Cut[n];
        for (int s = 0; s < n; s++) {
            List<Part> parts = shards.get(s);
            if (end[s] < parts.size()) {
                Part p = parts.get(end[s]);
                cuts[s] = new Cut(p.file(), p.offset(), p.transaction(), where.get(p.transaction()).size(), p.parts());
            }
        }
        return cuts;
    }

    /** Shard {@code shard}'s cut, or null when its log is kept whole. */
    public Cut cut(int shard) {
        return cuts[shard];
    }

    /** The largest transaction id in the logs (0: none): new transactions take larger ones. */
    public long lastTransaction() {
        return lastTransaction;
    }

    /**
     * Cuts each shard's log where {@link #cut} says: the file at the cut's offset (synced), the
     * files after it to nothing, with one warning line per shard naming what was dropped. With
     * aof-load-truncated no ({@code loadTruncated} false) nothing is cut and start-up stops, as for
     * a log cut short.
     *
     * @return a note for the start-up line, or null when nothing was cut
     */
    public String apply(LogFiles files, boolean loadTruncated) throws IOException {
        int count = 0;
        for (int s = 0; s < cuts.length; s++) {
            Cut c = cuts[s];
            if (c != null && !loadTruncated) {
                throw new IOException("shard " + s + ": " + c.why() + " (cut at offset " + c.offset() + " of "
                        + incrementals.get(s).get(c.file()) + "); aof-load-truncated is no, so nothing is cut"
                        + " and start-up stops (with yes the logs are cut there)");
            }
        }
        for (int s = 0; s < cuts.length; s++) {
            Cut c = cuts[s];
            if (c == null) {
                continue;
            }
            List<Path> shardFiles = incrementals.get(s);
            long dropped = 0;
            for (int i = c.file(); i < shardFiles.size(); i++) {
                Path file = shardFiles.get(i);
                long keep = i == c.file() ? c.offset() : 0;
                try (LogFile f = files.open(file)) {
                    dropped += f.size() - keep;
                    f.truncate(keep);
                    f.force();
                }
            }
            count++;
            LOG.warning("!!! Warning: shard " + s + "'s append-only log is cut at offset " + c.offset() + " of "
                    + shardFiles.get(c.file()).getFileName() + ", dropping " + dropped + " bytes from there on: "
                    + c.why() + "; every transaction kept is whole on every shard");
        }
        return count == 0 ? null : count + (count == 1 ? " shard's log" : " shards' logs")
                + " cut at a transaction over several shards not whole on disk";
    }

    /**
     * After the replay, with the shards' files as they were read: appends to each shard's last
     * incremental file a mark naming the parts its log keeps that no mark names yet (synced), so
     * that they stay whole once a partner's part is folded into a base. A part kept at start is
     * settled: every part the logs keep has all its partners on disk.
     */
    public void markKept(LogFiles files) throws IOException {
        for (int s = 0; s < unmarked.size(); s++) {
            List<Long> ids = unmarked.get(s);
            List<Path> shardFiles = incrementals.get(s);
            if (ids.isEmpty() || shardFiles.isEmpty()) {
                continue;
            }
            long[] transactions = new long[ids.size()];
            for (int i = 0; i < transactions.length; i++) {
                transactions[i] = ids.get(i);
            }
            try (LogFile f = files.open(shardFiles.getLast())) {
                f.write(java.nio.ByteBuffer.wrap(settledMark(transactions)));
                f.force();
            }
        }
    }
}
