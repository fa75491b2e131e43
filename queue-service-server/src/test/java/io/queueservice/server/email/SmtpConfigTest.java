package io.queueservice.server.email;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.queueservice.config.ConfigException;
import io.queueservice.config.ConfigReader;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SmtpConfigTest {

    private static SmtpConfig read(Map<String, String> values) {
        ConfigReader env = new ConfigReader(values);
        SmtpConfig config = SmtpConfig.from(env);
        env.validate();
        return config;
    }

    private static ConfigException problems(Map<String, String> values) {
        return catchThrowableOfType(ConfigException.class, () -> read(values));
    }

    @Test
    void defaultsAreLocalhost587WithoutAuthenticationOrTls() {
        SmtpConfig c = read(Map.of());

        assertThat(c.host()).isEqualTo("localhost");
        assertThat(c.port()).isEqualTo(587);
        assertThat(c.user()).isNull();
        assertThat(c.password()).isNull();
        assertThat(c.authenticates()).isFalse();
        assertThat(c.from()).isEqualTo("no-reply@localhost");
        assertThat(c.startTls()).isFalse();
        assertThat(c.timeout()).isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void settingsAreRead() {
        SmtpConfig c = read(Map.of(
                "SMTP_HOST", "smtp.example.com",
                "SMTP_PORT", "2525",
                "SMTP_USER", "mailer",
                "SMTP_PASSWORD", "pa55word",
                "SMTP_FROM", "Example <no-reply@example.com>",
                "SMTP_STARTTLS", "true",
                "SMTP_TIMEOUT", "2500"));

        assertThat(c.host()).isEqualTo("smtp.example.com");
        assertThat(c.port()).isEqualTo(2525);
        assertThat(c.user()).isEqualTo("mailer");
        assertThat(c.password()).isEqualTo("pa55word");
        assertThat(c.authenticates()).isTrue();
        assertThat(c.from()).isEqualTo("Example <no-reply@example.com>");
        assertThat(c.fromAddress().getAddress()).isEqualTo("no-reply@example.com");
        assertThat(c.fromAddress().getPersonal()).isEqualTo("Example");
        assertThat(c.startTls()).isTrue();
        assertThat(c.timeout()).isEqualTo(Duration.ofMillis(2500));
    }

    @Test
    void everyBadSettingIsReportedInOneException() {
        ConfigException e = problems(Map.of(
                "SMTP_PORT", "0",
                "SMTP_USER", "mailer",
                "SMTP_FROM", "not an address",
                "SMTP_STARTTLS", "maybe",
                "SMTP_TIMEOUT", "soon"));

        assertThat(e.problems()).hasSize(5);
        assertThat(e.problems())
                .anySatisfy(p -> assertThat(p).startsWith("SMTP_PORT ").contains("between 1 and 65535"))
                .anySatisfy(p -> assertThat(p).isEqualTo("SMTP_PASSWORD is required when SMTP_USER is set"))
                .anySatisfy(p -> assertThat(p).startsWith("SMTP_FROM ").contains("'not an address'"))
                .anySatisfy(p -> assertThat(p).startsWith("SMTP_STARTTLS ").contains("true or false"))
                .anySatisfy(p -> assertThat(p).startsWith("SMTP_TIMEOUT ").contains("integer"));
    }

    @Test
    void portAbove65535IsRefused() {
        assertThat(problems(Map.of("SMTP_PORT", "65536")).problems())
                .singleElement()
                .asString()
                .startsWith("SMTP_PORT ");
    }

    @Test
    void fromMustBeExactlyOneAddress() {
        for (String bad : new String[] {"no-reply", "a@example.com, b@example.com", "team:;", "<@example.com>"}) {
            assertThat(problems(Map.of("SMTP_FROM", bad)).problems())
                    .as(bad)
                    .singleElement()
                    .asString()
                    .startsWith("SMTP_FROM must be one email address");
        }
    }

    @Test
    void aPasswordWithoutAUserIsAMistakeAndIsNotQuoted() {
        ConfigException e = problems(Map.of("SMTP_PASSWORD", "t0p-s3cret"));

        assertThat(e.problems()).singleElement().asString().startsWith("SMTP_PASSWORD is set but SMTP_USER is not");
        assertThat(e.getMessage()).doesNotContain("t0p-s3cret");
    }

    @Test
    void toStringNeverShowsThePassword() {
        SmtpConfig c = read(Map.of("SMTP_USER", "mailer", "SMTP_PASSWORD", "t0p-s3cret"));

        assertThat(c.toString()).doesNotContain("t0p-s3cret").contains("password=*****", "user=mailer");
        assertThat(read(Map.of()).toString()).contains("password=null");
    }
}
