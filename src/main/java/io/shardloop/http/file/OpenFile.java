package io.shardloop.http.file;

/**
 * A file opened for one response. The loop thread reads its size, time and name and hands it back
 * to the {@link FileReader}; it never reads or closes the file itself.
 */
public final class OpenFile {
    private final FileSource source;
    private final long size;
    private final long lastModifiedMillis;
    private final String name;

    /**
     * @param source             open for reading
     * @param size               bytes, as stat'ed on the open file
     * @param lastModifiedMillis modification time, as stat'ed on the open file
     * @param name               the file name asked for, for its content type
     */
    OpenFile(FileSource source, long size, long lastModifiedMillis, String name) {
        this.source = source;
        this.size = size;
        this.lastModifiedMillis = lastModifiedMillis;
        this.name = name;
    }

    public long size() {
        return size;
    }

    public long lastModifiedMillis() {
        return lastModifiedMillis;
    }

    public String name() {
        return name;
    }

    FileSource source() {
        return source;
    }

    @Override
    public String toString() {
        return "OpenFile[" + name + ", " + size + " bytes]";
    }
}
