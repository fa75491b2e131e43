package io.queueservice.server;

import static io.queueservice.server.ApiClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import io.queueservice.server.ApiClient.Response;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.LongSummaryStatistics;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

/**
 * The load of the fault suite: a few publishers send messages with unique ids through the HTTP API, as
 * producers would, while a test breaks something. Each message's body is its id (a JSON string), so
 * what reached a queue can be compared with what was answered 2xx ({@link Verdict}).
 *
 * <p>Bounded: at most {@code maxPerPublisher} messages each, and every request has the client's own
 * timeout. A request slower than {@code hangBound} counts as a hang.
 */
final class PublishLoad implements AutoCloseable {
    /**
     * One request and its answer: the status, or 0 when the connection failed; {@code retryAfter} is the
     * answer's {@code Retry-After} header, or null; {@code detail} the problem's detail of an answer that
     * is not 2xx (what the service said went wrong), or null.
     */
    record Attempt(String id, Instant sentAt, int status, long millis, String retryAfter, String detail) {
        /** When the answer came back. */
        Instant answeredAt() {
            return sentAt.plusMillis(millis);
        }
    }

    private final String idPrefix;
    private final Duration hangBound;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Set<String> accepted = ConcurrentHashMap.newKeySet();
    private final ConcurrentLinkedQueue<Attempt> attempts = new ConcurrentLinkedQueue<>();
    private final AtomicInteger sent = new AtomicInteger();
    private final List<Thread> publishers = new ArrayList<>();

    private PublishLoad(String idPrefix, Duration hangBound) {
        this.idPrefix = idPrefix;
        this.hangBound = hangBound;
    }

    /**
     * Starts {@code publishers} threads, each publishing to {@code exchange} with {@code routingKey} one
     * message after another (a message is only sent when the previous one was answered).
     *
     * @param idPrefix makes the ids unique to this run (a test's unique name)
     * @param hangBound a request slower than this is reported as a hang (REQUEST_TIMEOUT and some margin)
     */
    static PublishLoad start(
            ApiClient api,
            String exchange,
            String routingKey,
            int publishers,
            int maxPerPublisher,
            String idPrefix,
            Duration hangBound) {
        PublishLoad load = new PublishLoad(idPrefix, hangBound);
        for (int p = 0; p < publishers; p++) {
            int publisher = p;
            Thread t = new Thread(
                    () -> load.publish(api, exchange, routingKey, publisher, maxPerPublisher), "publish-load-" + p);
            t.setDaemon(true);
            load.publishers.add(t);
            t.start();
        }
        return load;
    }

    private void publish(ApiClient api, String exchange, String routingKey, int publisher, int max) {
        for (int n = 0; n < max && running.get(); n++) {
            String id = idPrefix + "-" + publisher + "-" + n;
            String body = json(Map.of("exchange", exchange, "routingKey", routingKey, "message", id));
            Instant at = Instant.now();
            long start = System.nanoTime();
            int status;
            String retryAfter = null;
            String detail = null;
            try {
                Response r = api.publish(body);
                status = r.status();
                retryAfter = r.header("Retry-After").orElse(null);
                if (status / 100 != 2) {
                    detail = detailOf(r);
                }
            } catch (UncheckedIOException e) {
                status = 0; // connection refused or reset, or the client's own timeout
                detail = e.getMessage();
            }
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            sent.incrementAndGet();
            attempts.add(new Attempt(id, at, status, millis, retryAfter, detail));
            if (status / 100 == 2) {
                accepted.add(id);
            } else {
                sleepQuietly(20); // like a client backing off after an error, without a storm
            }
        }
    }

    /** Waits (bounded) until at least {@code count} more messages than now were accepted. */
    PublishLoad awaitMoreAccepted(int count, Duration atMost) {
        int target = accepted.size() + count;
        Awaitility.await()
                .alias("at least " + target + " accepted (" + progress() + ")")
                .atMost(atMost)
                .pollInterval(Duration.ofMillis(50))
                .until(() -> accepted.size() >= target);
        return this;
    }

    /** Every request so far, in no particular order. */
    List<Attempt> attempts() {
        return List.copyOf(attempts);
    }

