package io.shardloop.peers;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;

/**
 * Opens N TCP connections to a server and holds them without sending a byte, so that the memory a
 * server spends on an idle connection can be read from outside. Usage:
 * {@code IdleConnections HOST:PORT N HOLD_SECONDS}. Prints {@code open K} once K connections are
 * up (K is N unless one failed, and then the reason follows), holds them for HOLD_SECONDS and
 * closes them. The caller usually stops it sooner; the hold only bounds it.
 */
public final class IdleConnections {
    public static void main(String[] args) throws Exception {
        String[] target = args[0].split(":");
        int count = Integer.parseInt(args[1]);
        long holdMillis = (long) (Double.parseDouble(args[2]) * 1000);
        InetSocketAddress address = new InetSocketAddress(target[0], Integer.parseInt(target[1]));

        List<SocketChannel> open = new ArrayList<>(count);
        String stopped = "";
        // One blocking connect at a time: a connect returns once the kernel has queued the
        // connection, so this never has more in the listen backlog than the server is behind by.
        for (int i = 0; i < count; i++) {
            try {
                open.add(SocketChannel.open(address));
            } catch (IOException e) {
                stopped = " (stopped: " + e + ")";
                break;
            }
        }
        System.out.println("open " + open.size() + stopped);
        System.out.flush();
        Thread.sleep(holdMillis);
        for (SocketChannel channel : open) {
            channel.close();
        }
    }
}
