/*
 * Pitfalls found while building this (Debian 12, rabbitmq-server 3.10.8, Erlang/OTP 25, run as root):
 *  - Call /usr/lib/rabbitmq/bin/{rabbitmq-server,rabbitmqctl} directly: the /usr/sbin wrappers switch to the
 *    rabbitmq user and share one startup log. RABBITMQ_CONF_ENV_FILE=/dev/null keeps /etc/rabbitmq/rabbitmq-env.conf
 *    (NODENAME=rabbit@localhost of the machine's own node!) out; inherited RABBITMQ_* and ERL_* variables are dropped.
 *  - RABBITMQ_CONFIG_FILE works both with and without the ".conf" extension on 3.10; we pass the full name.
 *  - Always set RABBITMQ_DIST_PORT: the default is AMQP port + 20000, which is > 65535 for high free ports.
 *  - "-kernel inet_dist_use_interface {127,0,0,1}" works for the node (RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS) and for
 *    rabbitmqctl (RABBITMQ_CTL_ERL_ARGS); rabbitmqctl itself listens on 35672..35682 (so ports there are never used,
 *    and at most 11 rabbitmqctl calls can run at once on the machine).
 *  - "rabbitmq-server -detached" returns within milliseconds, long before the node is up; the detached beam must not
 *    inherit a pipe we read to EOF, so the script's output goes to a file. "rabbitmqctl ping" succeeds as soon as the
 *    VM is registered with epmd, before the rabbit app runs: follow it with "await_startup".
 *  - A node that cannot bind its AMQP port (eaddrinuse) dies only after ~8 s and leaves a 3 MB erl_crash.dump; one
 *    whose distribution port is taken dies at once, before writing its pid file or log, with only the crash dump
 *    ("dist_port_already_used") in its working folder. We set ERL_CRASH_DUMP and watch the pid and the dump, so a
 *    failed start is reported (with the dump's slogan and the log tail) instead of waiting for the full timeout.
 *  - "rabbitmqctl stop PIDFILE" on a node that is already stopped waits forever for the pid file to reappear: we call
 *    plain "stop" and then watch the pid we remembered ourselves (the node deletes its pid file when it stops).
 *  - rabbitmqctl prints ANSI bold escapes even into a pipe; rabbitmqctl(..) strips them.
 *  - The beam command line has no node name (3.10 starts distribution from the environment) but does hold
 *    "-home <our HOME>", which is how we recognise our own process before killing it.
 *  - A shutdown hook does not run when the JVM is SIGKILLed, so each node also gets a tiny sh watchdog that stops it
 *    and deletes its folder when the JVM that started it is gone.
 *  - A start takes 4-6 s here (ping answers after ~2.5 s; every rabbitmqctl call costs ~0.5-1 s of Erlang VM start);
 *    a stop 2.5-3 s. startAgain() gets the same AMQP and distribution ports back at once (no TIME_WAIT trouble).
 */
package io.queueservice.testing;

