package io.queueservice.server.push;

import static org.assertj.core.api.Assertions.assertThat;

import io.queueservice.worker.Message;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

/** The handler's pure parts: the signature, Retry-After, the webhook id, the dead-letter reason. */
class PushHandlerTest {
    @Test
    void theSignatureIsTheStandardWebhooksOne() throws Exception {
        // The example of the Standard Webhooks specification.
        String secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        String body = "{\"test\": 2432232314}";
        String signature = SignedRequest.sign(
                SignedRequest.signingKey(secret), "msg_p5jXN8AQM9LWM0D4loKWxJek", "1614265330", body.getBytes());
        assertThat(signature).isEqualTo("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");

        Mac mac = Mac.getInstance("HmacSHA256");
        byte[] key = Base64.getDecoder().decode("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
        String expected = "v1,"
                + Base64.getEncoder().encodeToString(mac.doFinal(("id.5." + body).getBytes(StandardCharsets.UTF_8)));
        assertThat(SignedRequest.sign(key, "id", "5", body.getBytes())).isEqualTo(expected);
    }

    @Test
    void retryAfterReadsSecondsAndHttpDates() {
        assertThat(AttemptClassifier.retryAfter("7")).isEqualTo(Duration.ofSeconds(7));
        assertThat(AttemptClassifier.retryAfter(null)).isNull();
        assertThat(AttemptClassifier.retryAfter("soon")).isNull();
        assertThat(AttemptClassifier.retryAfter("-3")).isNull();
        String in30s =
                DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now().plusSeconds(30));
        assertThat(AttemptClassifier.retryAfter(in30s)).isBetween(Duration.ofSeconds(25), Duration.ofSeconds(31));
    }

    @Test
    void aMessageWithoutAnIdGetsTheSameDerivedIdOnEveryAttempt() {
        Message first = new Message("{}".getBytes(), Map.of(), null, "application/json", "ex", "rk", 1, false);
        Message again = new Message("{}".getBytes(), Map.of(), null, "application/json", "ex", "rk", 3, true);
        assertThat(SignedRequest.webhookId(first)).startsWith("msg_").isEqualTo(SignedRequest.webhookId(again));
        Message withId = new Message("{}".getBytes(), Map.of(), "abc", null, "ex", "rk", 1, false);
        assertThat(SignedRequest.webhookId(withId)).isEqualTo("abc");
    }

    @Test
    void theCopiesOfAFailedMessageCarryTheLastStatusAndTheStartOfTheAnswer() {
        Attempt.Failed f = new Attempt.Failed(PushMetrics.Outcome.HTTP_ERROR, 500, "x", "boom", null);
        assertThat(PushHandler.failureHeaders(f))
                .containsEntry("qs-push-last-status", "500")
                .containsEntry("qs-push-last-response", "boom");
        Attempt.Failed t = new Attempt.Failed(PushMetrics.Outcome.TIMEOUT, null, "no answer within 100 ms", "", null);
        assertThat(PushHandler.failureHeaders(t))
                .containsEntry("qs-push-last-status", "")
                .containsEntry("qs-push-last-response", "");
    }
}
