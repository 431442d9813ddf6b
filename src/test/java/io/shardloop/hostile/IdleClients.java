package io.shardloop.hostile;

import java.net.InetSocketAddress;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;

/**
 * A separate process holding idle connections, so that the server's process counts only its own
 * descriptors and memory: {@code IdleClients PORT COUNT} connects, prints "ready COUNT", and exits
 * when its standard input closes.
 */
public final class IdleClients {
    private IdleClients() {
    }

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        int count = Integer.parseInt(args[1]);
        List<SocketChannel> open = new ArrayList<>(count);
        InetSocketAddress address = new InetSocketAddress("127.0.0.1", port);
        for (int i = 0; i < count; i++) {
            open.add(SocketChannel.open(address));
        }
        System.out.println("ready " + open.size());
        System.out.flush();
        while (System.in.read() >= 0) {
            // Hold the connections until the test lets go.
        }
        for (SocketChannel c : open) {
            c.close();
        }
    }
}
