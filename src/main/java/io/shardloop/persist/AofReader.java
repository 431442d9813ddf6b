package io.shardloop.persist;

import io.shardloop.resp.codec.CommandArgs;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads an append-only file (RESP commands, as Redis writes its AOF) into records: one command,
 * or the commands between MULTI and EXEC, delivered only once whole. Lines that start with
 * {@code #} between commands are annotations (Redis's {@code #TS:} timestamps) and are skipped, as
 * Redis's loader skips them. It tells apart a file that a crash cut short (it ends inside a
 * command, or inside a MULTI: {@link Outcome#truncatedAt}, the offset where the last whole record
 * ends, as Redis's loader reverts an unfinished MULTI) from one that is damaged before its end
 * ({@link CorruptException}, with the offset).
 * <p>
 * {@link #analyze} is the same reading for {@code shardloop check-aof}: where the good part ends
 * (offset and line, as redis-check-aof's {@code ok_up_to} and {@code ok_up_to_line}), what is wrong
 * after it, and whether a whole command follows the damage, which tells a torn or garbage tail
 * (cutting it loses nothing whole) from damage in the middle.
 * <p>
 * An annotation belongs to the record after it, which then starts where the annotation does, and
 * a file that ends after an annotation is cut short there; a settled mark ({@link #STANDALONE})
 * belongs to none. {@link #scan} reports each record's
 * start and annotation without keeping its commands ({@link TransactionCut} finds the parts of
 * transactions over several shards so).
 * <p>
 * Streams: the file is read through a buffer, never whole. Single-threaded.
 */
public final class AofReader {
    /** Gets where each whole record starts and its annotation (the line without {@code #} and CRLF), or null. */
    @FunctionalInterface
    public interface Positions {
        void record(long start, String annotation) throws IOException;

        /** An annotation that stands alone ({@link #STANDALONE}), at {@code start}. */
        default void standalone(long start, String annotation) throws IOException {
            record(start, annotation);
        }
    }

    /**
     * The start of an annotation that belongs to no record (a settled mark, {@link TransactionCut}):
     * reported where it is ({@link Positions#standalone}) and not carried to the record after it.
     */
    public static final String STANDALONE = "SETTLED:";

    /** The longest annotation line read; a longer one is damage. */
    private static final int MAX_ANNOTATION = 1024;

    /** Gets each whole record; its commands are valid during the call only. */
    @FunctionalInterface
    public interface Visitor {
        void record(List<CommandArgs> commands, boolean transaction);
    }

    /** How a file ended: whole, or cut short after {@code truncatedAt} good bytes (-1: whole). */
    public record Outcome(long records, long truncatedAt, long size) {
        public boolean truncated() {
            return truncatedAt >= 0;
        }
    }

    /**
     * What {@link #analyze} found in one file.
     *
     * @param size              the file's bytes
     * @param okUpTo            where the last whole record ends (the size when the file is valid)
     * @param okUpToLine        the line (from 1, counting the lines of the RESP framing) {@code okUpTo} is on
     * @param damageAt          where the damage was found (-1: none)
     * @param damage            what is wrong there, or null when the file is valid
     * @param wholeCommandAfter the offset of the first whole command after the damage, or -1 when
     *                          none follows it (the damage is the file's tail)
     */
    public record Analysis(long size, long okUpTo, long okUpToLine, long damageAt, String damage, long wholeCommandAfter) {
        public boolean valid() {
            return damage == null;
        }
    }

    /** A file damaged before its end: start-up stops, naming it and the offset. */
    public static final class CorruptException extends IOException {
        private final long offset;
        private final String why;

        CorruptException(Path file, long offset, String why) {
            super("Bad file format reading the append only file " + file + " at offset " + offset + ": " + why);
            this.offset = offset;
            this.why = why;
        }

        public long offset() {
            return offset;
        }

        /** What was wrong, without the file and the offset. */
        public String why() {
            return why;
        }
    }

    private final Path path;
    private final long size;
    private InputStream in;
    private long position;
    /** The line {@link #position} is on: one more for each CRLF of the framing and each annotation. */
    private long line = 1;
    private long commandStart;
    private long recordStart;
    private long recordLine = 1;
    private boolean inMulti;
    /** Where the command the file ends inside starts; -1 while none. */
    private long tornAt = -1;

    private AofReader(Path path) throws IOException {
        this.path = path;
        this.size = Files.size(path);
    }

    /** Reads {@code file}, giving every whole record to {@code visitor}. */
    public static Outcome read(Path file, Visitor visitor) throws IOException {
        return new AofReader(file).run(visitor, null);
    }

    /**
     * Reads {@code file} for where its records start and their annotations, checking its form as
     * {@link #read} does but keeping no command.
     */
    public static Outcome scan(Path file, Positions positions) throws IOException {
        return new AofReader(file).run(null, positions);
    }

    /** Reads {@code file} through and says how far it is good, as redis-check-aof does. */
    public static Analysis analyze(Path file) throws IOException {
        AofReader reader = new AofReader(file);
        Outcome outcome;
        try {
            outcome = reader.run((commands, transaction) -> { }, null);
        } catch (CorruptException e) {
            return new Analysis(reader.size, reader.recordStart, reader.recordLine, e.offset(), e.why(),
                    reader.wholeCommandAfter(reader.commandStart + 1));
        }
        if (!outcome.truncated()) {
            return new Analysis(reader.size, reader.size, reader.line, -1, null, -1);
        }
        if (reader.tornAt < 0) {
            return new Analysis(reader.size, outcome.truncatedAt(), reader.recordLine, outcome.truncatedAt(),
                    "Reached EOF before reading EXEC for MULTI", -1);
        }
        return new Analysis(reader.size, outcome.truncatedAt(), reader.recordLine, reader.tornAt,
                "the file ends inside this command, " + (reader.size - reader.tornAt) + " bytes into it",
                reader.wholeCommandAfter(reader.tornAt + 1));
    }

    private Outcome run(Visitor visitor, Positions positions) throws IOException {
        long records = 0;
        String annotation = null;
        boolean skim = visitor == null;
        List<CommandArgs> batch = new ArrayList<>();
        CommandArgs single = new CommandArgs();
        List<CommandArgs> one = new ArrayList<>(1);
        try (InputStream stream = new BufferedInputStream(Files.newInputStream(path), 1 << 16)) {
            in = stream;
            while (true) {
                commandStart = position;
                if (!inMulti && annotation == null) {
                    recordStart = commandStart;
                    recordLine = line;
                }
                int first = in.read();
                if (first < 0) {
                    break;
                }
                position++;
                if (first == '#') {
                    try {
                        String text = readAnnotation(commandStart);
                        if (inMulti) {
                            continue; // inside a MULTI it is skipped, as Redis does
                        }
                        if (text.startsWith(STANDALONE)) {
                            if (skim) {
                                positions.standalone(commandStart, text);
                            }
                        } else {
                            annotation = text;
                        }
                    } catch (EOFException cut) {
                        return new Outcome(records, recordStart, size);
                    }
                    continue;
                }
                CommandArgs cmd = inMulti && !skim ? new CommandArgs() : single;
                cmd.clear();
                try {
                    readCommand(first, cmd, commandStart, skim);
                } catch (EOFException cut) {
                    tornAt = commandStart;
                    return new Outcome(records, recordStart, size);
                }
                if (cmd.count() == 1 && cmd.is(0, "MULTI")) {
                    if (inMulti) {
                        throw new CorruptException(path, commandStart, "MULTI inside a MULTI");
                    }
                    inMulti = true;
                    batch.clear();
                } else if (cmd.count() == 1 && cmd.is(0, "EXEC")) {
                    if (!inMulti) {
                        throw new CorruptException(path, commandStart, "EXEC without MULTI");
                    }
                    inMulti = false;
                    if (skim) {
                        positions.record(recordStart, annotation);
                    } else {
                        visitor.record(batch, true);
                    }
                    annotation = null;
                    records++;
                } else if (inMulti) {
                    if (!skim) {
                        batch.add(cmd);
                    }
                } else {
                    if (skim) {
                        positions.record(recordStart, annotation);
                    } else {
                        one.clear();
                        one.add(cmd);
                        visitor.record(one, false);
                    }
                    annotation = null;
                    records++;
                }
            }
        }
        return new Outcome(records, inMulti || annotation != null ? recordStart : -1, size);
    }

    /** The rest of an annotation line after its {@code #}, without its line end. */
    private String readAnnotation(long start) throws IOException {
        StringBuilder text = new StringBuilder();
        while (true) {
            int b = next();
            if (b == '\n') {
                line++;
                int end = text.length();
                return text.substring(0, end > 0 && text.charAt(end - 1) == '\r' ? end - 1 : end);
            }
            if (text.length() == MAX_ANNOTATION) {
                throw new CorruptException(path, start, "an annotation line longer than " + MAX_ANNOTATION + " bytes");
            }
            text.append((char) b);
        }
    }

    /**
     * Reads one command into {@code cmd}; when skimming, only a command of one short argument is
     * kept (enough to tell MULTI and EXEC), the others' bytes are skipped.
     */
    private void readCommand(int first, CommandArgs cmd, long start, boolean skim) throws IOException {
        if (first != '*') {
            throw new CorruptException(path, start, "expected '*' at the start of a command, found byte " + first);
        }
        long argc = readNumber(start);
        if (argc < 1 || argc > Integer.MAX_VALUE) {
            throw new CorruptException(path, start, "a command of " + argc + " arguments");
        }
        for (long i = 0; i < argc; i++) {
            long at = position;
            int b = next();
            if (b != '$') {
                throw new CorruptException(path, at, "expected '$' before an argument, found byte " + b);
            }
            long length = readNumber(at);
            if (length < 0 || length > Integer.MAX_VALUE - 16) {
                throw new CorruptException(path, at, "an argument of " + length + " bytes");
            }
            if (length > size - position) {
                throw new EOFException(); // the file ends inside it: nothing to read it into
            }
            byte[] bytes = null;
            if (skim && (argc > 1 || length > 5)) {
                skip(length);
            } else {
                bytes = in.readNBytes((int) length);
                position += bytes.length;
                if (bytes.length < length) {
                    throw new EOFException();
                }
            }
            if (next() != '\r' || next() != '\n') {
                throw new CorruptException(path, position - 2, "an argument not followed by CRLF");
            }
            line++;
            if (bytes != null) {
                cmd.add(bytes, 0, bytes.length);
            }
        }
    }

    private void skip(long length) throws IOException {
        long left = length;
        while (left > 0) {
            long skipped = in.skip(left);
            if (skipped <= 0) {
                if (in.read() < 0) {
                    throw new EOFException();
                }
                skipped = 1;
            }
            left -= skipped;
        }
        position += length;
    }

    /** The decimal number up to CRLF. */
    private long readNumber(long start) throws IOException {
        long n = 0;
        int digits = 0;
        boolean negative = false;
        while (true) {
            int b = next();
            if (b == '\r') {
                if (next() != '\n') {
                    throw new CorruptException(path, position - 1, "CR not followed by LF");
                }
                if (digits == 0) {
                    throw new CorruptException(path, start, "a count without digits");
                }
                line++;
                return negative ? -n : n;
            }
            if (b == '-' && digits == 0 && !negative) {
                negative = true;
            } else if (b >= '0' && b <= '9' && digits < 19) {
                n = n * 10 + (b - '0');
                digits++;
            } else {
                throw new CorruptException(path, position - 1, "not a digit in a count: byte " + b);
            }
        }
    }

    private int next() throws IOException {
        int b = in.read();
        if (b < 0) {
            throw new EOFException();
        }
        position++;
        return b;
    }

    /**
     * The offset of the first whole command that starts at or after {@code from}, or -1: each
     * {@code *} is tried as the start of one (not only those after an LF: the damage may be a lost LF).
     */
    private long wholeCommandAfter(long from) throws IOException {
        try (InputStream scan = new BufferedInputStream(Files.newInputStream(path), 1 << 16)) {
            scan.skipNBytes(Math.min(from, size));
            for (long at = from; at < size; at++) {
                int b = scan.read();
                if (b < 0) {
                    return -1;
                }
                if (b == '*' && isWholeCommandAt(at)) {
                    return at;
                }
            }
        }
        return -1;
    }

    private boolean isWholeCommandAt(long at) throws IOException {
        AofReader probe = new AofReader(path);
        try (InputStream stream = new BufferedInputStream(Files.newInputStream(path), 1 << 16)) {
            stream.skipNBytes(at + 1);
            probe.in = stream;
            probe.position = at + 1;
            probe.readCommand('*', new CommandArgs(), at, false);
            return true;
        } catch (EOFException | CorruptException notOne) {
            return false;
        }
    }
}
