package io.shardloop.scale;

import io.shardloop.load.LoadConfig;
import io.shardloop.baseline.ServerModel;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * One server under test as a child process, pinned with {@code taskset -c} to its CPUs: started,
 * waited for until its port answers, asked for its CPU time, stopped with SIGTERM (SIGKILL after a
 * grace period). Its output goes to a log file beside the results.
 */
final class ServerProcess implements AutoCloseable {
    private static final long READY_TIMEOUT_MILLIS = 60_000;

    private final Process process;
    private final List<String> command;
    private final int port;

    private ServerProcess(Process process, List<String> command, int port) {
        this.process = process;
        this.command = command;
        this.port = port;
    }

    /** The command that starts the target on these CPUs, serving on this port. */
    static List<String> command(ScaleConfig config, Target target, List<Integer> cpus, int port, Path workDir)
            throws IOException {
        List<String> c = new ArrayList<>();
        if (config.pin() && config.taskset() != null) {
            c.addAll(List.of(config.taskset(), "-c", join(cpus)));
        }
        int n = cpus.size();
        if (target.peer() == null) {
            c.add(config.serverJava());
            c.addAll(config.serverJvmFlags());
            c.addAll(List.of("-cp", config.classPath(), "io.shardloop.cli.Main", "serve", "--bind", "127.0.0.1",
                    "--model", target.model().label(), "--save", "")); // no snapshots, as redis-server's --save ''
            if (target.protocol() == LoadConfig.Protocol.RESP) {
                c.addAll(List.of("--protocol", "resp", "--resp-port", String.valueOf(port), "--http-port", "0",
                        "--state", target.state().name().toLowerCase(Locale.ROOT)));
            } else {
                c.addAll(List.of("--protocol", "http", "--http-port", String.valueOf(port), "--resp-port", "0"));
            }
            if (target.model() == ServerModel.LOOPS) {
                c.addAll(config.pin() ? List.of("--shards", String.valueOf(n), "--cpus", join(cpus))
                        : List.of("--shards", String.valueOf(n), "--no-pin"));
            }
        } else if (target.protocol() == LoadConfig.Protocol.RESP) {
            c.addAll(List.of(program(target), "--port", String.valueOf(port), "--bind", "127.0.0.1", "--save", "",
                    "--appendonly", "no", "--protected-mode", "no", "--daemonize", "no",
                    "--io-threads", String.valueOf(n), "--io-threads-do-reads", n > 1 ? "yes" : "no",
                    "--dir", workDir.toString()));
        } else {
            Path conf = NginxConfig.write(workDir, port, n);
            c.addAll(List.of(program(target), "-p", workDir.toString(), "-c", conf.toString(), "-e",
                    workDir.resolve("nginx-error.log").toString()));
        }
        return c;
    }

    private static String program(Target peer) throws IOException {
        String path = Which.find(peer.peer());
        if (path == null) {
            throw new IOException(peer.peer() + " is not installed");
        }
        return path;
    }

    static ServerProcess start(List<String> command, int port, Path log) throws IOException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        ServerProcess server = new ServerProcess(p, command, port);
        try {
            server.awaitReady(log);
        } catch (IOException e) {
            server.close();
            throw e;
        }
        return server;
    }

    private void awaitReady(Path log) throws IOException {
        long deadline = System.currentTimeMillis() + READY_TIMEOUT_MILLIS;
        while (System.currentTimeMillis() < deadline) {
            if (!process.isAlive()) {
                throw new IOException("the server exited with status " + process.exitValue() + " before listening: "
                        + tail(log));
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException notYet) {
                sleep(50);
            }
        }
        throw new IOException("nothing listened on port " + port + " within " + READY_TIMEOUT_MILLIS / 1000 + " s");
    }

    /** CPU time (user + system) of the server and every process under it so far, in microseconds. */
    long cpuMicros() {
        long total = CpuTime.micros(process.pid());
        for (ProcessHandle child : process.descendants().toList()) {
            total += CpuTime.micros(child.pid());
        }
        return total;
    }

    long pid() {
        return process.pid();
    }

    List<String> command() {
        return command;
    }

    @Override
    public void close() {
        process.destroy(); // SIGTERM: shardloop drains, redis and nginx exit
        try {
            if (!process.waitFor(15, TimeUnit.SECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A port nobody listens on now (the child binds it a moment later). */
    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress("127.0.0.1", 0));
            return s.getLocalPort();
        }
    }

    static String join(List<Integer> cpus) {
        return cpus.stream().map(String::valueOf).collect(Collectors.joining(","));
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join(" | ", lines.subList(Math.max(0, lines.size() - 5), lines.size()));
        } catch (IOException e) {
            return "(no log)";
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
