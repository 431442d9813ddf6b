package io.shardloop.resp;

import java.net.InetSocketAddress;
import java.net.SocketAddress;

/**
 * One client's line of CLIENT LIST and CLIENT INFO, with Redis 7.0's fields in Redis's order
 * (networking.c's catClientInfoString). Fields this server has no figure for say so with the value
 * Redis gives a client without one: fd -1 (the JVM does not show a socket's descriptor), argv-mem
 * and multi-mem 0 (arguments are parsed in place, queued commands are not measured), redir -1 (no
 * tracking). qbuf is the input read and not yet parsed, tot-mem every byte the connection's
 * buffers hold.
 */
public final class ClientLine {
    private ClientLine() {
    }

    /** The line, without its line feed. */
    public static String of(ClientHandle c, long nowMillis) {
        Session s = c.session();
        int multi = c.queuedInMulti();
        long qbuf = c.queryBufferBytes();
        long omem = c.outputBytes();
        StringBuilder b = new StringBuilder(256);
        b.append("id=").append(s.id())
                .append(" addr=").append(address(c.remoteAddress()))
                .append(" laddr=").append(address(c.localAddress()))
                .append(" fd=-1")
                .append(" name=").append(s.name())
                .append(" age=").append((nowMillis - s.createdMillis()) / 1000)
                .append(" idle=").append((nowMillis - s.lastCommandMillis()) / 1000)
                .append(" flags=").append(flags(s, multi))
                .append(" db=").append(s.db())
                .append(" sub=").append(s.channels())
                .append(" psub=").append(s.patterns())
                .append(" ssub=").append(s.shardChannels())
                .append(" multi=").append(multi)
                .append(" qbuf=").append(qbuf)
                .append(" qbuf-free=0")
                .append(" argv-mem=0")
                .append(" multi-mem=0")
                .append(" obl=0")
                .append(" oll=").append(c.repliesInLine())
                .append(" omem=").append(omem)
                .append(" tot-mem=").append(c.memory())
                .append(" events=").append(omem > 0 ? "rw" : "r")
                .append(" cmd=").append(s.lastCommand())
                .append(" user=default")
                .append(" redir=-1")
                .append(" resp=").append(s.protocol());
        return b.toString();
    }

    /** Redis's flags letters for what this server has: x in a MULTI, P subscribed, e no-evict; N for none. */
    private static String flags(Session s, int multi) {
        StringBuilder f = new StringBuilder(4);
        if (s.subscribed()) {
            f.append('P');
        }
        if (multi >= 0) {
            f.append('x');
        }
        if (s.noEvict()) {
            f.append('e');
        }
        return f.isEmpty() ? "N" : f.toString();
    }

    /** ip:port as Redis writes it (anet.c's formatAddr: an IPv6 address in brackets). */
    public static String address(SocketAddress a) {
        if (a instanceof InetSocketAddress inet && inet.getAddress() != null) {
            String ip = inet.getAddress().getHostAddress();
            return (ip.indexOf(':') >= 0 ? "[" + ip + "]" : ip) + ":" + inet.getPort();
        }
        return "?:0";
    }
}
