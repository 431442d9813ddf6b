package io.shardloop.runtime.os;

/**
 * What statx(2) said about a file.
 *
 * @param mode               type and permission bits ({@link LinuxFlags#S_IFMT} for the type)
 * @param size               bytes
 * @param lastModifiedMillis modification time, milliseconds since the epoch (0 where the file
 *                           system keeps none)
 */
public record FileStatus(int mode, long size, long lastModifiedMillis) {
    public boolean isRegularFile() {
        return (mode & LinuxFlags.S_IFMT) == LinuxFlags.S_IFREG;
    }

    public boolean isDirectory() {
        return (mode & LinuxFlags.S_IFMT) == LinuxFlags.S_IFDIR;
    }

    public boolean isSymbolicLink() {
        return (mode & LinuxFlags.S_IFMT) == LinuxFlags.S_IFLNK;
    }
}
