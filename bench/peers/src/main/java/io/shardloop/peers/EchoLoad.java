package io.shardloop.peers;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;

/**
 * A closed-loop echo client on one thread: C connections, each keeping P messages of S bytes in
 * flight, counting a message done when its bytes are back. The same client drives every echo
 * server measured, so the comparison is the servers'. Usage:
 * {@code EchoLoad HOST:PORT CONNECTIONS PIPELINE SIZE SECONDS}. Prints one line: messages, seconds,
 * messages per second.
 */
public final class EchoLoad {
    public static void main(String[] args) throws IOException {
        String[] target = args[0].split(":");
        int connections = Integer.parseInt(args[1]);
        int pipeline = Integer.parseInt(args[2]);
        int size = Integer.parseInt(args[3]);
        double seconds = Double.parseDouble(args[4]);
        InetSocketAddress address = new InetSocketAddress(target[0], Integer.parseInt(target[1]));

        Selector selector = Selector.open();
        byte[] message = new byte[size];
        for (int i = 0; i < size; i++) {
            message[i] = (byte) ('a' + i % 26);
        }
        ByteBuffer burst = ByteBuffer.allocateDirect(size * pipeline);
        for (int i = 0; i < pipeline; i++) {
            burst.put(message);
        }
        burst.flip();
        Client[] clients = new Client[connections];
        for (int i = 0; i < connections; i++) {
            SocketChannel ch = SocketChannel.open(address);
            ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
            ch.configureBlocking(false);
            clients[i] = new Client(ch, burst.duplicate(), size * pipeline);
            ch.register(selector, SelectionKey.OP_READ, clients[i]);
            clients[i].send();
        }
        ByteBuffer readBuffer = ByteBuffer.allocateDirect(1 << 16);
        long start = System.nanoTime();
        long end = start + (long) (seconds * 1e9);
        long[] received = new long[1];
        while (System.nanoTime() < end) {
            selector.select(key -> {
                Client c = (Client) key.attachment();
                try {
                    readBuffer.clear();
                    int n = c.channel.read(readBuffer);
                    if (n < 0) {
                        throw new IOException("server closed a connection");
                    }
                    received[0] += n;
                    c.pendingBytes -= n;
                    if (c.pendingBytes == 0) {
                        c.send();
                    }
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            }, 100);
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        long messages = received[0] / size;
        System.out.printf("messages=%d seconds=%.3f rate=%.0f%n", messages, elapsed, messages / elapsed);
        for (Client c : clients) {
            c.channel.close();
        }
    }

    private static final class Client {
        final SocketChannel channel;
        final ByteBuffer burst;
        final int burstBytes;
        long pendingBytes;

        Client(SocketChannel channel, ByteBuffer burst, int burstBytes) {
            this.channel = channel;
            this.burst = burst;
            this.burstBytes = burstBytes;
        }

        /** Sends one burst of P messages; small enough to leave in one write on loopback. */
        void send() throws IOException {
            burst.rewind();
            while (burst.hasRemaining()) {
                channel.write(burst);
            }
            pendingBytes = burstBytes;
        }
    }
}
