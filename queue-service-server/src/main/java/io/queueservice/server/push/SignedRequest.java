package io.queueservice.server.push;

import io.queueservice.tracing.TraceContext;
import io.queueservice.worker.Message;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.SocketAddress;
import java.net.InetAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The request that delivers one message: a POST of its body to the endpoint, signed as Standard Webhooks
 * says ({@code webhook-id}, {@code webhook-timestamp}, {@code webhook-signature}), with the {@code qs-}
 * headers, the message's trace context and the subscription's static headers.
 */
final class SignedRequest {
    /** How a Standard Webhooks signing secret starts; the base64 of its key bytes follows. */
    static final String SECRET_PREFIX = "whsec_";

    static final String WEBHOOK_ID = "webhook-id";
    static final String WEBHOOK_TIMESTAMP = "webhook-timestamp";
    static final String WEBHOOK_SIGNATURE = "webhook-signature";

    private SignedRequest() {}

    /**
     * The request for {@code message}, to {@code address} (checked by the guard), signed with {@code mac}.
     * Redirects are not followed; the timeouts are the client's connect timeout and the caller's timer.
     */
    static RequestOptions of(PushHandler.Target target, Mac mac, Message message, InetAddress address) {
        URI endpoint = target.endpoint();
        boolean https = endpoint.getScheme().equalsIgnoreCase("https");
        int port = endpoint.getPort() > 0 ? endpoint.getPort() : https ? 443 : 80;
        String path = endpoint.getRawPath() == null || endpoint.getRawPath().isEmpty() ? "/" : endpoint.getRawPath();
        String uri = endpoint.getRawQuery() == null ? path : path + "?" + endpoint.getRawQuery();
        RequestOptions options = new RequestOptions()
                .setMethod(HttpMethod.POST)
                // Connect to the address just checked, whatever the name resolves to by then (DNS rebinding);
                // the Host header and TLS (SNI, certificate check) still use the name.
                .setServer(SocketAddress.inetSocketAddress(port, address.getHostAddress()))
                .setHost(AddressGuard.host(endpoint))
                .setPort(port)
                .setSsl(https)
                .setURI(uri)
                .setFollowRedirects(false);
        String id = webhookId(message);
        String timestamp = Long.toString(Instant.now().getEpochSecond());
        byte[] body = message.body();
        options.putHeader(
                        "content-type",
                        message.contentType() != null ? message.contentType() : "application/octet-stream")
                .putHeader(WEBHOOK_ID, id)
                .putHeader(WEBHOOK_TIMESTAMP, timestamp)
                .putHeader(WEBHOOK_SIGNATURE, sign(mac, id, timestamp, body))
                .putHeader("qs-attempt", Integer.toString(message.attempt()))
                .putHeader("qs-queue", target.queue())
                .putHeader("qs-exchange", message.exchange() == null ? "" : message.exchange())
                .putHeader("qs-routing-key", message.routingKey() == null ? "" : message.routingKey());
        String traceparent = message.header(TraceContext.TRACEPARENT);
        if (traceparent != null && TraceContext.isValid(traceparent)) {
            options.putHeader(TraceContext.TRACEPARENT, traceparent);
            String tracestate = message.header(TraceContext.TRACESTATE);
            if (tracestate != null && TraceContext.isPassableState(tracestate)) {
                options.putHeader(TraceContext.TRACESTATE, tracestate);
            }
        }
        target.headers().forEach(options::putHeader);
        return options;
    }

    /**
     * The message's id; for a message published without one, an id derived from what stays the same on every
     * attempt, so receivers can still deduplicate.
     */
    static String webhookId(Message message) {
        if (message.messageId() != null && !message.messageId().isBlank()) {
            return message.messageId();
        }
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(String.valueOf(message.exchange()).getBytes(StandardCharsets.UTF_8));
            sha.update((byte) 0);
            sha.update(String.valueOf(message.routingKey()).getBytes(StandardCharsets.UTF_8));
            sha.update((byte) 0);
            sha.update(message.body());
            return "msg_" + HexFormat.of().formatHex(sha.digest(), 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }

    /** {@code v1,} + base64 of HMAC-SHA256 over {@code id.timestamp.body}, keyed with the secret's bytes. */
    static String sign(byte[] key, String id, String timestamp, byte[] body) {
        return sign(mac(key), id, timestamp, body);
    }

    /** Signs with a MAC initialised with the key (left reset, ready for the next message). */
    static String sign(Mac mac, String id, String timestamp, byte[] body) {
        mac.update((id + "." + timestamp + ".").getBytes(StandardCharsets.UTF_8));
        return "v1," + Base64.getEncoder().encodeToString(mac.doFinal(body));
    }

    static Mac mac(byte[] key) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac;
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HMAC-SHA256 is not available", e);
        }
    }

    /** The key bytes of a {@code whsec_} secret. */
    static byte[] signingKey(String secret) {
        return Base64.getDecoder().decode(secret.substring(SECRET_PREFIX.length()));
    }
}