    /**
     * The 503 answers that did not fail fast as promised: without {@code Retry-After}, or slower than
     * {@code fast}.
     */
    List<Attempt> slowOrBare503s(Duration fast) {
        return attempts.stream()
                .filter(a -> a.status() == 503 && (a.retryAfter() == null || a.millis() > fast.toMillis()))
                .toList();
    }

    /**
     * Asserts that the 503 answers failed fast as promised: each with {@code Retry-After}, none slower than {@code
     * fast}.
     */
    void assertFast503s(Duration fast) {
        assertThat(slowOrBare503s(fast))
                .as("503s slower than " + fast.toMillis() + " ms or without Retry-After")
                .isEmpty();
    }

    /** The requests sent after {@code instant} that were not answered 2xx. */
    List<Attempt> failedSentAfter(Instant instant) {
        return attempts.stream()
                .filter(a -> a.status() / 100 != 2 && a.sentAt().isAfter(instant))
                .toList();
    }

    /** What the load has done so far, for failure messages: sent, accepted, and the statuses of the last 20. */
    String progress() {
        List<Attempt> all = List.copyOf(attempts);
        Map<Integer, Integer> recent = new TreeMap<>();
        all.subList(Math.max(0, all.size() - 20), all.size()).forEach(a -> recent.merge(a.status(), 1, Integer::sum));
        String lastFailure = all.stream()
                .filter(a -> a.status() / 100 != 2)
                .reduce((a, b) -> b)
                .map(a -> a.status() + " '" + a.detail() + "'")
                .orElse("none");
        return "sent " + sent.get() + ", accepted " + accepted.size() + ", last 20 statuses " + recent
                + ", last failure " + lastFailure;
    }

    /**
     * The failed answers to requests sent after {@code since}, by status and detail: how many, and when the first
     * and last were sent (ms after {@code since}). For notes that explain a recovery.
     */
    String failuresSince(Instant since) {
        Map<String, List<Attempt>> byAnswer = new TreeMap<>();
        for (Attempt a : attempts) {
            if (a.status() / 100 != 2 && !a.sentAt().isBefore(since)) {
                byAnswer.computeIfAbsent(a.status() + " '" + a.detail() + "'", k -> new ArrayList<>())
                        .add(a);
            }
        }
        StringBuilder out = new StringBuilder();
        byAnswer.forEach((answer, list) -> {
            LongSummaryStatistics at = list.stream()
                    .mapToLong(a -> Duration.between(since, a.sentAt()).toMillis())
                    .summaryStatistics();
            out.append(out.isEmpty() ? "" : "; ")
                    .append(list.size())
                    .append(" x ")
                    .append(answer)
                    .append(" sent +")
                    .append(at.getMin())
                    .append("..+")
                    .append(at.getMax())
                    .append(" ms");
        });
        return out.isEmpty() ? "none" : out.toString();
    }

    /** The first request sent after {@code instant} that was answered 2xx, if any yet. */
    Optional<Attempt> firstAcceptedAfter(Instant instant) {
        return attempts.stream()
                .filter(a -> a.status() / 100 == 2 && !a.sentAt().isBefore(instant))
                .min((a, b) -> a.sentAt().compareTo(b.sentAt()));
    }

    /**
     * Waits (bounded) for a request sent after {@code healedAt} to be accepted, and returns how long after
     * {@code healedAt} it was sent: the time the service took to recover.
     */
    Duration awaitRecovery(Instant healedAt, Duration atMost) {
        try {
            Awaitility.await()
                    .atMost(atMost)
                    .pollInterval(Duration.ofMillis(50))
                    .until(() -> firstAcceptedAfter(healedAt).isPresent());
        } catch (ConditionTimeoutException e) {
            // What the service kept answering is what explains it.
            throw new AssertionError("no request sent after " + healedAt + " was accepted within " + atMost + " ("
                    + progress() + "); failures since: " + failuresSince(healedAt));
        }
        return Duration.between(
                healedAt, firstAcceptedAfter(healedAt).orElseThrow().sentAt());
    }

