package io.queueservice.server.push;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.queueservice.config.ConfigException;
import io.queueservice.config.ConfigReader;
import io.queueservice.server.security.SecurityConfig.AuthMode;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** SUBSCRIPTIONS_KEY and the encryption of signing secrets. */
class SecretBoxTest {
    private static final String KEY = Base64.getEncoder().encodeToString(new byte[32]);
    private static final String OTHER_KEY =
            Base64.getEncoder().encodeToString("k".repeat(32).getBytes());

    private static SubscriptionsKey key(String value, AuthMode mode) {
        ConfigReader r = new ConfigReader(value == null ? Map.of() : Map.of("SUBSCRIPTIONS_KEY", value));
        SubscriptionsKey k = SubscriptionsKey.from(r, mode);
        r.validate();
        return k;
    }

    @Test
    void aSealedSecretOpensWithItsKeyAndContextOnly() {
        SecretBox box = new SecretBox(key(KEY, AuthMode.JWT));
        String sealed = box.seal("whsec_c2VjcmV0", "subscription:a:secret");
        assertThat(sealed).startsWith("v1.").doesNotContain("whsec_").doesNotContain("c2VjcmV0");
        assertThat(box.open(sealed, "subscription:a:secret")).isEqualTo("whsec_c2VjcmV0");
        assertThat(box.seal("whsec_c2VjcmV0", "subscription:a:secret"))
                .as("a fresh nonce")
                .isNotEqualTo(sealed);
        assertThatThrownBy(() -> box.open(sealed, "subscription:b:secret"))
                .isInstanceOf(SecretBox.SecretUnreadableException.class)
                .hasMessageNotContaining("whsec_");
        String tampered = sealed.substring(0, sealed.length() - 4) + "AAAA";
        assertThatThrownBy(() -> box.open(tampered, "subscription:a:secret"))
                .isInstanceOf(SecretBox.SecretUnreadableException.class);
        assertThatThrownBy(() -> new SecretBox(key(OTHER_KEY, AuthMode.JWT)).open(sealed, "subscription:a:secret"))
                .isInstanceOf(SecretBox.SecretUnreadableException.class)
                .hasMessageContaining("another SUBSCRIPTIONS_KEY");
    }

    @Test
    void theKeyMustBeTheBase64OfThirtyTwoBytes() {
        assertThatThrownBy(() -> key("c2hvcnQ=", AuthMode.JWT))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("SUBSCRIPTIONS_KEY")
                .hasMessageContaining("decodes to 5 bytes")
                .hasMessageNotContaining("c2hvcnQ=");
        assertThatThrownBy(() -> key("not base64 at all!", AuthMode.JWT))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("not base64")
                .hasMessageNotContaining("at all");
        assertThat(key(Base64.getUrlEncoder().encodeToString(new byte[32]), AuthMode.JWT))
                .isInstanceOf(SubscriptionsKey.Configured.class);
    }

    @Test
    void withoutAKeyTheQuickStartUsesTheDevelopmentKeyAndOtherwiseNothingCanBeSealed() {
        SubscriptionsKey dev = key(null, AuthMode.NONE);
        assertThat(dev).isInstanceOf(SubscriptionsKey.Development.class);
        assertThat(new SecretBox(dev).canSeal()).isTrue();
        SubscriptionsKey missing = key(null, AuthMode.JWT);
        assertThat(missing).isInstanceOf(SubscriptionsKey.Missing.class);
        assertThat(new SecretBox(missing).canSeal()).isFalse();
        assertThatThrownBy(() -> new SecretBox(missing).seal("x", "c"))
                .hasMessageContaining("SUBSCRIPTIONS_KEY is not set");
    }

    @Test
    void theKeyIsNeverPrinted() {
        SubscriptionsKey k = key(KEY, AuthMode.JWT);
        assertThat(k.toString()).doesNotContain(KEY).contains("fingerprint");
        PushConfig c = new PushConfig(true, false, AllowedHosts.none(), k, "s", 10, java.util.Optional.empty());
        assertThat(c.toString()).doesNotContain(KEY);
        assertThat(c.describeKey()).doesNotContain(KEY);
        assertThat(new PushConfig(
                                true,
                                false,
                                AllowedHosts.none(),
                                key(null, AuthMode.NONE),
                                "s",
                                10,
                                java.util.Optional.empty())
                        .describeKey())
                .contains("development key");
    }
}
