package io.queueservice.server.idempotency;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * A redis-server of the test's own on a free port of 127.0.0.1, without persistence, to stop, restart and
 * freeze (SIGSTOP) without touching the shared one. Needs the {@code redis-server} binary (Debian package
 * redis-server, which scripts/test.sh installs when missing).
 */
final class PrivateRedis implements AutoCloseable {
    private final int port;
    private final Path dir;
    private Process process;

    private PrivateRedis(int port, Path dir) {
        this.port = port;
        this.dir = dir;
    }

    /** A free port where nothing listens yet; {@link #start()} it when the test wants Redis there. */
    static PrivateRedis onFreePort() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        return new PrivateRedis(port, Files.createTempDirectory("qs-test-redis-"));
    }

    String url() {
        return "redis://127.0.0.1:" + port + "/0";
    }

    synchronized PrivateRedis start() throws IOException {
        process = new ProcessBuilder(List.of(
                        "redis-server",
                        "--port",
                        Integer.toString(port),
                        "--bind",
                        "127.0.0.1",
                        "--save",
                        "",
                        "--appendonly",
                        "no",
                        "--dir",
                        dir.toString()))
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("redis.log").toFile())
                .start();
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline) {
            try {
                new Socket(InetAddress.getLoopbackAddress(), port).close();
                return this;
            } catch (IOException notYet) {
                if (!process.isAlive()) {
                    throw new IOException("redis-server ended at once: " + Files.readString(dir.resolve("redis.log")));
                }
                sleep(50);
            }
        }
        throw new IOException("redis-server did not listen on " + port + " within 10 s");
    }

    /** Ends it at once, as a crash would. */
    synchronized void kill() {
        if (process != null) {
            process.destroyForcibly();
            try {
                process.waitFor();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            process = null;
        }
    }

    /** SIGSTOP: it keeps its connections but answers nothing. */
    synchronized void pause() throws IOException {
        signal("STOP");
    }

    synchronized void resume() throws IOException {
        signal("CONT");
    }

    private void signal(String name) throws IOException {
        try {
            new ProcessBuilder("kill", "-" + name, Long.toString(process.pid()))
                    .start()
                    .waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while sending SIG" + name, e);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public synchronized void close() throws IOException {
        if (process != null) {
            signal("CONT");
        }
        kill();
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
