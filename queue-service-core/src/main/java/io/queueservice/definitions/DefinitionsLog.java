package io.queueservice.definitions;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.ShutdownSignalException;
import io.queueservice.broker.BrokerConnection;
import io.queueservice.broker.BrokerException;
import io.queueservice.broker.BrokerTimeoutException;
import io.queueservice.broker.BrokerUnavailableException;
import io.queueservice.broker.QueueType;
import io.queueservice.publish.ConfirmingPublisher;
import io.queueservice.publish.OutgoingMessage;
import io.queueservice.validation.InvalidRequestException;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
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
 * Events are applied and listeners called on one thread of the log's own.
 */
public final class DefinitionsLog implements BrokerConnection.Listener, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DefinitionsLog.class);
    private static final String OFFSET = "x-stream-offset";
    private static final int PREFETCH = 200;
    private static final Duration RESUBSCRIBE_DELAY = Duration.ofSeconds(1);

    private final BrokerConnection connection;
    private final ConfirmingPublisher publisher;
    private final DefinitionsLogSettings settings;
    /** Applies events, calls listeners, (re)subscribes: one thread, so none of it races. */
    private final ScheduledExecutorService thread;

    private final DefinitionState state = new DefinitionState();
    private final Map<String, CompletableFuture<Optional<Definition>>> waiters = new ConcurrentHashMap<>();
    private final Map<String, List<DefinitionListener>> listeners = new ConcurrentHashMap<>();
    private final CompletableFuture<Void> ready = new CompletableFuture<>();
    private volatile boolean closed;

    // The log's thread only.
    private long nextOffset; // the offset of the next event expected
    private Rebuild rebuild; // non-null while rebuilding from a snapshot
    private long bytesSinceSnapshot;
    private int eventsSinceSnapshot;
    private boolean snapshotPending;
    private Channel channel;
    private int generation; // of the current consumer: deliveries of an older one are ignored
    private boolean firstAfterSubscribe;
    private String startupSync; // the id of the sync event whose return marks the log as loaded

    /** Events kept aside while rebuilding, until a snapshot that covers what precedes them. */
    private record Rebuild(long firstOffset, List<Kept> kept) {}

    private record Kept(long offset, String id, LogEvent event, int size) {}

    private DefinitionsLog(
            BrokerConnection connection, ConfirmingPublisher publisher, DefinitionsLogSettings settings) {
        this.connection = connection;
        this.publisher = publisher;
        this.settings = settings;
        this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "definitions-" + settings.stream());
            t.setDaemon(true);
            return t;
        });
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
        connection.addListener(l);
        l.onThread(l::subscribeIfConnected);
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
        onThread(() -> {
            listeners.computeIfAbsent(kind, k -> new CopyOnWriteArrayList<>()).add(listener);
            if (isReady()) {
                state.ofKind(kind)
                        .values()
                        .forEach(d ->
                                call(listener, new DefinitionChange(kind, d.name(), Optional.empty(), Optional.of(d))));
            }
        });
    }

    public void removeListener(String kind, DefinitionListener listener) {
        List<DefinitionListener> l = listeners.get(kind);
        if (l != null) {
            l.remove(listener);
        }
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
        int size = size(value);
        if (size > settings.maxDefinitionBytes()) {
            throw new InvalidRequestException(
                    "definition", "is " + size + " bytes as JSON; at most " + settings.maxDefinitionBytes());
        }
        if (state.bytes() - state.size(kind, name) + size > settings.maxStateBytes()) {
            throw new InvalidRequestException(
                    "definition",
                    "would make the definitions weigh more than " + settings.maxStateBytes()
                            + " bytes together; delete some first");
        }
        return write(new LogEvent.Put(kind, name, expect, Instant.now(), value.deepCopy()))
                .thenApply(Optional::orElseThrow);
    }

    /**
     * Deletes a definition.
     *
     * @return completed with the definition deleted, once this instance applied the deletion; failures as
     *     for {@link #put}
     */
    public CompletableFuture<Definition> delete(String kind, String name, Precondition expect) {
        return write(new LogEvent.Delete(kind, name, expect, Instant.now())).thenApply(Optional::orElseThrow);
    }

    /**
     * Completes once this instance has applied every event written before the call (a read after it sees
     * every write that completed before the call, on any instance).
     */
    public CompletableFuture<Void> sync() {
        return write(new LogEvent.Sync()).thenApply(d -> null);
    }

    private CompletableFuture<Optional<Definition>> write(LogEvent event) {
        if (!(event instanceof LogEvent.Sync) && !isReady()) {
            return CompletableFuture.failedFuture(new BrokerUnavailableException(
                    "the definitions are not loaded yet (stream '" + settings.stream() + "')", Duration.ofSeconds(2)));
        }
        String id = UUID.randomUUID().toString();
        CompletableFuture<Optional<Definition>> applied = new CompletableFuture<>();
        waiters.put(id, applied);
        CompletableFuture<Void> published;
        try {
            published = publish(id, event);
        } catch (BrokerException e) {
            published = CompletableFuture.failedFuture(e);
        }
        published.whenComplete((ok, failure) -> {
            if (failure != null) {
                waiters.remove(id);
                applied.completeExceptionally(unwrap(failure));
            }
        });
        long timeoutMs = settings.applyTimeout().toMillis();
        return applied.orTimeout(timeoutMs, TimeUnit.MILLISECONDS).exceptionallyCompose(e -> {
            waiters.remove(id);
            Throwable cause = unwrap(e);
            return CompletableFuture.failedFuture(
                    cause instanceof TimeoutException
                            ? new BrokerTimeoutException("the change was written to the definitions log but not seen"
                                    + " back within " + timeoutMs + " ms; read it again before trying again")
                            : cause);
        });
    }

    private CompletableFuture<Void> publish(String id, LogEvent event) {
        byte[] body = LogEvent.encode(event);
        AMQP.BasicProperties props = new AMQP.BasicProperties.Builder()
                .messageId(id)
                .contentType("application/json")
                .deliveryMode(2)
                .appId("queue-service")
                .type(event.getClass().getSimpleName().toLowerCase(java.util.Locale.ROOT))
                .build();
        return publisher.publish(new OutgoingMessage("", settings.stream(), body, props, true));
    }

    private static Throwable unwrap(Throwable e) {
        return e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
    }

    private static int size(ObjectNode value) {
        try {
            return LogEvent.JSON.writeValueAsBytes(value).length;
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a definition as JSON", e);
        }
    }

    // --- following

    private void onThread(Runnable task) {
        try {
            thread.execute(() -> {
                try {
                    task.run();
                } catch (RuntimeException e) {
                    log.error("definitions log '{}': unexpected failure", settings.stream(), e);
                }
            });
        } catch (RejectedExecutionException e) {
            // closed
        }
    }

    @Override
    public void connected(Connection c) {
        onThread(() -> subscribe(c));
    }

    @Override
    public void disconnected(ShutdownSignalException cause) {
        onThread(() -> channel = null);
    }

    /** Declares the stream (idempotent), on a channel of its own: a refusal closes the channel. */
    private void declareStream(Connection c) throws IOException {
        Channel ch = c.createChannel();
        try {
            ch.queueDeclare(
                    settings.stream(),
                    true,
                    false,
                    false,
                    Map.of(
                            "x-queue-type",
                            QueueType.STREAM.amqpName(),
                            "x-max-length-bytes",
                            settings.maxLengthBytes(),
                            "x-stream-max-segment-size-bytes",
                            settings.segmentBytes()));
        } finally {
            if (ch.isOpen()) {
                try {
                    ch.close();
                } catch (TimeoutException | RuntimeException e) {
                    // gone already
                }
            }
        }
    }

    private void subscribeIfConnected() {
        try {
            subscribe(connection.require());
        } catch (BrokerUnavailableException e) {
            // connected() subscribes
        }
    }

    /** Consumes the stream from the offset after the last one read (the start, the first time). */
    private void subscribe(Connection c) {
        if (closed || (channel != null && channel.isOpen()) || !c.isOpen()) {
            return;
        }
        try {
            declareStream(c);
            Channel ch = c.createChannel();
            ch.basicQos(PREFETCH);
            int gen = ++generation;
            firstAfterSubscribe = true;
            Object from = nextOffset == 0 ? "first" : (Object) nextOffset;
            ch.basicConsume(settings.stream(), false, Map.of(OFFSET, from), new Follower(ch, gen));
            channel = ch;
            log.info("following definitions stream '{}' from offset {}", settings.stream(), from);
        } catch (IOException | RuntimeException e) {
            log.warn(
                    "cannot follow definitions stream '{}' yet: {}",
                    settings.stream(),
                    e.getCause() != null ? e.getCause().toString() : e.toString());
            scheduleSubscribe();
            return;
        }
        if (!ready.isDone() && startupSync == null) {
            markStartup();
        }
    }

    private void scheduleSubscribe() {
        try {
            thread.schedule(this::subscribeIfConnected, RESUBSCRIBE_DELAY.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // closed
        }
    }

    /** Writes a sync event: once it comes back, everything written before the start has been read. */
    private void markStartup() {
        String id = UUID.randomUUID().toString();
        startupSync = id;
        CompletableFuture<Optional<Definition>> back = new CompletableFuture<>();
        waiters.put(id, back);
        back.thenRun(() -> onThread(this::becomeReady));
        try {
            publish(id, new LogEvent.Sync()).whenComplete((ok, e) -> {
                if (e != null) {
                    waiters.remove(id);
                    onThread(() -> {
                        startupSync = null;
                        log.warn(
                                "cannot write to definitions stream '{}' yet: {}",
                                settings.stream(),
                                unwrap(e).toString());
                        try {
                            thread.schedule(
                                    () -> {
                                        if (!ready.isDone() && startupSync == null) {
                                            markStartup();
                                        }
                                    },
                                    RESUBSCRIBE_DELAY.toMillis(),
                                    TimeUnit.MILLISECONDS);
                        } catch (RejectedExecutionException closed) {
                            // closed
                        }
                    });
                }
            });
        } catch (BrokerException e) {
            waiters.remove(id);
            startupSync = null;
        }
    }

    private void becomeReady() {
        if (ready.isDone()) {
            return;
        }
        if (rebuild != null) {
            giveUpRebuild();
        }
        ready.complete(null);
        log.info(
                "definitions loaded from stream '{}' (up to offset {}): {} definition(s)",
                settings.stream(),
                nextOffset - 1,
                state.all().size());
        listeners.forEach((kind, ls) -> state.ofKind(kind)
                .values()
                .forEach(d -> ls.forEach(
                        l -> call(l, new DefinitionChange(kind, d.name(), Optional.empty(), Optional.of(d))))));
    }

    /** One consumer of the stream; hands each event to the log's thread. */
    private final class Follower extends DefaultConsumer {
        private final int gen;

        Follower(Channel channel, int gen) {
            super(channel);
            this.gen = gen;
        }

        @Override
        public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties props, byte[] body) {
            try {
                getChannel().basicAck(envelope.getDeliveryTag(), false); // credit for the next ones
            } catch (IOException | RuntimeException e) {
                return; // the channel is gone; the next consumer reads this again
            }
            Object offset =
                    props.getHeaders() == null ? null : props.getHeaders().get(OFFSET);
            if (!(offset instanceof Number n)) {
                log.warn("definitions stream '{}' delivered a message without an offset", settings.stream());
                return;
            }
            onThread(() -> {
                if (gen == generation) {
                    onEvent(n.longValue(), props.getMessageId(), body);
                }
            });
        }

        @Override
        public void handleCancel(String consumerTag) {
            // The stream was deleted: so were the definitions. Start again from an empty state.
            onThread(() -> {
                if (gen != generation) {
                    return;
                }
                log.error("definitions stream '{}' was deleted; the definitions start again empty", settings.stream());
                channel = null;
                nextOffset = 0;
                rebuild = null;
                announce(state.replaceAll(List.of(), Map.of()));
                scheduleSubscribe();
            });
        }
    }

    private void onEvent(long offset, String id, byte[] body) {
        if (offset < nextOffset) {
            return; // delivery starts at the beginning of a chunk: already read
        }
        if (firstAfterSubscribe) {
            firstAfterSubscribe = false;
            // Offsets have holes (a new segment takes one), so a later offset than asked for does not alone
            // mean that retention removed events: it did when the stream now starts after the one asked for.
            if (offset > nextOffset && rebuild == null && (nextOffset == 0 || firstOffset() > nextOffset)) {
                if (nextOffset > 0) {
                    log.warn(
                            "definitions stream '{}' now starts after offset {}: rebuilding from a snapshot",
                            settings.stream(),
                            nextOffset);
                }
                rebuild = new Rebuild(offset, new ArrayList<>());
                if (ready.isDone()) {
                    markRebuildEnd();
                }
            }
        }
        nextOffset = offset + 1;
        LogEvent event;
        try {
            event = LogEvent.decode(body);
        } catch (IllegalArgumentException e) {
            log.warn("definitions stream '{}': skipped offset {}: {}", settings.stream(), offset, e.getMessage());
            return;
        }
        if (rebuild != null) {
            keep(offset, id, event, body.length);
            return;
        }
        apply(offset, id, event, body.length);
    }

    /** While rebuilding after the log was loaded, a sync event bounds the wait for a snapshot. */
    private void markRebuildEnd() {
        String id = UUID.randomUUID().toString();
        CompletableFuture<Optional<Definition>> back = new CompletableFuture<>();
        waiters.put(id, back);
        back.thenRun(() -> onThread(() -> {
            if (rebuild != null) {
                giveUpRebuild();
            }
        }));
        publish(id, new LogEvent.Sync()).whenComplete((ok, e) -> {
            if (e != null) {
                waiters.remove(id);
            }
        });
    }

    private void keep(long offset, String id, LogEvent event, int size) {
        if (event instanceof LogEvent.Snapshot s && s.covers() >= rebuild.firstOffset() - 1) {
            Map<DefinitionState.Key, Integer> sizes = new HashMap<>();
            s.entries().forEach(d -> sizes.put(new DefinitionState.Key(d.kind(), d.name()), size(d.value())));
            List<DefinitionChange> changes = state.replaceAll(s.entries(), sizes);
            List<Kept> after =
                    rebuild.kept().stream().filter(k -> k.offset() > s.covers()).toList();
            rebuild = null;
            log.info(
                    "definitions stream '{}': rebuilt from the snapshot at offset {} (covering up to {})",
                    settings.stream(),
                    offset,
                    s.covers());
            announce(changes);
            bytesSinceSnapshot = 0;
            eventsSinceSnapshot = 0;
            for (Kept k : after) {
                apply(k.offset(), k.id(), k.event(), k.size());
            }
            apply(offset, id, event, size);
            return;
        }
        rebuild.kept().add(new Kept(offset, id, event, size));
        if (event instanceof LogEvent.Sync) {
            // One of ours marks the end of what was written when the rebuild began: whoever waits gives up.
            complete(id, Optional.empty());
        }
    }

    /** A write of this instance that a snapshot covers: whether it was applied shows in the snapshot's state. */
    private void settleCovered(Kept k) {
        Optional<Definition> now = switch (k.event()) {
            case LogEvent.Put p -> state.get(p.kind(), p.name()).filter(d -> d.revision() == k.offset());
            case LogEvent.Delete d -> Optional.empty();
            default -> Optional.empty();
        };
        CompletableFuture<Optional<Definition>> w = k.id() == null ? null : waiters.remove(k.id());
        if (w == null) {
            return;
        }
        if (k.event() instanceof LogEvent.Put && now.isEmpty()) {
            w.completeExceptionally(new BrokerTimeoutException(
                    "the definitions were rebuilt from a snapshot meanwhile; read them again to see whether the"
                            + " change holds"));
        } else if (k.event() instanceof LogEvent.Delete d) {
            w.completeExceptionally(new BrokerTimeoutException(
                    "the definitions were rebuilt from a snapshot meanwhile; read them again to see whether '"
                            + d.name() + "' is gone"));
        } else {
            w.complete(now);
        }
    }

    /**
     * The offset of the first event the stream still holds, read with a consumer of its own; the largest long when it
     * cannot be read now (then the caller assumes the worst).
     */
    private long firstOffset() {
        CompletableFuture<Long> first = new CompletableFuture<>();
        Channel probe = null;
        try {
            probe = channel.getConnection().createChannel();
            probe.basicQos(1);
            Channel ch = probe;
            probe.basicConsume(settings.stream(), false, Map.of(OFFSET, "first"), new DefaultConsumer(ch) {
                @Override
                public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties props, byte[] body) {
                    Object o = props.getHeaders() == null
                            ? null
                            : props.getHeaders().get(OFFSET);
                    first.complete(o instanceof Number n ? n.longValue() : -1L);
                }
            });
            return first.get(5, TimeUnit.SECONDS);
        } catch (IOException | RuntimeException | TimeoutException | java.util.concurrent.ExecutionException e) {
            log.warn("cannot read where definitions stream '{}' starts: {}", settings.stream(), e.toString());
            return Long.MAX_VALUE;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Long.MAX_VALUE;
        } finally {
            if (probe != null && probe.isOpen()) {
                try {
                    probe.close();
                } catch (IOException | TimeoutException | RuntimeException e) {
                    // gone already
                }
            }
        }
    }

    /** No snapshot covers where the stream now starts: go on with what was read, and say what may be lost. */
    private void giveUpRebuild() {
        Rebuild r = rebuild;
        rebuild = null;
        log.error(
                "definitions stream '{}' starts at offset {} and no snapshot covers what came before: definitions"
                        + " changed before that offset may be missing or stale",
                settings.stream(),
                r.firstOffset());
        for (Kept k : r.kept()) {
            apply(k.offset(), k.id(), k.event(), k.size());
        }
    }

    private void apply(long offset, String id, LogEvent event, int size) {
        boolean own = id != null && waiters.containsKey(id);
        bytesSinceSnapshot += size;
        eventsSinceSnapshot++;
        switch (event) {
            case LogEvent.Put p -> settle(id, state.put(p, offset, size(p.value())));
            case LogEvent.Delete d -> settle(id, state.delete(d));
            case LogEvent.Snapshot s -> {
                bytesSinceSnapshot = 0;
                eventsSinceSnapshot = 0;
                snapshotPending = false;
            }
            case LogEvent.Sync s -> complete(id, Optional.empty());
        }
        if (own && (event instanceof LogEvent.Put || event instanceof LogEvent.Delete)) {
            maybeSnapshot(offset);
        }
    }

    private void settle(String id, DefinitionState.Result result) {
        switch (result) {
            case DefinitionState.Applied a -> {
                announce(List.of(a.change()));
                complete(id, a.change().after().or(() -> a.change().before()));
            }
            case DefinitionState.Refused r -> {
                CompletableFuture<Optional<Definition>> w = id == null ? null : waiters.remove(id);
                if (w != null) {
                    w.completeExceptionally(r.reason());
                }
            }
        }
    }

    private void complete(String id, Optional<Definition> result) {
        CompletableFuture<Optional<Definition>> w = id == null ? null : waiters.remove(id);
        if (w != null) {
            w.complete(result);
        }
    }

    /** After one of this instance's own writes: the compaction rule of {@link DefinitionsLogSettings}. */
    private void maybeSnapshot(long offset) {
        if (snapshotPending
                || (bytesSinceSnapshot <= settings.snapshotAfterBytes()
                        && eventsSinceSnapshot <= settings.snapshotAfterEvents())) {
            return;
        }
        snapshotPending = true;
        LogEvent.Snapshot snapshot = new LogEvent.Snapshot(offset, Instant.now(), state.all());
        publish(UUID.randomUUID().toString(), snapshot).whenComplete((ok, e) -> {
            if (e != null) {
                log.warn(
                        "definitions stream '{}': snapshot not written: {}",
                        settings.stream(),
                        unwrap(e).toString());
                onThread(() -> snapshotPending = false);
            }
        });
    }

    private void announce(List<DefinitionChange> changes) {
        if (!ready.isDone()) {
            return; // listeners get the whole state once loaded
        }
        for (DefinitionChange c : changes) {
            for (DefinitionListener l : listeners.getOrDefault(c.kind(), List.of())) {
                call(l, c);
            }
        }
    }

    private void call(DefinitionListener listener, DefinitionChange change) {
        try {
            listener.changed(change);
        } catch (RuntimeException e) {
            log.error("a listener of definitions of kind '{}' failed on '{}'", change.kind(), change.name(), e);
        }
    }

    /** Stops following the stream; writes still waiting fail. The connection is the caller's. */
    @Override
    public void close() {
        closed = true;
        connection.removeListener(this);
        try {
            thread.submit(() -> {
                        Channel ch = channel;
                        channel = null;
                        generation++;
                        if (ch != null && ch.isOpen()) {
                            try {
                                ch.close();
                            } catch (IOException | TimeoutException | RuntimeException e) {
                                // gone already
                            }
                        }
                    })
                    .get(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException | TimeoutException | RejectedExecutionException e) {
            log.debug("closing definitions log: {}", e.toString());
        }
        thread.shutdownNow();
        BrokerUnavailableException closing = new BrokerUnavailableException("the service is stopping", Duration.ZERO);
        waiters.values().forEach(w -> w.completeExceptionally(closing));
        waiters.clear();
        ready.completeExceptionally(closing);
    }
}
