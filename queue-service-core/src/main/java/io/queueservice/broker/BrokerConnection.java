package io.queueservice.broker;

import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.ShutdownSignalException;
import io.queueservice.config.BrokerConfig;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.net.SocketFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One AMQP connection that this class keeps up for as long as it is open: it connects at {@link
 * #start()}, and whenever the connection is lost (broker restart, network failure, missed heartbeats)
 * it connects again with a growing delay, trying the cluster's nodes in random order.
 *
 * <p>The client library's own automatic recovery is off on purpose. It silently re-opens channels and
 * restarts their publish sequence numbers, which would let a publisher wait for confirms on a channel
 * that no longer knows about them. Here each connection is a fresh start: {@link Listener#connected}
 * lets its users open their channels, {@link Listener#disconnected} lets them fail everything that was
 * pending on the old one. Recovery also covers the first connection, which the library's does not.
 *
 * <p>With TLS on ({@link io.queueservice.config.TlsConfig}), every connection made here, the isolated
 * ones of {@link #onOwnConnection} included, is a TLS connection (see {@link TlsConnectionFactory}).
 */
public final class BrokerConnection implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(BrokerConnection.class);
    private static final Duration FIRST_RECONNECT_DELAY = Duration.ofMillis(250);
    private static final Duration MAX_RECONNECT_DELAY = Duration.ofSeconds(5);
    private static final Duration RETRY_AFTER_BLOCKED = Duration.ofSeconds(5);

    /** Told about each new connection and each loss of one. Called on internal threads: keep it short. */
    public interface Listener {
        /** A new connection is up; open channels on it. Throwing makes this connection attempt fail. */
        default void connected(Connection connection) throws IOException {}

        /** The connection is gone; everything pending on its channels will never complete. */
        default void disconnected(ShutdownSignalException cause) {}

        /**
         * The broker stopped reading from this connection (memory or disk alarm). It does so when the
         * connection publishes, so whatever was just published waits in the broker's socket buffer
         * until the alarm clears.
         */
        default void blocked(String reason) {}
    }

    /** What a health check reports. */
    public enum State {
        CONNECTING,
        CONNECTED,
        BLOCKED,
        CLOSED
    }

    private final BrokerConfig config;
    private final String name;
    private final Duration rpcTimeout;
    private final ConnectionFactory factory;
    /** Makes the sockets of {@link #factory}: the one of the current connection is the one held. */
    private final CoalescingSocketFactory sockets = new CoalescingSocketFactory();

    private final List<Listener> listeners = new CopyOnWriteArrayList<>();
    private final ScheduledExecutorService reconnector;

    private volatile Connection connection;
    private volatile String blockedReason;
    private volatile boolean closed;
    private volatile Duration nextDelay = FIRST_RECONNECT_DELAY;

    /**
     * @param name shown as the connection's name in the broker's management UI
     * @param rpcTimeout longest a synchronous broker call (declare, delete, ...) may wait for its answer
     */
    public BrokerConnection(BrokerConfig config, String name, Duration rpcTimeout) {
        this.config = config;
        this.name = name;
        this.rpcTimeout = rpcTimeout;
        this.factory = ConnectionFactories.create(config, rpcTimeout, sockets);
        this.reconnector = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "broker-reconnect-" + name);
            t.setDaemon(true);
            return t;
        });
    }

    /** Registers a listener; register before {@link #start()} to see the first connection. */
    public void addListener(Listener listener) {
        listeners.add(listener);
    }

    public void removeListener(Listener listener) {
        listeners.remove(listener);
    }

    /**
     * Runs consumers' callbacks (message handlers) on these threads instead of the client's small default
     * pool. Call before {@link #start()}.
     */
    public void dispatchConsumersOn(ExecutorService executor) {
        factory.setSharedExecutor(executor);
    }

    /**
     * Connects once, right now, so a service started next to a healthy broker is ready at once. When that
     * fails it keeps trying in the background; this method does not throw for an unreachable broker.
     */
    public void start() {
        try {
            // The first attempt is bounded by the connection timeout: the client library enforces it.
            reconnector.submit(this::connect).get();
        } catch (ExecutionException e) {
            throw new IllegalStateException("connection attempt failed unexpectedly", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void connect() {
        if (closed) {
            return;
        }
        Connection c = null;
        try {
            c = factory.newConnection(ConnectionFactories.shuffledAddresses(config), name);
            Connection current = c;
            c.addShutdownListener(cause -> onShutdown(current, cause));
            c.addBlockedListener(reason -> onBlocked(reason), () -> onUnblocked());
            for (Listener l : listeners) {
                l.connected(c);
            }
            if (!c.isOpen()) {
                throw new IOException("connection closed while it was being set up");
            }
            connection = c;
            resetReconnectDelay();
            log.info(
                    "connected to RabbitMQ at {}:{} as '{}'{}",
                    c.getAddress().getHostAddress(),
                    c.getPort(),
                    name,
                    config.tls().enabled() ? " over TLS" : "");
            if (closed) {
                c.abort();
            }
        } catch (IOException | TimeoutException | RuntimeException e) {
            if (c != null) {
                c.abort();
            }
            scheduleReconnect("cannot connect to " + config.displayUrl() + ": " + describe(e));
        }
    }

    private void onShutdown(Connection c, ShutdownSignalException cause) {
        if (connection == c) {
            connection = null;
        }
        blockedReason = null;
        for (Listener l : listeners) {
            try {
                l.disconnected(cause);
            } catch (RuntimeException e) {
                log.warn("connection listener failed", e);
            }
        }
        if (!cause.isInitiatedByApplication() && !closed) {
            scheduleReconnect("connection '" + name + "' lost: " + describe(cause));
        }
    }

    private synchronized void scheduleReconnect(String why) {
        if (closed) {
            return;
        }
        Duration delay = nextDelay;
        nextDelay = nextDelay.multipliedBy(2).compareTo(MAX_RECONNECT_DELAY) > 0
                ? MAX_RECONNECT_DELAY
                : nextDelay.multipliedBy(2);
        log.warn("{}; next attempt in {} ms", why, delay.toMillis());
        try {
            reconnector.schedule(this::connect, delay.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // closing: nothing to do
        }
    }

    private synchronized void resetReconnectDelay() {
        nextDelay = FIRST_RECONNECT_DELAY;
    }

    private void onBlocked(String reason) {
        blockedReason = reason;
        log.warn("RabbitMQ blocked connection '{}': {}", name, reason);
        for (Listener l : listeners) {
            try {
                l.blocked(reason);
            } catch (RuntimeException e) {
                log.warn("connection listener failed", e);
            }
        }
    }

    private void onUnblocked() {
        blockedReason = null;
        log.info("RabbitMQ unblocked connection '{}'", name);
    }

    /**
     * The open connection.
     *
     * @throws BrokerUnavailableException when there is none right now
     */
    public Connection require() {
        Connection c = connection;
        if (c == null || !c.isOpen()) {
            // Retry once the next reconnection attempt has had its chance.
            throw new BrokerUnavailableException("not connected to the broker", nextDelay);
        }
        return c;
    }

    /**
     * The open connection, when it may publish now.
     *
     * @throws BrokerUnavailableException when not connected, or when the broker blocked publishers
     */
    public Connection requirePublishable() {
        Connection c = require();
        String blocked = blockedReason;
        if (blocked != null) {
            throw new BrokerUnavailableException(
                    "the broker is not accepting messages right now (" + blocked + ")", RETRY_AFTER_BLOCKED);
        }
        return c;
    }

    /** Work on a connection of its own (see {@link #onOwnConnection}). */
    @FunctionalInterface
    public interface ConnectionWork<T> {
        T apply(Connection connection) throws IOException;
    }

    /**
     * Runs {@code work} on a new connection, closed after. For operations the broker may answer by closing
     * the whole connection (RabbitMQ does so for some operations a queue type does not support): done here,
     * they cannot fail anybody else's requests.
     *
     * @throws BrokerException as {@link BrokerErrors#translate} maps the failure
     */
    public <T> T onOwnConnection(ConnectionWork<T> work) {
        require(); // fail fast, with the usual answer, while the broker is unreachable
        // A factory of its own, so this socket never becomes the one whose writes coalesceWrites holds.
        try (Connection own = ConnectionFactories.create(config, rpcTimeout, SocketFactory.getDefault())
                .newConnection(ConnectionFactories.shuffledAddresses(config), name + "-isolated")) {
            return work.apply(own);
        } catch (IOException | TimeoutException | RuntimeException e) {
            throw BrokerErrors.translate(e);
        }
    }

    /**
     * Runs {@code burst}, which writes to this connection (publishes), holding its socket writes until
     * the end so they leave together (see {@link CoalescingSocketFactory}).
     */
    public void coalesceWrites(Runnable burst) {
        try (CoalescingSocketFactory.Hold hold = sockets.holdWrites()) {
            burst.run();
        }
    }

    /**
     * Holds this connection's socket writes until the returned action is run, which sends them together (see
     * {@link CoalescingSocketFactory}); for bursts that span several calls of {@link #coalesceWrites}.
     */
    public Runnable holdWrites() {
        return sockets.holdWrites()::close;
    }

    /**
     * Runs {@code call}, which waits for the broker's answer (opening a channel, say), with this thread's
     * writes going out at once even while they are held (see {@link #holdWrites()}): held, they would never
     * reach the broker, and the answer never come.
     */
    public <T> T unheld(java.util.function.Supplier<T> call) {
        return CoalescingSocketFactory.unheld(call);
    }

    /** The connection's name, as the broker shows it. */
    public String name() {
        return name;
    }

    public State state() {
        if (closed) {
            return State.CLOSED;
        }
        Connection c = connection;
        if (c == null || !c.isOpen()) {
            return State.CONNECTING;
        }
        return blockedReason != null ? State.BLOCKED : State.CONNECTED;
    }

    /** Why the broker blocked this connection ("low on memory", ...), or null when it did not. */
    public String blockedReason() {
        return blockedReason;
    }

    @Override
    public void close() {
        closed = true;
        reconnector.shutdownNow();
        Connection c = connection;
        connection = null;
        if (c != null && c.isOpen()) {
            try {
                c.close((int) config.connectionTimeout().toMillis());
            } catch (IOException | RuntimeException e) {
                c.abort();
            }
        }
    }

    /** The failure and its causes in one line (a refused login or unknown vhost hides in a cause). */
    private static String describe(Throwable e) {
        StringBuilder out = new StringBuilder();
        for (Throwable t = e; t != null && out.length() < 1000; t = t.getCause() == t ? null : t.getCause()) {
            String msg = t.getMessage();
            out.append(out.isEmpty() ? "" : " <- ")
                    .append(t.getClass().getSimpleName())
                    .append(msg == null ? "" : " (" + BrokerConfig.mask(msg) + ")");
        }
        return out.toString();
    }
}
