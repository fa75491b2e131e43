package io.queueservice.server.schemas;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Schema;
import io.queueservice.broker.BrokerException;
import io.queueservice.broker.BrokerTimeoutException;
import io.queueservice.broker.ResourceNotFoundException;
import io.queueservice.server.security.Scope;
import io.queueservice.validation.InvalidRequestException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Message schemas: a JSON Schema (2020-12) attached to the messages published to an exchange, with one
 * routing key or with any, checked before a message is published. Kept in a {@link SchemaStore} shared by
 * every instance; each instance compiles each schema once, when it is defined or loaded, never per message.
 *
 * <p>A message is checked against the schema of its exchange and routing key when there is one, else against
 * the schema of its exchange for any routing key, else not at all.
 *
 * <p>{@link #check} is called for every publish, on an event loop: it reads one immutable map and, only for
 * messages that have a schema, parses and validates them. The writes ({@link #define}, {@link #delete}) wait
 * for the store: call them off an event loop.
 */
public final class MessageSchemas {
    private static final Logger log = LoggerFactory.getLogger(MessageSchemas.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The most a schema may weigh, as JSON. */
    public static final int MAX_SCHEMA_BYTES = 64 * 1024;

    private static final Duration WRITE_TIMEOUT = Duration.ofSeconds(15);

    /**
     * A schema as defined.
     *
     * @param schema the schema as given (read-only)
     * @param updatedAt when it was last defined
     */
    public record Defined(SchemaTarget target, JsonNode schema, Instant updatedAt) {}

    private record Compiled(Defined defined, Schema schema) {}

    /** The schemas of one exchange: for any routing key (or null), and for some routing keys. */
    private record OfExchange(Compiled any, Map<String, Compiled> byRoutingKey) {}

    private final SchemaStore store;
    private final SchemaCompiler compiler = new SchemaCompiler();

    /** Every schema, by target; changed by the store's listener only, under this object's lock. */
    private final Map<SchemaTarget, Compiled> current = new HashMap<>();

    /** What {@link #check} reads: rebuilt from {@link #current} after each change, never changed in place. */
    private volatile Map<String, OfExchange> byExchange = Map.of();

    /** Follows {@code store}: every schema it holds is compiled before this returns or as it arrives. */
    public MessageSchemas(SchemaStore store) {
        this.store = store;
        store.follow(new SchemaStore.Listener() {
            @Override
            public void defined(String name, ObjectNode value, Instant updatedAt) {
                load(name, value, updatedAt);
            }

            @Override
            public void deleted(String name) {
                SchemaTarget.fromStoreName(name).ifPresent(MessageSchemas.this::unload);
            }
        });
    }

    // --- the publish path

    /**
     * Checks a message about to be published to {@code exchange} with {@code routingKey}.
     *
     * @param message the message's JSON text
     * @throws MessageRejectedException when its schema refuses it
     */
    public void check(String exchange, String routingKey, byte[] message) {
        Map<String, OfExchange> schemas = byExchange;
        if (schemas.isEmpty()) {
            return;
        }
        OfExchange of = schemas.get(exchange.isEmpty() ? Scope.DEFAULT_EXCHANGE : exchange);
        if (of == null) {
            return;
        }
        Compiled compiled = of.byRoutingKey().get(routingKey);
        if (compiled == null) {
            compiled = of.any();
        }
        if (compiled == null) {
            return;
        }
        List<MessageRejectedException.MessageError> errors = SchemaCompiler.validate(compiled.schema(), message);
        if (!errors.isEmpty()) {
            throw new MessageRejectedException(compiled.defined().target(), errors);
        }
    }

    // --- reads

    /** Every schema, by exchange then routing key (the one for any routing key first). */
    public synchronized List<Defined> list() {
        return current.values().stream()
                .map(Compiled::defined)
                .sorted(Comparator.comparing((Defined d) -> d.target().exchange())
                        .thenComparing(d -> d.target().routingKey().orElse(""))
                        .thenComparing(d -> d.target().routingKey().isPresent()))
                .toList();
    }

    public synchronized Optional<Defined> get(SchemaTarget target) {
        return Optional.ofNullable(current.get(target)).map(Compiled::defined);
    }

    /** @throws ResourceNotFoundException when {@code target} has no schema */
    public Defined require(SchemaTarget target) {
        return get(target).orElseThrow(() -> notFound(target));
    }

    // --- writes

    /**
     * Attaches {@code schema} to the messages of {@code target}, in place of the one they had. Every instance
     * applies it within moments; this one before returning.
     *
     * @return true when the target had no schema before
     * @throws InvalidRequestException (field {@code schema}) when it is not a self-contained JSON Schema 2020-12,
     *     or weighs more than {@value #MAX_SCHEMA_BYTES} bytes
     * @throws BrokerException when the store cannot take it now
     */
    public boolean define(SchemaTarget target, JsonNode schema) {
        String text = schema.toString();
        int size = text.getBytes(StandardCharsets.UTF_8).length;
        if (size > MAX_SCHEMA_BYTES) {
            throw new InvalidRequestException(
                    "schema", "is " + size + " bytes as JSON; a schema may weigh at most " + MAX_SCHEMA_BYTES);
        }
        compiler.compile("schema", text); // refused here, before anything is stored
        ObjectNode value = JSON.createObjectNode().put("exchange", target.exchange());
        target.routingKey().ifPresent(k -> value.put("routingKey", k));
        value.set("schema", schema);
        boolean created = get(target).isEmpty();
        await(store.put(target.storeName(), value));
        return created;
    }

    /**
     * Removes the schema of {@code target}: its messages are no longer checked.
     *
     * @throws ResourceNotFoundException when it has none
     * @throws BrokerException when the store cannot take it now
     */
    public void delete(SchemaTarget target) {
        try {
            await(store.delete(target.storeName()));
        } catch (ResourceNotFoundException e) {
            throw notFound(target);
        }
    }

    private static ResourceNotFoundException notFound(SchemaTarget target) {
        return target.routingKey()
                .map(k -> new ResourceNotFoundException(
                        "schema of exchange '" + target.exchange() + "' for routing key", k))
                .orElseGet(() ->
                        new ResourceNotFoundException("schema for any routing key of exchange", target.exchange()));
    }

    private static void await(CompletableFuture<Void> write) {
        try {
            write.get(WRITE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(e.getCause());
        } catch (TimeoutException e) {
            throw new BrokerTimeoutException("the schema store did not confirm the change in time; read it again");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BrokerTimeoutException("interrupted while waiting for the schema store");
        }
    }

    // --- the store's changes

    private void load(String name, ObjectNode value, Instant updatedAt) {
        Optional<SchemaTarget> target = SchemaTarget.fromStoreName(name);
        JsonNode schema = value.get("schema");
        if (target.isEmpty() || schema == null) {
            log.warn("message schemas: ignored the stored definition '{}', which is not a schema", name);
            return;
        }
        Schema compiled;
        try {
            compiled = compiler.compile("schema", schema.toString());
        } catch (InvalidRequestException e) {
            // Checked when defined; refused now only by another version of the service. Better unchecked
            // messages than every message of the exchange refused.
            log.error(
                    "message schemas: the schema of {} cannot be compiled here, so its messages are not checked: {}",
                    name,
                    e.getMessage());
            unload(target.get());
            return;
        }
        synchronized (this) {
            current.put(target.get(), new Compiled(new Defined(target.get(), schema, updatedAt), compiled));
            rebuild();
        }
    }

    private synchronized void unload(SchemaTarget target) {
        if (current.remove(target) != null) {
            rebuild();
        }
    }

    /** Called with the lock held. */
    private void rebuild() {
        Map<String, Compiled> any = new HashMap<>();
        Map<String, Map<String, Compiled>> keyed = new HashMap<>();
        current.forEach((target, compiled) -> target.routingKey()
                .ifPresentOrElse(
                        key -> keyed.computeIfAbsent(target.exchange(), e -> new HashMap<>())
                                .put(key, compiled),
                        () -> any.put(target.exchange(), compiled)));
        Map<String, OfExchange> next = new HashMap<>();
        for (String exchange : union(any.keySet(), keyed.keySet())) {
            next.put(exchange, new OfExchange(any.get(exchange), Map.copyOf(keyed.getOrDefault(exchange, Map.of()))));
        }
        byExchange = Map.copyOf(next);
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> all = new HashSet<>(a);
        all.addAll(b);
        return all;
    }
}
