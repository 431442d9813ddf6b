package io.shardloop.persist;

import java.io.IOException;
import java.nio.file.Path;

/** The file operations of the logs, behind one interface so that tests can make them fail. */
public interface LogFiles {
    /** Opens a file for appending, creating it when it is not there. */
    LogFile open(Path path) throws IOException;

    /** Writes a whole small file so that it is either all there or not at all (temp, fsync, rename, fsync dir). */
    void writeAtomically(Path path, byte[] content) throws IOException;

    /** Deletes a file if it is there. */
    void delete(Path path) throws IOException;

    /** Renames a file over another, atomically, and makes the rename durable (a snapshot written under a temporary name). */
    void rename(Path from, Path to) throws IOException;

    /** Makes a directory's entries (a created or renamed file) durable. */
    void syncDirectory(Path dir) throws IOException;
}
