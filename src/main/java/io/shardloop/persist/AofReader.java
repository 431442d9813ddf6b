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
 * or the commands between MULTI and EXEC, delivered only once whole. It tells apart a file that a
 * crash cut short (it ends inside a command, or inside a MULTI: {@link Outcome#truncatedAt}, the
 * offset where the last whole record ends, as Redis's loader reverts an unfinished MULTI) from one
 * that is damaged before its end ({@link CorruptException}, with the offset).
 * <p>
 * A line that starts with {@code #} between records is an annotation, as Redis's loader skips
 * them (its {@code #TS:} lines): it belongs to the record after it, which then starts where the
 * annotation does, and a file that ends after an annotation is cut short there. {@link #scan}
 * reports each record's start and annotation without keeping its commands
 * ({@link TransactionCut} finds the parts of transactions over several shards so).
 * <p>
 * Streams: the file is read through a buffer, never whole. Single-threaded.
 */
public final class AofReader {
    /** Gets each whole record; its commands are valid during the call only. */
    @FunctionalInterface
    public interface Visitor {
        void record(List<CommandArgs> commands, boolean transaction);
    }

    /** Gets where each whole record starts and its annotation (the line without {@code #} and CRLF), or null. */
    @FunctionalInterface
    public interface Positions {
        void record(long start, String annotation) throws IOException;
    }

    /** The longest annotation line read; a longer one is damage. */
    private static final int MAX_ANNOTATION = 1024;

    /** How a file ended: whole, or cut short after {@code truncatedAt} good bytes (-1: whole). */
    public record Outcome(long records, long truncatedAt, long size) {
        public boolean truncated() {
            return truncatedAt >= 0;
        }
    }

    /** A file damaged before its end: start-up stops, naming it and the offset. */
    public static final class CorruptException extends IOException {
        private final long offset;

        CorruptException(Path file, long offset, String why) {
            super("Bad file format reading the append only file " + file + " at offset " + offset + ": " + why);
            this.offset = offset;
        }

        public long offset() {
            return offset;
        }
    }

    private final Path path;
    private InputStream in;
    private long position;

    private AofReader(Path path) {
        this.path = path;
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

    private Outcome run(Visitor visitor, Positions positions) throws IOException {
        long size = Files.size(path);
        long records = 0;
        List<CommandArgs> batch = new ArrayList<>();
        CommandArgs single = new CommandArgs();
        List<CommandArgs> one = new ArrayList<>(1);
        boolean inMulti = false;
        long recordStart = 0;
        String annotation = null;
        boolean skim = visitor == null;
        try (InputStream stream = new BufferedInputStream(Files.newInputStream(path), 1 << 16)) {
            in = stream;
            while (true) {
                long commandStart = position;
                if (!inMulti && annotation == null) {
                    recordStart = commandStart;
                }
                int first = in.read();
                if (first < 0) {
                    break;
                }
                position++;
                if (first == '#') {
                    try {
                        String line = readAnnotation(commandStart);
                        if (!inMulti) {
                            annotation = line; // inside a MULTI it is skipped, as Redis does
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
        StringBuilder line = new StringBuilder();
        while (true) {
            int b = next();
            if (b == '\n') {
                int end = line.length();
                return line.substring(0, end > 0 && line.charAt(end - 1) == '\r' ? end - 1 : end);
            }
            if (line.length() == MAX_ANNOTATION) {
                throw new CorruptException(path, start, "an annotation line longer than " + MAX_ANNOTATION + " bytes");
            }
            line.append((char) b);
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
            if (skim && (argc > 1 || length > 5)) {
                skip(length);
            } else {
                byte[] bytes = in.readNBytes((int) length);
                position += bytes.length;
                if (bytes.length < length) {
                    throw new EOFException();
                }
                cmd.add(bytes, 0, bytes.length);
            }
            if (next() != '\r' || next() != '\n') {
                throw new CorruptException(path, position - 2, "an argument not followed by CRLF");
            }
        }
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

    private int next() throws IOException {
        int b = in.read();
        if (b < 0) {
            throw new EOFException();
        }
        position++;
        return b;
    }
}
