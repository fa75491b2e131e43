package io.queueservice.server.push;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.rabbitmq.client.GetResponse;
import io.queueservice.broker.ResourceConflictException;
import io.queueservice.broker.ResourceNotFoundException;
import io.queueservice.validation.InvalidRequestException;
import io.queueservice.validation.Violation;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Push subscriptions delivering to real HTTP receivers on 127.0.0.1, from queues on the shared broker: what
 * arrives, signed how, retried when, dead-lettered with what, paused by what.
 */
class PushDeliveryIT {
    private PushFixture fixture;
    private Receiver receiver;

    @BeforeEach
    void setUp() throws Exception {
        fixture = new PushFixture();
        receiver = new Receiver();
    }

    @AfterEach
    void tearDown() throws Exception {
        receiver.close();
        fixture.close();
    }

    private static SubscriptionRequest request(String name, String queue, String endpoint) {
        return new SubscriptionRequest(name, queue, endpoint, null, null, 2000, 4, null);
    }

    @Test
    void everyMessageArrivesOnceWithItsBodySignatureAndHeaders() throws Exception {
        PushSubscriptions push = fixture.instance();
        String queue = fixture.queue("push-all");
        SubscriptionView created = push.subscriptions()
                .create(new SubscriptionRequest(
                        "all",
                        queue,
                        receiver.url("/in"),
                        null,
                        null,
                        null,
                        null,
                        Map.of("Authorization", "Bearer t0k")));
        String secret = created.secret();
        assertThat(secret).startsWith("whsec_");
        assertThat(java.util.Base64.getDecoder().decode(secret.substring(6))).hasSize(32);
        assertThat(created.maxAttempts()).as("MAX_RETRIES + 1").isEqualTo(5);
        assertThat(created.timeoutMs()).isEqualTo(10_000);
        assertThat(created.concurrency()).isEqualTo(8);

        List<String> ids = fixture.publish(queue, 300, "m");
        await().atMost(Duration.ofSeconds(30)).until(() -> receiver.ids("/in").size() == 300);
        await().atMost(Duration.ofSeconds(10)).until(() -> fixture.depth(queue) == 0);
        assertThat(receiver.ids("/in")).containsExactlyInAnyOrderElementsOf(ids);
        assertThat(receiver.requests("/in")).hasSize(300); // all answered 2xx the first time: no duplicates
        for (Receiver.Request r : receiver.requests("/in")) {
            assertThat(r.signedWith(secret))
                    .as("signature of %s", r.header("webhook-id"))
                    .isTrue();
            int n = Integer.parseInt(r.header("webhook-id").substring(2));
            assertThat(r.bodyText()).isEqualTo("{\"n\":" + n + ",\"id\":\"m-" + n + "\"}");
            assertThat(r.header("content-type")).isEqualTo("application/json");
            assertThat(r.header("qs-attempt")).isEqualTo("1");
            assertThat(r.header("qs-queue")).isEqualTo(queue);
            assertThat(r.header("qs-exchange")).isEmpty();
            assertThat(r.header("qs-routing-key")).isEqualTo(queue);
            assertThat(r.header("authorization")).isEqualTo("Bearer t0k");
            assertThat(r.header("traceparent")).isEqualTo("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
            assertThat(Long.parseLong(r.header("webhook-timestamp")))
                    .isCloseTo(System.currentTimeMillis() / 1000, org.assertj.core.data.Offset.offset(60L));
        }
        SubscriptionView view = push.subscriptions().get("all");
        assertThat(view.secret()).isEqualTo("whsec_****");
        assertThat(view.headers()).containsExactly(Map.entry("Authorization", "****"));
        assertThat(view.state()).isEqualTo("active");
        assertThat(view.counts().delivered()).isEqualTo(300);
        assertThat(view.counts().failedAttempts()).isZero();
        assertThat(fixture.registry.scrape())
                .contains("queue_push_deliveries_total{outcome=\"delivered\",subscription=\"all\"} 300.0")
                .contains("queue_push_delivery_seconds_bucket{subscription=\"all\"")
                .contains("queue_push_circuit_state{subscription=\"all\"} 0.0");
    }

    @Test
    void aMessageThatFailsTwiceWithHttp500IsDeliveredOnTheThirdAttemptWithTheSameId() throws Exception {
        PushSubscriptions push = fixture.instance();
        String queue = fixture.queue("push-500");
        push.subscriptions().create(request("flaky", queue, receiver.url("/in")));
        AtomicInteger calls = new AtomicInteger();
        receiver.behave(r ->
                calls.incrementAndGet() <= 2 ? Receiver.Answer.of(500).withBody("not yet") : Receiver.Answer.of(204));
        fixture.publish(queue, 1, "once");

        await().atMost(Duration.ofSeconds(15))
                .until(() -> receiver.requests("/in").size() == 3);
        List<Receiver.Request> got = receiver.requests("/in");
        assertThat(got).extracting(Receiver.Request::attempt).containsExactly(1, 2, 3);
        assertThat(got).extracting(r -> r.header("webhook-id")).containsOnly("once-0");
        // The worker's backoff (INITIAL_RETRY_DELAY=100): the second retry waits longer than the first.
        assertThat(Duration.ofNanos(got.get(1).receivedAtNanos() - got.get(0).receivedAtNanos()))
                .isGreaterThanOrEqualTo(Duration.ofMillis(50));
        await().atMost(Duration.ofSeconds(5)).until(() -> fixture.depth(queue) == 0);
        await().during(Duration.ofMillis(500))
                .until(() -> receiver.requests("/in").size() == 3);
        SubscriptionView v = push.subscriptions().get("flaky");
        assertThat(v.counts()).isEqualTo(new SubscriptionView.Counts(1, 2, 0));
        assertThat(v.lastError().httpStatus()).isEqualTo(500);
        assertThat(fixture.depth(queue + ".dlq")).isZero();
    }

    @Test
    void retryAfterOfA429IsWaitedFor() throws Exception {
        PushSubscriptions push = fixture.instance();
        String queue = fixture.queue("push-429");
        push.subscriptions().create(request("limited", queue, receiver.url("/in")));
        AtomicInteger calls = new AtomicInteger();
        receiver.behave(r -> calls.incrementAndGet() == 1
                ? Receiver.Answer.of(429).withHeader("Retry-After", "1")
                : Receiver.Answer.of(204));
        fixture.publish(queue, 1, "slow");

        await().atMost(Duration.ofSeconds(10))
                .until(() -> receiver.requests("/in").size() == 2);
        List<Receiver.Request> got = receiver.requests("/in");
        // Without Retry-After the first retry would come after 50-100 ms (INITIAL_RETRY_DELAY=100).
        assertThat(Duration.ofNanos(got.get(1).receivedAtNanos() - got.get(0).receivedAtNanos()))
                .isGreaterThanOrEqualTo(Duration.ofMillis(950));
        assertThat(got.get(1).attempt()).isEqualTo(2);
    }

    @Test
    void anEndpointTooSlowForTheTimeoutIsAFailedAttemptRetriedLater() throws Exception {
        PushSubscriptions push = fixture.instance();
        String queue = fixture.queue("push-timeout");
        push.subscriptions()
                .create(new SubscriptionRequest("slow", queue, receiver.url("/in"), null, null, 300, 1, null));
        AtomicInteger calls = new AtomicInteger();
        receiver.behave(
                r -> calls.incrementAndGet() == 1 ? Receiver.Answer.of(204).after(2_000) : Receiver.Answer.of(204));
        fixture.publish(queue, 1, "t");

        await().atMost(Duration.ofSeconds(10))
                .until(() -> receiver.requests("/in").size() >= 2);
        await().atMost(Duration.ofSeconds(5)).until(() -> fixture.depth(queue) == 0);
        assertThat(receiver.requests("/in").get(1).attempt()).isEqualTo(2);
        SubscriptionView v = push.subscriptions().get("slow");
        assertThat(v.counts().failedAttempts()).isEqualTo(1);
        assertThat(v.counts().delivered()).isEqualTo(1);
        assertThat(v.lastError().cause()).contains("no answer within 300 ms");
        assertThat(v.lastError().httpStatus()).isNull();
    }

    @Test
    void afterMaxAttemptsAMessageIsDeadLetteredWithTheLastStatusAndAnswer() throws Exception {
        PushSubscriptions push = fixture.instance();
        String queue = fixture.queue("push-dlq");
        push.subscriptions()
                .create(new SubscriptionRequest("doomed", queue, receiver.url("/in"), null, 3, 2000, 1, null));
        String answer = "x".repeat(1500);
        receiver.behave(r -> Receiver.Answer.of(502).withBody(answer));
        fixture.publish(queue, 1, "d");

        await().atMost(Duration.ofSeconds(15)).until(() -> fixture.depth(queue + ".dlq") == 1);
        assertThat(receiver.requests("/in"))
                .extracting(Receiver.Request::attempt)
                .containsExactly(1, 2, 3);
        GetResponse dead = fixture.get(queue + ".dlq");
        assertThat(new String(dead.getBody(), StandardCharsets.UTF_8)).isEqualTo("{\"n\":0,\"id\":\"d-0\"}");
        Map<String, Object> h = dead.getProps().getHeaders();
        assertThat(String.valueOf(h.get("qs-failure-reason")))
                .isEqualTo("retries exhausted after 3 attempts; last: the endpoint answered HTTP 502");
        assertThat(String.valueOf(h.get("qs-push-last-status"))).isEqualTo("502");
        assertThat(String.valueOf(h.get("qs-push-last-response"))).isEqualTo("x".repeat(1000));
        assertThat(String.valueOf(h.get("qs-attempt"))).isEqualTo("3");
        assertThat(String.valueOf(h.get("qs-original-routing-key"))).isEqualTo(queue);
        assertThat(dead.getProps().getMessageId()).isEqualTo("d-0");
        SubscriptionView v = push.subscriptions().get("doomed");
        assertThat(v.counts()).isEqualTo(new SubscriptionView.Counts(0, 3, 1));
        assertThat(fixture.registry.scrape())
                .contains("queue_push_deliveries_total{outcome=\"dead_lettered\",subscription=\"doomed\"} 1.0");
    }

    @Test
    void http410PausesTheSubscriptionUntilItIsResumed() throws Exception {
        PushSubscriptions push = fixture.instance();
        String queue = fixture.queue("push-410");
        push.subscriptions().create(request("gone", queue, receiver.url("/in")));
        receiver.behave(r -> Receiver.Answer.of(410));
        fixture.publish(queue, 3, "g");

        await().atMost(Duration.ofSeconds(10))
                .until(() -> "paused".equals(push.subscriptions().get("gone").state()));
        SubscriptionView paused = push.subscriptions().get("gone");
        assertThat(paused.pausedReason()).contains("410 Gone");
        assertThat(paused.pausedAt()).isNotNull();
        int seen = receiver.requests("/in").size();
        // Paused: nothing more is delivered; the messages wait.
        await().during(Duration.ofSeconds(2))
                .atMost(Duration.ofSeconds(3))
                .until(() -> receiver.requests("/in").size() == seen);

        receiver.behave(r -> Receiver.Answer.of(204));
        assertThat(push.subscriptions().resume("gone").state()).isEqualTo("active");
        await().atMost(Duration.ofSeconds(15))
                .until(() -> fixture.depth(queue) == 0
                        && push.subscriptions().get("gone").counts().delivered() == 3);
        // Put back as they were: a 410 used up none of their attempts.
        assertThat(receiver.requests("/in")).allMatch(r -> r.attempt() == 1);
        assertThat(fixture.depth(queue + ".dlq")).isZero();
    }

    @Test
    void aPauseThroughTheServiceStopsDeliveriesAndAResumeStartsThemAgain() throws Exception {
        PushSubscriptions push = fixture.instance();
        String queue = fixture.queue("push-pause");
        push.subscriptions().create(request("p", queue, receiver.url("/in")));
        assertThat(push.subscriptions().pause("p").state()).isEqualTo("paused");
        // The pause is applied before pause() returns; deliverers follow it within moments.
        await().atMost(Duration.ofSeconds(2))
                .until(() -> push.runner().deliverer("p").isEmpty());
        fixture.publish(queue, 5, "p");
        await().during(Duration.ofSeconds(1))
                .atMost(Duration.ofSeconds(2))
                .until(() -> receiver.requests().isEmpty());
        assertThat(fixture.depth(queue)).isEqualTo(5);
        push.subscriptions().resume("p");
        await().atMost(Duration.ofSeconds(10)).until(() -> receiver.ids("/in").size() == 5);
    }

    @Test
    void redirectsAreNotFollowed() throws Exception {
        PushSubscriptions push = fixture.instance();
        String queue = fixture.queue("push-302");
        push.subscriptions()
                .create(new SubscriptionRequest("moved", queue, receiver.url("/in"), null, 2, 2000, 1, null));
        receiver.behave(r -> r.path().equals("/in")
                ? Receiver.Answer.of(302).withHeader("Location", receiver.url("/elsewhere"))
                : Receiver.Answer.of(204));
        fixture.publish(queue, 1, "r");

        await().atMost(Duration.ofSeconds(10)).until(() -> fixture.depth(queue + ".dlq") == 1);
        assertThat(receiver.requests("/elsewhere")).isEmpty();
        assertThat(receiver.requests("/in")).hasSize(2);
        assertThat(push.subscriptions().get("moved").lastError().cause())
                .contains("302")
                .contains("not followed");
    }

    @Test
    void theCircuitBreakerPausesAFailingEndpointThenProbesAndResumes() throws Exception {
        fixture.set("CIRCUIT_BREAKER_MIN_CALLS", "4")
                .set("CIRCUIT_BREAKER_WINDOW", "4")
                .set("CIRCUIT_BREAKER_FAILURE_RATE", "50")
                .set("CIRCUIT_BREAKER_OPEN_WAIT", "1500")
                .set("MAX_RETRIES", "20");
        PushSubscriptions push = fixture.instance();
        String queue = fixture.queue("push-breaker");
        push.subscriptions().create(request("breaker", queue, receiver.url("/in")));
        AtomicReference<Integer> status = new AtomicReference<>(503);
        receiver.behave(r -> Receiver.Answer.of(status.get()));
        List<String> ids = fixture.publish(queue, 20, "b");

        await().atMost(Duration.ofSeconds(10))
                .until(() -> "circuit-open"
                        .equals(push.subscriptions().get("breaker").state()));
        assertThat(fixture.registry.scrape())
                .containsPattern("queue_push_circuit_state\\{subscription=\"breaker\"} [12]\\.0");
        // Open: far fewer attempts than messages while it waits (20 messages, 20 retries each allowed).
        int whileOpen = receiver.requests().size();
        await().during(Duration.ofMillis(1000))
                .atMost(Duration.ofSeconds(2))
                .until(() -> receiver.requests().size() <= whileOpen + 2);

        status.set(204);
        await().atMost(Duration.ofSeconds(30))
                .until(() -> receiver.requests().stream()
                        .filter(r -> r.attempt() >= 1)
                        .map(r -> r.header("webhook-id"))
                        .collect(java.util.stream.Collectors.toSet())
                        .containsAll(ids));
        await().atMost(Duration.ofSeconds(20))
                .until(() -> "active".equals(push.subscriptions().get("breaker").state())
                        && push.subscriptions().get("breaker").counts().delivered() == 20);
        assertThat(fixture.depth(queue + ".dlq")).isZero();
    }

    @Test
    void twoInstancesShareTheDeliveriesAndLoseNothing() throws Exception {
        PushSubscriptions a = fixture.instance();
        PushSubscriptions b = fixture.instance();
        String queue = fixture.queue("push-shared");
        a.subscriptions().create(request("shared", queue, receiver.url("/in")));
        // Created through A: B delivers it too, within moments.
        await().atMost(Duration.ofSeconds(2))
                .until(() -> b.runner().deliverer("shared").isPresent());
        receiver.behave(r -> Receiver.Answer.of(204).after(2));
        List<String> ids = fixture.publish(queue, 600, "s");

        await().atMost(Duration.ofSeconds(60)).until(() -> receiver.ids("/in").size() == 600);
        assertThat(receiver.ids("/in")).containsExactlyInAnyOrderElementsOf(ids);
        long byA = a.subscriptions().get("shared").counts().delivered();
        long byB = b.subscriptions().get("shared").counts().delivered();
        assertThat(byA).as("delivered by A").isPositive();
        assertThat(byB).as("delivered by B").isPositive();
        assertThat(byA + byB).isGreaterThanOrEqualTo(600);
    }

    @Test
    void aNameThatResolvesToLoopbackAtDeliveryIsRefusedThen() throws Exception {
        // DNS rebinding: public when the subscription is created, loopback when a message is delivered.
        AtomicReference<String> answer = new AtomicReference<>("93.184.216.34");
        AddressGuard.Resolver dns = host -> host.equals("hooks.example.com")
                ? new InetAddress[] {InetAddress.getByName(answer.get())}
                : InetAddress.getAllByName(host);
        fixture.set("PUSH_ALLOWED_HOSTS", "");
        PushSubscriptions push = fixture.instance(dns);
        String queue = fixture.queue("push-rebind");
        int port = Integer.parseInt(receiver.url("").replaceAll(".*:", ""));
        push.subscriptions()
                .create(new SubscriptionRequest(
                        "rebind", queue, "http://hooks.example.com:" + port + "/in", null, 2, 500, 1, null));
        answer.set("127.0.0.1");
        fixture.publish(queue, 1, "x");

        await().atMost(Duration.ofSeconds(10)).until(() -> fixture.depth(queue + ".dlq") == 1);
        assertThat(receiver.requests()).isEmpty();
        assertThat(push.subscriptions().get("rebind").lastError().cause())
                .contains("resolves to a loopback address 127.0.0.1");
        assertThat(fixture.registry.scrape())
                .contains("queue_push_deliveries_total{outcome=\"blocked_address\",subscription=\"rebind\"} 2.0");
    }

    @Test
    void creationChecksEverythingAndNamesTheFields() throws Exception {
        fixture.set("PUSH_ALLOWED_HOSTS", "");
        PushSubscriptions push = fixture.instance();
        Subscriptions s = push.subscriptions();
        String queue = fixture.queue("push-create");

        assertThatThrownBy(() -> s.create(new SubscriptionRequest(
                        "bad name!", null, "http://10.0.0.1/", "nope", 0, 50, 99, Map.of("Content-Type", "x"))))
                .isInstanceOfSatisfying(
                        InvalidRequestException.class,
                        e -> assertThat(e.violations())
                                .extracting(Violation::field)
                                .containsExactlyInAnyOrder(
                                        "name",
                                        "queue",
                                        "endpoint",
                                        "secret",
                                        "maxAttempts",
                                        "timeoutMs",
                                        "concurrency",
                                        "headers.Content-Type"));
        for (String endpoint : List.of(
                "https://10.0.0.1/",
                "https://169.254.169.254/latest/meta-data/",
                "https://localhost/",
                "https://127.0.0.1/",
                "https://[::1]/",
                "https://[::ffff:169.254.169.254]/")) {
            assertThatThrownBy(() -> s.create(request("x", queue, endpoint)))
                    .as(endpoint)
                    .isInstanceOfSatisfying(
                            InvalidRequestException.class,
                            e -> assertThat(e.violations())
                                    .singleElement()
                                    .satisfies(v -> assertThat(v.field()).isEqualTo("endpoint")));
        }
        assertThatThrownBy(() -> s.create(request("x", "no-such-queue-" + queue, "https://93.184.216.34/")))
                .isInstanceOf(ResourceNotFoundException.class)
                .hasMessageContaining("queue");
        s.create(new SubscriptionRequest(
                "x", queue, "https://93.184.216.34/in", "whsec_" + "A".repeat(32), null, null, null, null));
        assertThatThrownBy(() -> s.create(request("x", queue, "https://93.184.216.34/")))
                .isInstanceOf(ResourceConflictException.class)
                .hasMessageContaining("already exists");
        assertThatThrownBy(() -> s.create(request("y", queue, "https://93.184.216.34/")))
                .isInstanceOf(ResourceConflictException.class)
                .hasMessageContaining("has a subscription already");
        assertThatThrownBy(() -> s.get("nope")).isInstanceOf(ResourceNotFoundException.class);
        assertThatThrownBy(() -> s.delete("nope")).isInstanceOf(ResourceNotFoundException.class);

        SubscriptionView updated =
                s.update("x", new SubscriptionRequest(null, null, "https://93.184.216.34/v2", null, 7, null, 2, null));
        assertThat(updated.endpoint()).isEqualTo("https://93.184.216.34/v2");
        assertThat(updated.maxAttempts()).isEqualTo(7);
        assertThat(updated.secret()).isEqualTo("whsec_****");
        assertThatThrownBy(
                        () -> s.update("x", new SubscriptionRequest(null, "other", null, null, null, null, null, null)))
                .isInstanceOfSatisfying(
                        InvalidRequestException.class,
                        e -> assertThat(e.violations())
                                .extracting(Violation::field)
                                .containsExactly("queue"));
        assertThat(s.list()).extracting(SubscriptionView::name).containsExactly("x");
        s.delete("x");
        assertThat(s.list()).isEmpty();
    }

    @Test
    void withoutSubscriptionsKeyCreationIsRefusedWithAClearMessage() throws Exception {
        fixture.set("SUBSCRIPTIONS_KEY", "");
        PushSubscriptions push = fixture.instance();
        String queue = fixture.queue("push-nokey");
        assertThatThrownBy(() -> push.subscriptions().create(request("k", queue, receiver.url("/in"))))
                .isInstanceOf(PushNotConfiguredException.class)
                .hasMessageContaining("SUBSCRIPTIONS_KEY")
                .hasMessageContaining("openssl rand -base64 32");
        assertThat(push.subscriptions().list()).isEmpty();
    }
}