import com.rabbitmq.client.ConnectionFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A private RabbitMQ node for integration tests that need a broker of their own: to stop and restart it, to trigger a
 * memory alarm, to listen for TLS ({@link #startWithTls}), to kill ({@link #kill9()}) or freeze ({@link #pause()}), and
 * as a member of a {@link PrivateRabbitCluster}. The machine's own node (5672/25672) is never touched.
 *
 * <p>Each node gets its own name ({@code qs-test-<name>-<random>@<short hostname>}), free ports on 127.0.0.1 (AMQP
 * and Erlang distribution), and a temp folder holding its config, data, logs, pid file and a {@code HOME} with its
 * Erlang cookie. All nodes started by one JVM share one random cookie, so they could later be clustered.
 *
 * <pre>{@code
 * try (PrivateRabbitNode node = PrivateRabbitNode.start("alarm")) {
 *     node.rabbitmqctl("set_vm_memory_high_watermark", "0");
 *     // connect to node.amqpUrl() ...
 * }
 * }</pre>
 *
 * <p>Every wait is bounded; nodes left running when the JVM exits are stopped by a shutdown hook (and by a watchdog
 * process if the JVM is killed). Set the system property {@code qs.test.keepRabbitDirs=true} to keep the folders
 * (logs!) after {@link #close()}.
 */
public final class PrivateRabbitNode implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(PrivateRabbitNode.class);

    private static final Path BIN = Path.of("/usr/lib/rabbitmq/bin");
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration CTL_TIMEOUT = Duration.ofSeconds(60);
    private static final String LOCALHOST_ONLY = "-kernel inet_dist_use_interface {127,0,0,1}";
    private static final boolean KEEP_DIRS = Boolean.getBoolean("qs.test.keepRabbitDirs");

    private static final SecureRandom RANDOM = new SecureRandom();
    /** One cookie per JVM: nodes of one test run can talk to each other, other runs' nodes cannot. */
    private static final String COOKIE = randomCookie();

    private static final Set<PrivateRabbitNode> LIVE = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(PrivateRabbitNode::killAllLeftovers, "private-rabbit-reaper"));
    }

    private final String nodeName;
    private final int amqpPort;
    private final int distPort;
    private final int managementPort; // 0 without the management plugin
    private final int tlsPort; // 0 without a TLS listener
    private final Path dir;
    private final Path home;
    private final Path pidFile;
    private final Path logFile;
    private final Path crashDump;
    private final Map<String, String> env;

    private volatile long pid = -1;
    private volatile Process watchdog;
    private volatile boolean running;
    private volatile boolean closed;
    private volatile boolean paused;

    /**
     * A TLS listener (AMQP over TLS, "amqps") for {@link #startWithTls}, beside the plain one.
     *
     * @param caFile the CA certificates (PEM) client certificates must chain to
     * @param certFile the node's certificate (PEM); clients check it against the host name they connect to
     * @param keyFile its private key (PEM)
     * @param requireClientCertificate refuse clients without a certificate ({@code fail_if_no_peer_cert});
     *     a certificate that is sent is always verified ({@code verify_peer})
     * @param externalLogin offer SASL EXTERNAL (plugin {@code rabbitmq_auth_mechanism_ssl}): the client
     *     certificate's common name is the user name; PLAIN stays available
     */
    public record TlsListener(
            Path caFile, Path certFile, Path keyFile, boolean requireClientCertificate, boolean externalLogin) {

        List<String> confLines(int port) {
            List<String> lines = new ArrayList<>(List.of(
                    "listeners.ssl.1 = 127.0.0.1:" + port,
                    "ssl_options.cacertfile = " + caFile.toAbsolutePath(),
                    "ssl_options.certfile = " + certFile.toAbsolutePath(),
                    "ssl_options.keyfile = " + keyFile.toAbsolutePath(),
                    "ssl_options.verify = verify_peer",
                    "ssl_options.fail_if_no_peer_cert = " + requireClientCertificate));
            if (externalLogin) {
                lines.addAll(List.of(
                        "auth_mechanisms.1 = PLAIN",
                        "auth_mechanisms.2 = AMQPLAIN",
                        "auth_mechanisms.3 = EXTERNAL",
                        "ssl_cert_login_from = common_name"));
            }
            return lines;
        }
    }

    private PrivateRabbitNode(
            String name, List<String> extraConfLines, String advancedConfig, boolean management, TlsListener tls)
            throws IOException {
        String safe = name.replaceAll("[^A-Za-z0-9_-]", "_");
        if (safe.length() > 30) {
            safe = safe.substring(0, 30);
        }
        this.nodeName =
                "qs-test-" + safe + "-" + HexFormat.of().toHexDigits((short) RANDOM.nextInt()) + "@" + ShortHost.NAME;
        int[] ports = FreePorts.several(4);
        this.amqpPort = ports[0];
        this.distPort = ports[1];
        this.managementPort = management ? ports[2] : 0;
        this.tlsPort = tls != null ? ports[3] : 0;
        this.dir = Files.createTempDirectory("qs-test-" + safe + "-");
        this.home = Files.createDirectories(dir.resolve("home"));
        this.pidFile = dir.resolve("node.pid");
        Path mnesia = Files.createDirectories(dir.resolve("mnesia"));
        Path logs = Files.createDirectories(dir.resolve("log"));
        this.logFile = logs.resolve(nodeName + ".log");
        this.crashDump = logs.resolve("erl_crash.dump");

        Path cookie = home.resolve(".erlang.cookie");
        Files.writeString(cookie, COOKIE, StandardCharsets.US_ASCII);
        Files.setPosixFilePermissions(cookie, PosixFilePermissions.fromString("r--------"));

        List<String> conf = new ArrayList<>();
        conf.add("listeners.tcp.1 = 127.0.0.1:" + amqpPort);
        conf.add("loopback_users.guest = true");
        if (management) {
            conf.add("management.tcp.ip = 127.0.0.1");
            conf.add("management.tcp.port = " + managementPort);
        }
        if (tls != null) {
            conf.addAll(tls.confLines(tlsPort));
        }
        conf.addAll(extraConfLines);
        Path confFile = dir.resolve("rabbitmq.conf");
        Files.write(confFile, conf, StandardCharsets.UTF_8);
        Path advanced = Files.writeString(dir.resolve("advanced.config"), advancedConfig);
        List<String> pluginNames = new ArrayList<>();
        if (management) {
            pluginNames.add("rabbitmq_management");
        }
        if (tls != null && tls.externalLogin()) {
            pluginNames.add("rabbitmq_auth_mechanism_ssl");
        }
        Path plugins = Files.writeString(dir.resolve("enabled_plugins"), "[" + String.join(",", pluginNames) + "].\n");

        Map<String, String> e = new java.util.HashMap<>(System.getenv());
        e.keySet().removeIf(k -> k.startsWith("RABBITMQ_") || k.startsWith("ERL_") || k.startsWith("ELIXIR_"));
        e.put("HOME", home.toString());
        e.put("PATH", e.getOrDefault("PATH", "") + ":/usr/local/bin:/usr/bin:/bin");
        e.put("LC_ALL", "C.UTF-8");
        e.put("LANG", "C.UTF-8");
        e.put("ERL_CRASH_DUMP", crashDump.toString());
        e.put("ERL_EPMD_ADDRESS", "127.0.0.1"); // only matters if this node has to start epmd itself
        e.put("RABBITMQ_CONF_ENV_FILE", "/dev/null");
        e.put("RABBITMQ_NODENAME", nodeName);
        e.put("RABBITMQ_NODE_PORT", Integer.toString(amqpPort));
        e.put("RABBITMQ_DIST_PORT", Integer.toString(distPort));
        e.put("RABBITMQ_MNESIA_BASE", mnesia.toString());
        e.put("RABBITMQ_LOG_BASE", logs.toString());
        e.put("RABBITMQ_CONFIG_FILE", confFile.toString());
        e.put("RABBITMQ_ADVANCED_CONFIG_FILE", advanced.toString());
        e.put("RABBITMQ_ENABLED_PLUGINS_FILE", plugins.toString());
        e.put("RABBITMQ_PID_FILE", pidFile.toString());
        e.put("RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS", LOCALHOST_ONLY);
        e.put("RABBITMQ_CTL_ERL_ARGS", LOCALHOST_ONLY);
        this.env = Map.copyOf(e);
    }

    /**
     * Starts a new private node and waits (at most about a minute) until it accepts AMQP connections.
     *
     * @param name short label for the node name and folder, e.g. the test class ("restart", "alarm")
     */
    public static PrivateRabbitNode start(String name) {
        return start(name, List.of());
    }

    /**
     * Starts a new private node with extra {@code rabbitmq.conf} lines (e.g. a TLS listener) and waits until it accepts
     * AMQP connections on {@link #amqpPort()}. If the node fails to bind its freshly chosen ports (another process took
     * them meanwhile), it is retried with new ports, up to three times.
     *
     * @throws IllegalStateException if the node does not come up; the message holds the tail of its log
     */
    public static PrivateRabbitNode start(String name, List<String> extraConfLines) {
        return start(name, extraConfLines, false, null);
    }

    /** Starts a new private node with the management plugin (HTTP API on {@link #managementUrl()}). */
    public static PrivateRabbitNode startWithManagement(String name) {
        return start(name, List.of(), true, null);
    }

    /** Starts a new private node that also listens for AMQP over TLS on {@link #tlsPort()}. */
    public static PrivateRabbitNode startWithTls(String name, TlsListener tls) {
        return start(name, List.of(), false, tls);
    }

    /**
     * A node to be joined into a cluster by {@link PrivateRabbitCluster}, with the settings of {@code
     * scripts/cluster-node/} that {@code scripts/cluster.sh} gives its nodes too: {@code pause_minority} partition
     * handling, and {@code net_ticktime} 15 with aten polling every second, so that a paused node is noticed in about
     * 20 s instead of 60+. All nodes of one JVM share one Erlang cookie.
     */
    static PrivateRabbitNode startClusterMember(String name) {
        return start(
                name, clusterSetting("rabbitmq.conf").lines().toList(), clusterSetting("advanced.config"), false, null);
    }

    /** A file of scripts/cluster-node/, which the build copies beside this class. */
    private static String clusterSetting(String file) {
        String resource = "cluster-node/" + file;
        try (var in = PrivateRabbitNode.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException(resource + " is not on the test classpath: the build copies it from"
                        + " scripts/cluster-node/ (see queue-service-core/pom.xml)");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + resource, e);
        }
    }

    private static PrivateRabbitNode start(
            String name, List<String> extraConfLines, boolean management, TlsListener tls) {
        return start(name, extraConfLines, "[].\n", management, tls);
    }

    private static PrivateRabbitNode start(
            String name, List<String> extraConfLines, String advancedConfig, boolean management, TlsListener tls) {
        IllegalStateException last = null;
        for (int attempt = 1; attempt <= 3; attempt++) {
            PrivateRabbitNode node;
            try {
                node = new PrivateRabbitNode(name, List.copyOf(extraConfLines), advancedConfig, management, tls);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot prepare a private RabbitMQ node", e);
            }
            try {
                node.boot();
                return node;
            } catch (RuntimeException | Error e) {
                node.close();
                if (!(e instanceof PortClash clash)) {
                    throw e;
                }
                last = clash;
                LOG.warn("Private RabbitMQ node {} could not bind its ports, retrying with new ones", node.nodeName);
            }
        }
        throw last;
    }

    /** The AMQP port on 127.0.0.1; it stays the same across {@link #stop()} and {@link #startAgain()}. */
    public int amqpPort() {
        return amqpPort;
    }

    /** {@code amqp://guest:guest@127.0.0.1:<amqpPort>} (guest may connect because we use the loopback address). */
    public String amqpUrl() {
        return "amqp://guest:guest@127.0.0.1:" + amqpPort;
    }

    /** The AMQP-over-TLS port on 127.0.0.1, for nodes started with {@link #startWithTls}. */
    public int tlsPort() {
        if (tlsPort == 0) {
            throw new IllegalStateException("this node was started without a TLS listener");
        }
        return tlsPort;
    }

    /** {@code http://127.0.0.1:<port>} of the management plugin, for nodes started with it. */
    public String managementUrl() {
        if (managementPort == 0) {
            throw new IllegalStateException("this node was started without the management plugin");
        }
        return "http://127.0.0.1:" + managementPort;
    }

    /** The Erlang node name, e.g. {@code qs-test-restart-1a2b@myhost}. */
    public String nodeName() {
        return nodeName;
    }

    /** The node's temp folder (config, {@code mnesia/}, {@code log/}, {@code home/}); gone after {@link #close()}. */
    public Path directory() {
        return dir;
    }

    /**
     * Stops the node (rabbitmqctl stop, then SIGTERM/SIGKILL if it does not go within 30 s) and keeps its data folder,
     * so {@link #startAgain()} finds its durable queues and persistent messages. Does nothing if it is not running.
     */
    public synchronized void stop() {
        if (!running) {
            return;
        }
        if (paused) {
            resume(); // a stopped VM cannot answer rabbitmqctl stop
        }
        running = false;
        long t0 = System.nanoTime();
        readPid().ifPresent(p -> pid = p);
        if (pid > 0 && !alive(pid)) {
            stopWatchdog();
            return; // died by itself (e.g. a failed start)
        }
        try {
            ctl(STOP_TIMEOUT, "stop");
        } catch (RuntimeException e) {
            LOG.warn(
                    "rabbitmqctl stop failed for {}, killing it: {}",
                    nodeName,
                    e.getMessage().lines().findFirst().orElse(""));
        }
        if (!awaitExit(pid, STOP_TIMEOUT)) {
            LOG.warn("Node {} (pid {}) still running after rabbitmqctl stop, killing it", nodeName, pid);
            kill(pid);
        }
        stopWatchdog();
        LOG.info(
                "Stopped private RabbitMQ node {} in {} ms",
                nodeName,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
    }

    /** Starts the stopped node again on the same ports with the same data and waits until it accepts AMQP connections. */
    public synchronized void startAgain() {
        if (closed) {
            throw new IllegalStateException("node " + nodeName + " is closed");
        }
        if (running) {
            throw new IllegalStateException("node " + nodeName + " is already running");
        }
        try {
            boot();
        } catch (RuntimeException | Error e) {
            killQuietly();
            throw e;
        }
    }

    /** {@link #stop()} followed by {@link #startAgain()}. */
    public synchronized void restart() {
        stop();
        startAgain();
    }

    /**
     * Runs {@code rabbitmqctl -n <node> args...} against this node (at most 60 s) and returns its standard output,
     * without ANSI escapes. Example: {@code rabbitmqctl("set_vm_memory_high_watermark", "0")}.
     *
     * @throws IllegalStateException on a non-zero exit or timeout, with the command's output in the message
     */
    public String rabbitmqctl(String... args) {
        return ctl(CTL_TIMEOUT, args);
    }

    /**
     * Kills the node with SIGKILL, as a crash or an OOM killer would: no clean shutdown, its data folder stays, so
     * {@link #startAgain()} brings it back with its name, ports and data (in a cluster it rejoins by itself).
     *
     * @return when the signal was sent
     * @throws IllegalStateException if it is not running
     */
    public synchronized java.time.Instant kill9() {
        readPid().ifPresent(p -> pid = p);
        if (!running || pid <= 0 || !alive(pid)) {
            throw new IllegalStateException("node " + nodeName + " is not running");
        }
        long victim = pid;
        ProcessHandle.of(victim).ifPresent(ProcessHandle::destroyForcibly);
        java.time.Instant killedAt = java.time.Instant.now();
        if (!awaitExit(victim, Duration.ofSeconds(10))) {
            throw new IllegalStateException("node " + nodeName + " (pid " + victim + ") survived SIGKILL");
        }
        running = false;
        paused = false;
        stopWatchdog();
        deleteQuietly(pidFile); // else startAgain() would take the dead pid for a failed start
        LOG.info("Killed private RabbitMQ node {} (pid {}) with SIGKILL", nodeName, victim);
        return killedAt;
    }

    /**
     * Freezes the node's VM with SIGSTOP, as a long GC pause, a suspended VM or a stalled disk would: its sockets stay
     * open but nothing answers. {@link #resume()} continues it; {@link #stop()} and {@link #close()} resume it first.
     *
     * @return when the node was frozen (the kill command had returned)
     */
    public synchronized java.time.Instant pause() {
        readPid().ifPresent(p -> pid = p);
        if (!running || pid <= 0 || !alive(pid)) {
            throw new IllegalStateException("node " + nodeName + " is not running");
        }
        signal("STOP");
        java.time.Instant pausedAt = java.time.Instant.now();
        paused = true;
        LOG.info("Paused private RabbitMQ node {} (pid {}) with SIGSTOP", nodeName, pid);
        return pausedAt;
    }

    /** Continues a node frozen by {@link #pause()} (SIGCONT). */
    public synchronized void resume() {
        if (paused) {
            signal("CONT");
            paused = false;
            LOG.info("Resumed private RabbitMQ node {} (pid {}) with SIGCONT", nodeName, pid);
        }
    }

    /** The last {@code lines} lines of the node's log, for failure messages. */
    public String logTail(int lines) {
        return tail(logFile, lines);
    }

    /** True between a successful start and {@link #stop()} or {@link #kill9()} (also while paused). */
    public boolean isRunning() {
        return running;
    }

    /** True while frozen by {@link #pause()}. */
    public boolean isPaused() {
        return paused;
    }

    /** The OS process id of the node's Erlang VM, or -1 when unknown (not started). */
    public long pid() {
        readPid().ifPresent(p -> pid = p);
        return pid;
    }

    private void signal(String name) {
        if (pid <= 0 || !alive(pid)) {
            return;
        }
        try {
            Process p = new ProcessBuilder("kill", "-" + name, Long.toString(pid))
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
            if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException("kill -" + name + " " + pid + " failed");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run kill -" + name, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while sending SIG" + name, e);
        }
    }

    /** Stops the node if it runs and deletes its folder. Safe to call twice. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        try {
            stop();
        } finally {
            closed = true;
            LIVE.remove(this);
            deleteDir();
        }
    }

    @Override
    public String toString() {
        return "PrivateRabbitNode[" + nodeName + ", amqp 127.0.0.1:" + amqpPort + ", dist " + distPort + ", " + dir
                + "]";
    }

    // ----------------------------------------------------------------------------------------------------------------

    private void boot() {
        long t0 = System.nanoTime();
        long deadline = t0 + START_TIMEOUT.toNanos();
        LIVE.add(this);
        pid = -1;
        deleteQuietly(crashDump); // a dump from an earlier run must not make this start look failed
        running = true; // from here on stop()/close()/the shutdown hook clean up
        LOG.info(
                "Starting private RabbitMQ node {}: AMQP 127.0.0.1:{}, distribution 127.0.0.1:{}, folder {}",
                nodeName,
                amqpPort,
                distPort,
                dir);

        ExecResult script = exec(
                Duration.ofSeconds(30), List.of(BIN.resolve("rabbitmq-server").toString(), "-detached"));
        if (script.exitCode != 0) {
            throw failure("rabbitmq-server -detached exited with " + script.exitCode + ": " + script.output());
        }

        // 1. wait until the VM answers ping (it is registered with epmd), noticing early if it died
        while (true) {
            readPid().ifPresent(p -> pid = p);
            if (exec(Duration.ofSeconds(15), ctlCommand("ping")).exitCode == 0) {
                break;
            }
            if ((pid > 0 && !alive(pid)) || Files.exists(crashDump)) {
                throw failure("node died while starting");
            }
            if (System.nanoTime() > deadline) {
                throw failure("node did not answer ping within " + START_TIMEOUT.toSeconds() + " s");
            }
            sleep(300);
        }
        readPid().ifPresent(p -> pid = p);

        // 2. wait until the rabbit app has booted
        long left = Math.max(5, TimeUnit.NANOSECONDS.toSeconds(deadline - System.nanoTime()));
        ExecResult await =
                exec(Duration.ofSeconds(left + 5), ctlCommand("await_startup", "--timeout", Long.toString(left)));
        if (await.exitCode != 0) {
            readPid().ifPresent(p -> pid = p);
            throw failure(
                    (pid > 0 && !alive(pid)) || Files.exists(crashDump)
                            ? "node died while starting"
                            : "rabbitmqctl await_startup failed: " + await.output());
        }

        // 3. wait until it accepts AMQP connections
        ConnectionFactory factory = new ConnectionFactory();
        factory.setHost("127.0.0.1");
        factory.setPort(amqpPort);
        factory.setConnectionTimeout(2000);
        factory.setHandshakeTimeout(5000);
        factory.setAutomaticRecoveryEnabled(false);
        while (true) {
            try {
                factory.newConnection("private-rabbit-node-probe").close();
                break;
            } catch (Exception e) {
                if (System.nanoTime() > deadline) {
                    throw failure("node did not accept AMQP connections on 127.0.0.1:" + amqpPort + ": " + e);
                }
                sleep(200);
            }
        }
        startWatchdog();
        LOG.info(
                "Private RabbitMQ node {} (pid {}) is up after {} ms: {}",
                nodeName,
                pid,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0),
                amqpUrl());
    }

    /** A start failed because one of the node's own ports was taken meanwhile; start() retries with new ports. */
    private static final class PortClash extends IllegalStateException {
        private static final long serialVersionUID = 1L;

        PortClash(String message) {
            super(message);
        }
    }

    private IllegalStateException failure(String what) {
        String log = read(logFile);
        String slogan = read(crashDump)
                .lines()
                .filter(l -> l.startsWith("Slogan:"))
                .findFirst()
                .orElse("");
        boolean clash = log.contains("," + amqpPort + "},eaddrinuse")
                || log.contains("could_not_start_listener,\"127.0.0.1\"," + amqpPort + ",")
                || (tlsPort != 0 && log.contains("could_not_start_listener,\"127.0.0.1\"," + tlsPort + ","))
                || slogan.contains("dist_port_already_used");
        String msg = "Private RabbitMQ node " + nodeName + " (" + dir + "): " + what
                + (clash ? " (its port is already in use)" : "")
                + (slogan.isEmpty() ? "" : "\n--- erl_crash.dump ---\n" + slogan)
                + "\n--- startup output ---\n" + tail(dir.resolve("rabbitmq-server.out"), 20)
                + "\n--- " + logFile + " ---\n" + bootFailure(log);
        return clash ? new PortClash(msg) : new IllegalStateException(msg);
    }

    private String ctl(Duration timeout, String... args) {
        ExecResult r = exec(timeout, ctlCommand(args));
        if (r.exitCode != 0) {
            throw new IllegalStateException("rabbitmqctl -n " + nodeName + " " + String.join(" ", args)
                    + (r.exitCode == Integer.MIN_VALUE
                            ? " timed out after " + timeout.toSeconds() + " s"
                            : " exited with " + r.exitCode)
                    + ":\n" + r.output());
        }
        return r.stdout;
    }

    private List<String> ctlCommand(String... args) {
        List<String> cmd = new ArrayList<>(List.of(BIN.resolve("rabbitmqctl").toString(), "-n", nodeName));
        cmd.addAll(List.of(args));
        return cmd;
    }

    private record ExecResult(int exitCode, String stdout, String stderr) {
        String output() {
            return (stdout + (stderr.isBlank() ? "" : "\n" + stderr)).strip();
        }
    }

    /**
     * Runs a command with this node's environment. Output goes to files, never pipes: nothing can block on a full
     * pipe, and the detached beam started by rabbitmq-server cannot keep a pipe of ours open. Exit code
     * {@code Integer.MIN_VALUE} means timed out (the process tree was killed).
     */
    private ExecResult exec(Duration timeout, List<String> command) {
        boolean server = command.get(0).endsWith("rabbitmq-server");
        Path out = null;
        Path err = null;
        try {
            out = server ? dir.resolve("rabbitmq-server.out") : Files.createTempFile(dir, "ctl-", ".out");
            err = server ? out : Files.createTempFile(dir, "ctl-", ".err");
            ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile());
            pb.environment().clear();
            pb.environment().putAll(env);
            pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            if (server) {
                pb.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(out.toFile()));
            } else {
                pb.redirectOutput(out.toFile()).redirectError(err.toFile());
            }
            Process p = pb.start();
            int code;
            if (p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                code = p.exitValue();
            } else {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                p.waitFor(5, TimeUnit.SECONDS);
                code = Integer.MIN_VALUE;
            }
            String stdout = stripAnsi(Files.readString(out));
            String stderr = server ? "" : stripAnsi(Files.readString(err));
            return new ExecResult(code, stdout, stderr);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + command, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + command, e);
        } finally {
            if (!server) {
                deleteQuietly(out);
                deleteQuietly(err);
            }
        }
    }

    /**
     * A detached sh loop that outlives a SIGKILLed JVM: when the JVM is gone but the node still runs, it sends SIGTERM
     * (then SIGKILL) to the node and deletes the folder. It ends by itself as soon as the node stops.
     */
    private void startWatchdog() {
        if (pid <= 0) {
            return;
        }
        String script = """
                while kill -0 "$1" 2>/dev/null && kill -0 "$2" 2>/dev/null; do sleep 2; done
                kill -0 "$1" 2>/dev/null && exit 0
                kill -0 "$2" 2>/dev/null || exit 0
                kill -CONT "$2"; kill -TERM "$2"; n=0
                while kill -0 "$2" 2>/dev/null && [ $n -lt 20 ]; do sleep 1; n=$((n+1)); done
                kill -KILL "$2" 2>/dev/null
                [ "$4" = keep ] || rm -rf "$3"
                """;
        try {
            watchdog = new ProcessBuilder(
                            "/bin/sh",
                            "-c",
                            script,
                            "qs-test-watchdog",
                            Long.toString(ProcessHandle.current().pid()),
                            Long.toString(pid),
                            dir.toString(),
                            KEEP_DIRS ? "keep" : "delete")
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
        } catch (IOException e) {
            LOG.warn("Could not start the watchdog for {}: {}", nodeName, e.toString());
        }
    }

    private void stopWatchdog() {
        Process w = watchdog;
        watchdog = null;
        if (w != null) {
            w.descendants().forEach(ProcessHandle::destroy);
            w.destroy();
        }
    }

    private Optional<Long> readPid() {
        try {
            String s = Files.readString(pidFile).strip();
            return s.isEmpty() ? Optional.empty() : Optional.of(Long.parseLong(s));
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** True if the process runs and is ours (its command line holds our HOME folder, guarding against pid reuse). */
    private boolean alive(long p) {
        return ProcessHandle.of(p)
                .filter(ProcessHandle::isAlive)
                .map(h -> h.info()
                        .commandLine()
                        .map(c -> c.contains(home.toString()))
                        .orElse(true))
                .orElse(false);
    }

    private boolean awaitExit(long p, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (p > 0 && alive(p)) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            sleep(100);
        }
        return true;
    }

    private void kill(long p) {
        if (p <= 0 || !alive(p)) {
            return;
        }
        ProcessHandle.of(p).ifPresent(ProcessHandle::destroy);
        if (!awaitExit(p, Duration.ofSeconds(10))) {
            ProcessHandle.of(p).ifPresent(h -> {
                h.descendants().forEach(ProcessHandle::destroyForcibly);
                h.destroyForcibly();
            });
            awaitExit(p, Duration.ofSeconds(5));
        }
    }

    private void killQuietly() {
        running = false;
        readPid().ifPresent(p -> pid = p);
        try {
            if (paused) {
                signal("CONT");
                paused = false;
            }
            kill(pid);
        } catch (RuntimeException e) {
            LOG.warn("Could not kill node {}: {}", nodeName, e.toString());
        }
        stopWatchdog();
    }

    private static void killAllLeftovers() {
        List<PrivateRabbitNode> nodes = List.copyOf(LIVE);
        for (PrivateRabbitNode n : nodes) {
            n.readPid().ifPresent(p -> n.pid = p);
            if (n.pid > 0 && n.alive(n.pid)) {
                System.err.println("Stopping leftover private RabbitMQ node " + n.nodeName);
                n.signal("CONT"); // a paused node would not act on SIGTERM
                ProcessHandle.of(n.pid).ifPresent(ProcessHandle::destroy); // SIGTERM: RabbitMQ stops gracefully
            }
        }
        for (PrivateRabbitNode n : nodes) {
            n.kill(n.pid);
            n.stopWatchdog();
            n.deleteDir();
        }
    }

    private void deleteDir() {
        if (KEEP_DIRS) {
            LOG.info("Keeping folder {} of node {}", dir, nodeName);
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(PrivateRabbitNode::deleteQuietly);
        } catch (IOException e) {
            LOG.warn("Could not delete {}: {}", dir, e.toString());
        }
    }

    private static void deleteQuietly(Path p) {
        if (p == null) {
            return;
        }
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            // best effort
        }
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1) : "";
        } catch (IOException e) {
            return "";
        }
    }

    /** The "BOOT FAILED" section of a node log if there is one, else its last 60 lines. */
    private static String bootFailure(String log) {
        List<String> lines = log.lines().toList();
        int from = Math.max(0, lines.size() - 60);
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).endsWith("BOOT FAILED")) {
                from = i;
                break;
            }
        }
        return String.join("\n", lines.subList(from, Math.min(lines.size(), from + 60)));
    }

    private static String tail(Path file, int lines) {
        try {
            List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException | UncheckedIOException e) {
            return "(no " + file.getFileName() + ")";
        }
    }

    private static String stripAnsi(String s) {
        return s.replaceAll("\u001B\\[[;\\d]*[A-Za-z]", "");
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static String randomCookie() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 32; i++) {
            sb.append((char) ('A' + RANDOM.nextInt(26)));
        }
        return sb.toString();
    }

    /** The short host name Erlang's -sname uses, checked to resolve; "localhost" otherwise. */
    private static final class ShortHost {
        static final String NAME = find();

        private static String find() {
            String host = null;
            try {
                Process p = new ProcessBuilder("hostname", "-s")
                        .redirectErrorStream(true)
                        .start();
                if (p.waitFor(5, TimeUnit.SECONDS) && p.exitValue() == 0) {
                    host = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
                } else {
                    p.destroyForcibly();
                }
            } catch (IOException e) {
                // fall through
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            try {
                if (host == null || host.isEmpty()) {
                    host = InetAddress.getLocalHost().getHostName().split("\\.")[0];
                }
                InetAddress.getByName(host);
                return host;
            } catch (IOException e) {
                return "localhost";
            }
        }
    }
}
