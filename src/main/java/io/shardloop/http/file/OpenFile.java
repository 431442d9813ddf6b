package io.shardloop.http.file;

import java.nio.channels.FileChannel;

/**
 * A file opened for one response. The loop thread reads the fields and hands the channel back to
 * the {@link FileReader}; it never calls the channel itself.
 *
 * @param channel            open for reading
 * @param size               bytes, as stat'ed when opened
 * @param lastModifiedMillis modification time, as stat'ed when opened
 * @param name               the resolved file name, for its content type
 */
public record OpenFile(FileChannel channel, long size, long lastModifiedMillis, String name) {
}
