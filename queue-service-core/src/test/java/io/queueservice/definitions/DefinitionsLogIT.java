package io.queueservice.definitions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import io.queueservice.broker.BrokerConnection;
import io.queueservice.broker.ResourceConflictException;
import io.queueservice.broker.ResourceNotFoundException;
import io.queueservice.config.BrokerConfig;
import io.queueservice.config.ConfigReader;
import io.queueservice.config.PublishConfig;
import io.queueservice.metrics.PublishMetrics;
import io.queueservice.publish.ConfirmingPublisher;
import io.queueservice.testing.SharedBroker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The definitions log on the shared broker, each test on a stream of its own, with several instances. */
class DefinitionsLogIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String KIND = "subscription";

    private final List<AutoCloseable> open = new ArrayList<>();
    private final String stream = SharedBroker.uniqueName("it-definitions");

    /** One service instance's side of the log: its own connection and publisher. */
    static final class Instance implements AutoCloseable {
        final BrokerConnection connection;
        final ConfirmingPublisher publisher;
        final DefinitionsLog log;

        Instance(String url, DefinitionsLogSettings settings) {
            ConfigReader env = new ConfigReader(Map.of("RABBITMQ_URL", url, "RABBITMQ_CONNECTION_TIMEOUT", "1000"));
            connection = new BrokerConnection(BrokerConfig.from(env), "definitions-it", Duration.ofSeconds(5));
            publisher = new ConfirmingPublisher(
                    connection,
                    new io.queueservice.broker.KnownExchanges(),
                    PublishConfig.from(env),
                    PublishMetrics.NO_OP);
            connection.start();
            log = DefinitionsLog.start(connection, publisher, settings);
        }

        @Override
        public void close() {
            log.close();
            publisher.close();
            connection.close();
        }
    }

    private Instance instance(DefinitionsLogSettings settings) {
        Instance i = new Instance(SharedBroker.url(), settings);
        open.add(i);
        assertThat(i.log.awaitReady(Duration.ofSeconds(10))).as("loaded").isTrue();
        return i;
    }

    private Instance instance() {
        return instance(DefinitionsLogSettings.defaults(stream));
    }

    @AfterEach
    void cleanUp() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
        try (Connection c = SharedBroker.connect()) {
            c.createChannel().queueDelete(stream);
        }
    }

    private static ObjectNode value(String endpoint) {
        return JSON.createObjectNode().put("endpoint", endpoint);
    }

    @Test
    void aWriteIsReadBackByItsWriterAndAppliedByAnotherInstanceWithinTwoSeconds() {
        Instance a = instance();
        Instance b = instance();
        List<DefinitionChange> seenByB = new CopyOnWriteArrayList<>();
        b.log.addListener(KIND, seenByB::add);

        long started = System.nanoTime();
        Definition written = a.log.put(KIND, "orders", value("https://a"), Precondition.absent())
                .join();
        // Read your writes: once the future completed, the writer's own reads see it.
        assertThat(a.log.get(KIND, "orders")).contains(written);
        await().atMost(Duration.ofSeconds(2))
                .until(() -> b.log.get(KIND, "orders").isPresent());
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(2));
        assertThat(b.log.get(KIND, "orders").orElseThrow()).isEqualTo(written);
        await().atMost(Duration.ofSeconds(2)).until(() -> seenByB.size() == 1);
        assertThat(seenByB.get(0).before()).isEmpty();
        assertThat(seenByB.get(0).after()).contains(written);

        a.log.delete(KIND, "orders", Precondition.revision(written.revision())).join();
        assertThat(a.log.get(KIND, "orders")).isEmpty();
        await().atMost(Duration.ofSeconds(2))
                .until(() -> b.log.get(KIND, "orders").isEmpty());
        await().atMost(Duration.ofSeconds(2)).until(() -> seenByB.size() == 2);
        assertThat(seenByB.get(1).deleted()).isTrue();
    }

    @Test
    void ofTwoCreatesOfOneNameOnTwoInstancesExactlyOneWins() {
        Instance a = instance();
        Instance b = instance();
        for (int round = 0; round < 5; round++) {
            String name = "race-" + round;
            CompletableFuture<Definition> fromA = a.log.put(KIND, name, value("https://a"), Precondition.absent());
            CompletableFuture<Definition> fromB = b.log.put(KIND, name, value("https://b"), Precondition.absent());
            List<Throwable> failures = new ArrayList<>();
            List<Definition> wins = new ArrayList<>();
            for (CompletableFuture<Definition> f : List.of(fromA, fromB)) {
                try {
                    wins.add(f.join());
                } catch (CompletionException e) {
                    failures.add(e.getCause());
                }
            }
            assertThat(wins).hasSize(1);
            assertThat(failures).singleElement().isInstanceOf(ResourceConflictException.class);
            await().atMost(Duration.ofSeconds(2))
                    .until(() -> b.log.get(KIND, name).equals(a.log.get(KIND, name)));
            assertThat(a.log.get(KIND, name)).contains(wins.get(0));
        }
    }

    @Test
    void conditionalWritesAreRefusedWhenTheirPreconditionFails() {
        Instance a = instance();
        Definition first =
                a.log.put(KIND, "x", value("https://1"), Precondition.absent()).join();
        Definition second = a.log.put(KIND, "x", value("https://2"), Precondition.revision(first.revision()))
                .join();
        assertThat(second.revision()).isGreaterThan(first.revision());

        assertThatThrownBy(() -> a.log.put(KIND, "x", value("https://3"), Precondition.revision(first.revision()))
                        .join())
                .hasCauseInstanceOf(ResourceConflictException.class)
                .hasMessageContaining("changed by another request");
        assertThatThrownBy(() -> a.log.put(KIND, "x", value("https://3"), Precondition.absent())
                        .join())
                .hasCauseInstanceOf(ResourceConflictException.class)
                .hasMessageContaining("already exists");
        assertThatThrownBy(
                        () -> a.log.delete(KIND, "missing", Precondition.any()).join())
                .hasCauseInstanceOf(ResourceNotFoundException.class);
        assertThatThrownBy(() -> a.log.put(KIND, "missing", value("https://3"), Precondition.revision(1))
                        .join())
                .hasCauseInstanceOf(ResourceNotFoundException.class);
        assertThat(a.log.get(KIND, "x").orElseThrow().value().path("endpoint").asText())
                .isEqualTo("https://2");
        assertThat(a.log.definitions("other")).isEmpty();
    }

    @Test
    void anInstanceStartedLaterLoadsEverythingAndListenersGetTheStateFirst() {
        Instance a = instance();
        for (int i = 0; i < 20; i++) {
            a.log.put(KIND, "s" + i, value("https://" + i), Precondition.any()).join();
        }
        a.log.delete(KIND, "s3", Precondition.any()).join();
        a.log.put("schema", "s1", value("https://schema"), Precondition.any()).join();

        Instance late = instance();
        assertThat(late.log.definitions(KIND)).isEqualTo(a.log.definitions(KIND));
        assertThat(late.log.definitions(KIND)).hasSize(19).doesNotContainKey("s3");
        assertThat(late.log.definitions("schema")).containsOnlyKeys("s1");
        List<DefinitionChange> seen = new CopyOnWriteArrayList<>();
        late.log.addListener(KIND, seen::add);
        await().atMost(Duration.ofSeconds(2)).until(() -> seen.size() == 19);
        assertThat(seen).allMatch(c -> c.before().isEmpty() && c.after().isPresent());
    }

    /**
     * With small retention settings, hundreds of writes from two instances at once (both compacting) make
     * the broker drop old segments; an instance started afterwards still rebuilds the same state.
     */
    @Test
    void compactionKeepsTheStateWhenRetentionDropsOldSegments() throws Exception {
        DefinitionsLogSettings small =
                new DefinitionsLogSettings(stream, 400_000, 20_000, 40_000, 100, 60_000, 2_000, Duration.ofSeconds(5));
        Instance a = instance(small);
        Instance b = instance(small);
        String padding = "p".repeat(300);
        List<CompletableFuture<Definition>> writes = new ArrayList<>();
        for (int i = 0; i < 1500; i++) {
            Instance w = i % 2 == 0 ? a : b;
            // 40 names, rewritten over and over: the state stays small while the stream grows.
            writes.add(w.log.put(KIND, "n" + (i % 40), value("https://" + i + "/" + padding), Precondition.any()));
            if (writes.size() == 50) {
                writes.forEach(CompletableFuture::join);
                writes.clear();
            }
        }
        writes.forEach(CompletableFuture::join);
        await().atMost(Duration.ofSeconds(5))
                .until(() -> a.log.definitions(KIND).equals(b.log.definitions(KIND)));

        assertThat(firstOffset()).as("retention dropped the first segments").isGreaterThan(0);
        Instance late = instance(small);
        assertThat(endpoints(late)).isEqualTo(endpoints(a));
        assertThat(late.log.definitions(KIND)).isEqualTo(a.log.definitions(KIND));
        // And it follows on from there.
        a.log.put(KIND, "after", value("https://after"), Precondition.absent()).join();
        await().atMost(Duration.ofSeconds(2))
                .until(() -> late.log.get(KIND, "after").isPresent());
    }

    private static Map<String, String> endpoints(Instance i) {
        return i.log.definitions(KIND).values().stream()
                .collect(Collectors.toMap(
                        Definition::name, d -> d.value().path("endpoint").asText()));
    }

    /** The offset of the first message the stream still holds. */
    private long firstOffset() throws Exception {
        try (Connection c = SharedBroker.connect()) {
            Channel ch = c.createChannel();
            ch.basicQos(10);
            AtomicLong first = new AtomicLong(-1);
            CompletableFuture<Void> got = new CompletableFuture<>();
            ch.basicConsume(stream, false, Map.of("x-stream-offset", "first"), new DefaultConsumer(ch) {
                @Override
                public void handleDelivery(String tag, Envelope e, AMQP.BasicProperties p, byte[] body) {
                    if (first.compareAndSet(-1, ((Number) p.getHeaders().get("x-stream-offset")).longValue())) {
                        got.complete(null);
                    }
                }
            });
            got.get(5, TimeUnit.SECONDS);
            return first.get();
        }
    }
}
