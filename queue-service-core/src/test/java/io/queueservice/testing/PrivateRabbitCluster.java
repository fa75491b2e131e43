package io.queueservice.testing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A private three-node RabbitMQ cluster for fault tests: its nodes are {@link PrivateRabbitNode}s (own names, free
 * ports on 127.0.0.1, temp folders, one Erlang cookie per JVM) started with {@code pause_minority} and {@code
 * net_ticktime} 15, then nodes 2 and 3 joined to node 1. Each node can be killed ({@link PrivateRabbitNode#kill9()}),
 * frozen ({@link PrivateRabbitNode#pause()}) and brought back ({@link #heal()}).
 *
 * <p>Why a Java helper and not {@code scripts/cluster.sh} (which does the same steps for humans): tests need a
 * cluster per test class on free ports that never clash with a developer's running cluster, the pids, and a
 * restart of one node with the same name, ports and data; PrivateRabbitNode already does all of that robustly
 * (port clash retries, crash dump detection, a watchdog that stops the nodes if the JVM is killed). Driving the
 * script would mean parsing its output and reimplementing those. The two share the nodes' settings, not code: both read
 * them from {@code scripts/cluster-node/} ({@code rabbitmq.conf}, {@code advanced.config}).
 *
 * <pre>{@code
 * try (PrivateRabbitCluster cluster = PrivateRabbitCluster.start("faults")) {
 *     // RABBITMQ_URL = cluster.amqpUrls()
 *     cluster.quorumLeader("orders").kill9();
 *     cluster.heal();
 * }
 * }</pre>
 */
public final class PrivateRabbitCluster implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PrivateRabbitCluster.class);
    private static final int SIZE = 3;

    private final List<PrivateRabbitNode> nodes;
    private volatile int forcedRestarts;

    private PrivateRabbitCluster(List<PrivateRabbitNode> nodes) {
        this.nodes = List.copyOf(nodes);
    }

    /**
     * Starts three nodes (at once, each waits for its own boot) and joins nodes 2 and 3 to node 1. Takes 20-60 s.
     *
     * @param name a short label for the node names and folders, e.g. the test class
     * @throws IllegalStateException if a node does not start or join; every started node is stopped then
     */
    public static PrivateRabbitCluster start(String name) {
        long t0 = System.nanoTime();
        List<CompletableFuture<PrivateRabbitNode>> starting = new ArrayList<>();
        // Own threads: the common pool has a single thread on a two-core machine.
        ExecutorService threads = Executors.newFixedThreadPool(SIZE);
        for (int i = 1; i <= SIZE; i++) {
            String label = name + "-" + i;
            starting.add(CompletableFuture.supplyAsync(() -> PrivateRabbitNode.startClusterMember(label), threads));
        }
        threads.shutdown();
        List<PrivateRabbitNode> started = new ArrayList<>();
        RuntimeException failure = null;
        for (CompletableFuture<PrivateRabbitNode> f : starting) {
            try {
                started.add(f.join());
            } catch (CompletionException e) {
                failure = e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
            }
        }
        PrivateRabbitCluster cluster = new PrivateRabbitCluster(started);
        try {
            if (failure != null) {
                throw failure;
            }
            PrivateRabbitNode first = started.get(0);
            for (PrivateRabbitNode node : started.subList(1, SIZE)) {
                node.rabbitmqctl("stop_app");
                node.rabbitmqctl("reset");
                node.rabbitmqctl("join_cluster", first.nodeName());
                node.rabbitmqctl("start_app");
            }
            cluster.awaitHealthy(Duration.ofSeconds(60));
        } catch (RuntimeException | Error e) {
            cluster.close();
            throw e;
        }
        LOG.info(
                "Private RabbitMQ cluster up after {} ms: {}",
                Duration.ofNanos(System.nanoTime() - t0).toMillis(),
                cluster.amqpUrls());
        return cluster;
    }

    /** The three nodes; node 1 first. */
    public List<PrivateRabbitNode> nodes() {
        return nodes;
    }

    /** The nodes' AMQP URLs, comma-separated, as {@code RABBITMQ_URL} takes them. */
    public String amqpUrls() {
        return nodes.stream().map(PrivateRabbitNode::amqpUrl).collect(Collectors.joining(","));
    }

    /** The node with this Erlang name ({@code qs-test-...@host}). */
    public PrivateRabbitNode node(String erlangName) {
        return nodes.stream()
                .filter(n -> n.nodeName().equals(erlangName))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no node " + erlangName + " in " + this));
    }

    /** A node that runs and is not paused, other than {@code except}, to ask things or to drain queues through. */
    public PrivateRabbitNode survivor(PrivateRabbitNode... except) {
        List<PrivateRabbitNode> excluded = List.of(except);
        return nodes.stream()
                .filter(n -> n.isRunning() && !n.isPaused() && !excluded.contains(n))
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("no responsive node in " + this));
    }

    /**
     * The node holding the leader of quorum queue {@code queue} (of the default virtual host), as {@code rabbitmqctl
     * list_queues name leader} reports it on a responsive node.
     *
     * @throws IllegalStateException if the queue is not listed or has no leader right now
     */
    public PrivateRabbitNode quorumLeader(String queue) {
        String out = survivor().rabbitmqctl("list_queues", "-s", "name", "leader");
        for (String line : out.lines().toList()) {
            String[] cols = line.split("\t");
            if (cols.length == 2 && cols[0].equals(queue)) {
                return node(cols[1].strip());
            }
        }
        throw new IllegalStateException("quorum queue " + queue + " has no leader in: " + out);
    }

    /**
     * The node an AMQP connection with this client-provided name is connected to (the first, if several), from
     * {@code rabbitmqctl list_connections port client_properties}: the server port tells the node.
     */
    public Optional<PrivateRabbitNode> nodeWithConnection(String connectionName) {
        String out = survivor().rabbitmqctl("list_connections", "-s", "port", "client_properties");
        for (String line : out.lines().toList()) {
            if (!line.contains("\"" + connectionName + "\"")) {
                continue;
            }
            String port = line.split("\t")[0].strip();
            return nodes.stream()
                    .filter(n -> Integer.toString(n.amqpPort()).equals(port))
                    .findFirst();
        }
        return Optional.empty();
    }

    /**
     * Brings every node back: resumes paused ones, starts killed or stopped ones again (same name, ports and data),
     * then waits until each node sees all three running and no partition. A node that has not rejoined after 30 s
     * has its application restarted ({@code stop_app}, {@code start_app}), as an operator would after a partition:
     * RabbitMQ 3.10 with {@code pause_minority} sometimes leaves a node that was frozen for longer than the net tick
     * time in a recorded partition (it never saw itself in a minority, the others saw it down); {@link
     * #forcedRestarts()} counts those.
     */
    public void heal() {
        for (PrivateRabbitNode n : nodes) {
            n.resume();
        }
        for (PrivateRabbitNode n : nodes) {
            if (!n.isRunning()) {
                n.startAgain();
            }
        }
        try {
            awaitHealthy(Duration.ofSeconds(30));
        } catch (IllegalStateException notYet) {
            List<PrivateRabbitNode> outside = outsiders();
            LOG.warn("Cluster not healthy 30 s after healing ({}); restarting {}", notYet.getMessage(), outside);
            for (PrivateRabbitNode n : outside) {
                forcedRestarts++;
                // Restarting the rabbit application makes it sync its database from the others, ending the partition.
                n.rabbitmqctl("stop_app");
                n.rabbitmqctl("start_app");
            }
            awaitHealthy(Duration.ofSeconds(90));
        }
    }

    /** How many times {@link #heal()} had to restart a node that did not rejoin by itself. */
    public int forcedRestarts() {
        return forcedRestarts;
    }

    /**
     * The nodes no other responsive node sees running: after a partition, the side to restart. When the views cannot
     * be read at all, every node.
     */
    private List<PrivateRabbitNode> outsiders() {
        java.util.Map<PrivateRabbitNode, Integer> seenBy = new java.util.HashMap<>();
        int answered = 0;
        for (PrivateRabbitNode n : nodes) {
            try {
                List<String> running = section(n.rabbitmqctl("cluster_status"), "Running Nodes");
                answered++;
                for (PrivateRabbitNode other : nodes) {
                    if (other != n && running.contains(other.nodeName())) {
                        seenBy.merge(other, 1, Integer::sum);
                    }
                }
            } catch (RuntimeException e) {
                LOG.warn("{} does not answer cluster_status: {}", n.nodeName(), e.getMessage());
            }
        }
        if (answered == 0) {
            return nodes;
        }
        return nodes.stream().filter(n -> !seenBy.containsKey(n)).toList();
    }

    /** Waits (bounded) until every node's cluster_status lists all nodes as running and no network partition. */
    public void awaitHealthy(Duration atMost) {
        long deadline = System.nanoTime() + atMost.toNanos();
        String last = "";
        while (true) {
            try {
                last = unhealthyReason();
                if (last.isEmpty()) {
                    return;
                }
            } catch (RuntimeException e) {
                last = e.getMessage();
            }
            if (System.nanoTime() > deadline) {
                StringBuilder logs = new StringBuilder();
                for (PrivateRabbitNode n : nodes) {
                    logs.append("\n--- log of ")
                            .append(n.nodeName())
                            .append(" ---\n")
                            .append(n.logTail(15));
                }
                throw new IllegalStateException(
                        "cluster not healthy after " + atMost.toSeconds() + " s: " + last + logs);
            }
            try {
                Thread.sleep(500);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
        }
    }

    /** Empty when healthy, else what is wrong. */
    private String unhealthyReason() {
        for (PrivateRabbitNode n : nodes) {
            if (!n.isRunning() || n.isPaused()) {
                return n.nodeName() + " is " + (n.isPaused() ? "paused" : "not running");
            }
            String status = n.rabbitmqctl("cluster_status");
            List<String> running = section(status, "Running Nodes");
            for (PrivateRabbitNode other : nodes) {
                if (!running.contains(other.nodeName())) {
                    return n.nodeName() + " does not see " + other.nodeName() + " running: " + running;
                }
            }
            List<String> partitions = section(status, "Network Partitions");
            if (!partitions.equals(List.of("(none)"))) {
                return n.nodeName() + " reports partitions " + partitions;
            }
        }
        return "";
    }

    /** The lines under a heading of rabbitmqctl cluster_status: after the blank line that follows it, up to the next. */
    private static List<String> section(String status, String heading) {
        List<String> lines = status.lines().map(String::strip).toList();
        int i = lines.indexOf(heading);
        if (i < 0) {
            return List.of();
        }
        i++;
        while (i < lines.size() && lines.get(i).isEmpty()) {
            i++;
        }
        List<String> out = new ArrayList<>();
        for (; i < lines.size() && !lines.get(i).isEmpty(); i++) {
            out.add(lines.get(i));
        }
        return out;
    }

    /** Stops every node (resuming paused ones first) and deletes their folders. */
    @Override
    public void close() {
        ExecutorService threads = Executors.newFixedThreadPool(SIZE);
        List<CompletableFuture<Void>> stopping = nodes.stream()
                .map(n -> CompletableFuture.runAsync(n::close, threads))
                .toList();
        threads.shutdown();
        for (CompletableFuture<Void> f : stopping) {
            try {
                f.join();
            } catch (CompletionException e) {
                LOG.warn("Could not close a cluster node: {}", e.getCause().toString());
            }
        }
    }

    @Override
    public String toString() {
        return "PrivateRabbitCluster" + nodes;
    }
}
