package io.shardloop.http.codec;

/** Status lines, encoded once. */
public final class HttpStatus {
    private static final byte[][] LINES = new byte[600][];
    private static final String[] REASONS = new String[600];

    static {
        reason(100, "Continue");
        reason(200, "OK");
        reason(204, "No Content");
        reason(206, "Partial Content");
        reason(304, "Not Modified");
        reason(400, "Bad Request");
        reason(401, "Unauthorized");
        reason(403, "Forbidden");
        reason(404, "Not Found");
        reason(405, "Method Not Allowed");
        reason(408, "Request Timeout");
        reason(413, "Content Too Large");
        reason(414, "URI Too Long");
        reason(416, "Range Not Satisfiable");
        reason(431, "Request Header Fields Too Large");
        reason(500, "Internal Server Error");
        reason(501, "Not Implemented");
        reason(503, "Service Unavailable");
        reason(505, "HTTP Version Not Supported");
        reason(507, "Insufficient Storage");
    }

    private HttpStatus() {
    }

    private static void reason(int status, String reason) {
        REASONS[status] = reason;
        LINES[status] = Bytes.ascii("HTTP/1.1 " + status + " " + reason + "\r\n");
    }

    public static String reason(int status) {
        return REASONS[status];
    }

    /** "HTTP/1.1 200 OK\r\n"; the status must be one listed here. */
    public static byte[] line(int status) {
        byte[] l = status >= 0 && status < LINES.length ? LINES[status] : null;
        if (l == null) {
            throw new IllegalArgumentException("status " + status + " has no reason phrase here");
        }
        return l;
    }
}