    /**
     * Waits (bounded) until every publisher has sent all its messages, then returns what happened: for a
     * fixed batch rather than a load stopped by the test.
     */
    Result finish(Duration atMost) {
        Awaitility.await()
                .atMost(atMost)
                .pollInterval(Duration.ofMillis(50))
                .until(() -> publishers.stream().noneMatch(Thread::isAlive));
        return stop();
    }

    /** Stops the publishers (each finishes the request it is in) and returns what happened. */
    Result stop() {
        running.set(false);
        for (Thread t : publishers) {
            try {
                t.join(Duration.ofSeconds(60));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while stopping the load", e);
            }
        }
        Map<Integer, Integer> statuses = new TreeMap<>();
        long slowest = 0;
        int hangs = 0;
        for (Attempt a : attempts) {
            statuses.merge(a.status(), 1, Integer::sum);
            slowest = Math.max(slowest, a.millis());
            if (a.millis() > hangBound.toMillis()) {
                hangs++;
            }
        }
        return new Result(sent.get(), Set.copyOf(accepted), statuses, hangs, slowest);
    }

    @Override
    public void close() {
        running.set(false);
    }

    /** The problem's detail of an answer, or its body when it is not a problem. */
    private static String detailOf(Response r) {
        try {
            return r.json().path("detail").asText(r.body());
        } catch (AssertionError notJson) {
            return r.body();
        }
    }

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * What the load did.
     *
     * @param statuses how many requests got each HTTP status (0: no answer: connection failed)
     * @param hangs requests slower than the hang bound
     * @param slowestMillis the slowest request
     */
    record Result(int sent, Set<String> accepted, Map<Integer, Integer> statuses, int hangs, long slowestMillis) {}

    /**
     * The fault suite's verdict for one scenario: every id answered 2xx must have been consumed at least
     * once; duplicates are counted, not failures.
     *
     * @param consumed the ids drained from the queues (a message body is its id as a JSON string)
     * @param recovery how long after the fault ended the service answered 2xx again
     */
    record Verdict(String scenario, Result result, int lost, int duplicates, Set<String> lostIds, Duration recovery) {

        static Verdict of(String scenario, Result result, Collection<String> consumedBodies, Duration recovery) {
            Map<String, Integer> seen = new ConcurrentHashMap<>();
            for (String body : consumedBodies) {
                seen.merge(body.replace("\"", ""), 1, Integer::sum);
            }
            Set<String> lost = ConcurrentHashMap.newKeySet();
            for (String id : result.accepted()) {
                if (!seen.containsKey(id)) {
                    lost.add(id);
                }
            }
            int duplicates = seen.values().stream().mapToInt(n -> n - 1).sum();
            return new Verdict(scenario, result, lost.size(), duplicates, Set.copyOf(lost), recovery);
        }

        /**
         * Asserts the fault suite's pass for this scenario: every id answered 2xx was consumed, no request hung, and
         * every answer had one of the {@code allowed} statuses (0 stands for no answer at all).
         */
        Verdict assertPassed(Set<Integer> allowed) {
            assertPassed();
            assertThat(result.statuses().keySet()).as(scenario + ": statuses").isSubsetOf(allowed);
            return this;
        }

        /** Asserts that every id answered 2xx was consumed and no request hung, whatever the statuses. */
        Verdict assertPassed() {
            assertThat(lostIds)
                    .as(scenario + ": ids answered 2xx but never consumed")
                    .isEmpty();
            assertThat(result.hangs())
                    .as(scenario + ": requests slower than the hang bound")
                    .isZero();
            return this;
        }

        /** One line of the reliability report (docs/reliability.md), also printed by the tests. */
        String row() {
            return "| " + scenario + " | " + result.sent() + " | "
                    + result.accepted().size() + " | " + lost + " | "
                    + duplicates + " | " + (recovery == null ? "n/a" : recovery.toMillis() + " ms") + " | "
                    + result.hangs() + " | " + result.statuses() + " |";
        }

        /** Prints the row (the suite's figures come from these lines) and returns this verdict. */
        Verdict report() {
            System.out.println("RELIABILITY " + row());
            return this;
        }
    }
}
