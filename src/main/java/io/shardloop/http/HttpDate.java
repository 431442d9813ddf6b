package io.shardloop.http;

import io.shardloop.http.codec.Bytes;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Locale;

/**
 * HTTP dates (IMF-fixdate, "Sun, 06 Nov 1994 08:49:37 GMT"), and one shard's cached {@code Date}
 * value, formatted at most once a second. Owned by one shard: {@link #now()} on its loop thread only.
 */
public final class HttpDate {
    private static final DateTimeFormatter IMF_FIXDATE =
            DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US).withZone(ZoneOffset.UTC);

    private long cachedSecond = Long.MIN_VALUE;
    private byte[] cached;
    private long formats;

    /** The current date as bytes; formats when the second has changed since the last call. */
    public byte[] now() {
        long second = System.currentTimeMillis() / 1000;
        if (second != cachedSecond) {
            cached = Bytes.ascii(format(second * 1000));
            cachedSecond = second;
            formats++;
        }
        return cached;
    }

    /** How many times the value was formatted (at most once a second). */
    public long formats() {
        return formats;
    }

    public static String format(long epochMillis) {
        return IMF_FIXDATE.format(Instant.ofEpochMilli(epochMillis));
    }

    /** Epoch seconds of an IMF-fixdate, or -1 when the text is not one (such a header is ignored). */
    public static long parseSeconds(String text) {
        if (text == null) {
            return -1;
        }
        try {
            return ZonedDateTime.parse(text.trim(), IMF_FIXDATE).toEpochSecond();
        } catch (DateTimeParseException e) {
            return -1;
        }
    }
}
