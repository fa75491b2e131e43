package io.queueservice.server.push;

import io.queueservice.config.ConfigReader;
import io.queueservice.definitions.DefinitionsLogSettings;
import io.queueservice.server.security.SecurityConfig;

/**
 * Push subscriptions' settings, read and validated at start-up with the rest.
 *
 * @param delivery {@code PUSH_DELIVERY} (true): whether this process delivers the subscriptions' messages
 *     (every process that does shares each subscription's messages with the others)
 * @param allowHttp {@code PUSH_ALLOW_HTTP} (false): accept plain {@code http} endpoints
 * @param allowedHosts {@code PUSH_ALLOWED_HOSTS}: hosts and ranges the address guard lets through
 * @param key {@code SUBSCRIPTIONS_KEY}, or the development key with {@code AUTH_MODE=none}
 * @param definitionsStream {@code DEFINITIONS_STREAM} ({@code queue-service.definitions}): the stream that
 *     holds the definitions
 * @param maxSubscriptions {@code PUSH_MAX_SUBSCRIPTIONS} (100): a bound on subscriptions, which also bounds
 *     the metrics' {@code subscription} label
 * @param caFile {@code PUSH_CA_PATH}: PEM certificates of the authorities endpoints' certificates must chain
 *     to, instead of the JDK's trusted ones (for endpoints with certificates of an internal authority)
 */
public record PushConfig(
        boolean delivery,
        boolean allowHttp,
        AllowedHosts allowedHosts,
        SubscriptionsKey key,
        String definitionsStream,
        int maxSubscriptions,
        java.util.Optional<java.nio.file.Path> caFile) {

    /** Reads the variables above; problems go to {@code r} (see {@link ConfigReader#validate()}). */
    public static PushConfig from(ConfigReader r, SecurityConfig.AuthMode authMode) {
        return new PushConfig(
                r.bool("PUSH_DELIVERY", true),
                r.bool("PUSH_ALLOW_HTTP", false),
                AllowedHosts.from(r),
                SubscriptionsKey.from(r, authMode),
                r.string("DEFINITIONS_STREAM", DefinitionsLogSettings.DEFAULT_STREAM),
                r.integer("PUSH_MAX_SUBSCRIPTIONS", 100, 1, 10_000),
                r.readableFile("PUSH_CA_PATH"));
    }

    /** What a startup line may say about the key: never the key itself. */
    public String describeKey() {
        return switch (key) {
            case SubscriptionsKey.Configured c -> "signing secrets encrypted with " + c;
            case SubscriptionsKey.Development d ->
                "SUBSCRIPTIONS_KEY is not set and AUTH_MODE=none: signing secrets are encrypted with a development"
                        + " key that everyone knows; set SUBSCRIPTIONS_KEY (openssl rand -base64 32) anywhere else";
            case SubscriptionsKey.Missing m ->
                "SUBSCRIPTIONS_KEY is not set: push subscriptions cannot be created, nor existing ones delivered";
        };
    }
}
