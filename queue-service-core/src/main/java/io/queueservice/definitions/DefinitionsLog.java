package io.queueservice.definitions;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.queueservice.broker.BrokerConnection;
import io.queueservice.broker.BrokerTimeoutException;
import io.queueservice.broker.BrokerUnavailableException;
import io.queueservice.publish.ConfirmingPublisher;
import io.queueservice.validation.InvalidRequestException;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Definitions (push subscriptions, later message schemas) kept in RabbitMQ itself: a durable stream of
 * events that every instance reads from its start and then follows, so that every instance holds the same
 * definitions, a change written through one is applied by all within moments, and they survive restarts
 * of the service and of the broker. No component besides the broker.
 *
 * <ul>
 *   <li>Writes ({@link #put}, {@link #delete}) are events published with confirms; each carries a {@link
 *       Precondition} checked when the event is applied, in the stream's order, so every instance accepts or
 *       refuses it alike. The future a writer gets completes once this instance applied its event: an
 *       answer given after it reflects the write (read your writes).
 *   <li>Reads ({@link #definitions}, {@link #get}) see the state as of the last event applied here, never
 *       half of one.
 *   <li>Compaction: see {@link DefinitionsLogSettings}. A snapshot covers an offset; a reader that starts
 *       where retention cut the stream keeps what it reads aside until it meets a snapshot that covers
 *       the offset before its first event, takes the snapshot's state, and applies what it kept after the
 *       covered offset. Two instances may snapshot at once: both snapshots hold the same state (every
 *       instance's state at an offset is the same), so the second is only redundant.
 *   <li>Following: an AMQP 0-9-1 consumer of the stream (manual acknowledgements, a prefetch window, {@code
 *       x-stream-offset}); after a lost connection it resumes after the last offset applied. When that
 *       offset is gone (retention ran meanwhile), it rebuilds from a snapshot as a new reader does.
 * </ul>
 *
 * Events are applied and listeners called on one thread of the log's own ({@link LogThread}). This class
 * puts the parts together: {@link StreamFollower} consumes the stream, {@link LogReader} reads it in order
 * and catches up, {@link EventApplier} applies each event to the {@link DefinitionState}, {@link Compaction}
 * writes snapshots, {@link LogWriter} appends events, {@link ChangeListeners} tells listeners.
 */
public final class DefinitionsLog implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DefinitionsLog.class);

    private final DefinitionsLogSettings settings;
    private final LogThread thread;
    private final DefinitionState state = new DefinitionState();
    private final PendingWrites pending = new PendingWrites();
    private final CompletableFuture<Void> ready = new CompletableFuture<>();
    private final ChangeListeners listeners;
    private final LogWriter writer;
    private final StreamFollower follower;

    private DefinitionsLog(
            BrokerConnection connection, ConfirmingPublisher publisher, DefinitionsLogSettings settings) {
        this.settings = settings;
        this.thread = new LogThread(settings.stream());
        this.listeners = new ChangeListeners(state, ready);
        this.writer = new LogWriter(publisher, settings, state, pending, this::isReady);
        EventApplier applier =
                new EventApplier(state, pending, listeners, new Compaction(settings, state, writer, thread));
        LogReader reader = new LogReader(settings, thread, state, pending, writer, applier, listeners, ready);
        this.follower = new StreamFollower(connection, settings, thread, reader);
    }

    /**
     * Declares the stream when missing and starts following it, now if connected, else once connected (and
     * again after every reconnection). {@link #awaitReady} tells when everything written before is loaded.
     *
     * @param connection the connection to follow the stream on (its listener is added here)
     * @param publisher where events are published, with confirms
     */
    public static DefinitionsLog start(
            BrokerConnection connection, ConfirmingPublisher publisher, DefinitionsLogSettings settings) {
        DefinitionsLog l = new DefinitionsLog(connection, publisher, settings);
        l.follower.start();
        return l;
    }

    /** The name of the stream. */
    public String stream() {
        return settings.stream();
    }

    // --- reading

    /**
     * Waits until this instance has read everything written before it started.
     *
     * @return false when that did not happen within {@code timeout}
     */
    public boolean awaitReady(Duration timeout) {
        try {
            ready.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (java.util.concurrent.ExecutionException e) {
            return false;
        }
    }

    public boolean isReady() {
        return ready.isDone() && !ready.isCompletedExceptionally();
    }

    /** The definitions of one kind, by name (sorted), as of the last event applied here. */
    public Map<String, Definition> definitions(String kind) {
        return state.ofKind(kind);
    }

    public Optional<Definition> get(String kind, String name) {
        return state.get(kind, name);
    }

    /**
     * Calls {@code listener} with every change to definitions of {@code kind} from now on, in the log's
     * order, once the log is loaded; first with the definitions there are then, each as a creation.
     */
    public void addListener(String kind, DefinitionListener listener) {
        thread.execute(() -> listeners.add(kind, listener));
    }

    public void removeListener(String kind, DefinitionListener listener) {
        listeners.remove(kind, listener);
    }

    // --- writing

    /**
     * Writes a definition.
     *
     * @return completed with the definition once this instance applied the write; completed exceptionally
     *     with {@link io.queueservice.broker.ResourceConflictException} or {@link
     *     io.queueservice.broker.ResourceNotFoundException} when the precondition did not hold, {@link
     *     BrokerUnavailableException} (not loaded yet, or the broker is unreachable), {@link
     *     BrokerTimeoutException} (written, not seen back in time: read it again)
     * @throws InvalidRequestException when the definition is too large, or would make all of them too large
     */
    public CompletableFuture<Definition> put(String kind, String name, ObjectNode value, Precondition expect) {
        return writer.put(kind, name, value, expect);
    }

    /**
     * Deletes a definition.
     *
     * @return completed with the definition deleted, once this instance applied the deletion; failures as
     *     for {@link #put}
     */
    public CompletableFuture<Definition> delete(String kind, String name, Precondition expect) {
        return writer.delete(kind, name, expect);
    }

    /**
     * Completes once this instance has applied every event written before the call (a read after it sees
     * every write that completed before the call, on any instance).
     */
    public CompletableFuture<Void> sync() {
        return writer.sync();
    }

    /** Stops following the stream; writes still waiting fail. The connection is the caller's. */
    @Override
    public void close() {
        follower.stop();
        try {
            thread.submit(follower::closeChannel).get(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException | TimeoutException | RejectedExecutionException e) {
            log.debug("closing definitions log: {}", e.toString());
        }
        thread.shutdownNow();
        BrokerUnavailableException closing = new BrokerUnavailableException("the service is stopping", Duration.ZERO);
        pending.failAll(closing);
        ready.completeExceptionally(closing);
    }
}
