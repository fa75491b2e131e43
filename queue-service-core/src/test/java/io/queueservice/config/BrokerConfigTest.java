package io.queueservice.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.InstanceOfAssertFactories.STRING;

import io.queueservice.config.BrokerConfig.Node;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class BrokerConfigTest {
    private static final String SECRET = "s3cr3t-pw";

    private static BrokerConfig valid(Map<String, String> env) {
        ConfigReader reader = new ConfigReader(env);
        BrokerConfig config = BrokerConfig.from(reader);
        reader.validate();
        return config;
    }

    private static BrokerConfig validUrl(String url) {
        return valid(Map.of("RABBITMQ_URL", url));
    }

    /** The problems reported for this RABBITMQ_URL. */
    private static ConfigException refusedUrl(String url) {
        ConfigReader reader = new ConfigReader(Map.of("RABBITMQ_URL", url));
        BrokerConfig.from(reader);
        ConfigException e = catchThrowableOfType(ConfigException.class, reader::validate);
        assertThat(e)
                .as("RABBITMQ_URL=%s should be refused", BrokerConfig.mask(url))
                .isNotNull();
        return e;
    }

    @Test
    void defaultUrlIsGuestOnLocalhost() {
        BrokerConfig c = valid(Map.of());

        assertThat(c.nodes()).containsExactly(new Node("localhost", 5672));
        assertThat(c.username()).isEqualTo("guest");
        assertThat(c.password()).isEqualTo("guest");
        assertThat(c.virtualHost()).isEqualTo("/");
    }

    @Test
    void blankUrlFallsBackToTheDefault() {
        assertThat(validUrl("   ").nodes()).containsExactly(new Node("localhost", 5672));
    }

    @Test
    void defaultsForHeartbeatAndConnectionTimeout() {
        BrokerConfig c = valid(Map.of());

        assertThat(c.heartbeatSeconds()).isEqualTo(60);
        assertThat(c.connectionTimeout()).isEqualTo(Duration.ofMillis(5000));
        assertThat(c.tls().enabled()).isFalse();
    }

    @Test
    void heartbeatAndTimeoutAreRead() {
        BrokerConfig c = valid(Map.of("RABBITMQ_HEARTBEAT", "15", "RABBITMQ_CONNECTION_TIMEOUT", "2500"));

        assertThat(c.heartbeatSeconds()).isEqualTo(15);
        assertThat(c.connectionTimeout()).isEqualTo(Duration.ofMillis(2500));
    }

    @Test
    void commaSeparatedUrlsBecomeSeveralNodesOfOneCluster() {
        BrokerConfig c = validUrl("amqp://app:" + SECRET + "@rabbit-1:5672/prod, amqp://app:" + SECRET
                + "@rabbit-2:5673/prod,amqp://app:" + SECRET + "@rabbit-3/prod");

        assertThat(c.nodes())
                .containsExactly(new Node("rabbit-1", 5672), new Node("rabbit-2", 5673), new Node("rabbit-3", 5672));
        assertThat(c.username()).isEqualTo("app");
        assertThat(c.password()).isEqualTo(SECRET);
        assertThat(c.virtualHost()).isEqualTo("prod");
    }

    @Test
    void portDefaultsTo5672() {
        assertThat(validUrl("amqp://broker.example").nodes()).containsExactly(new Node("broker.example", 5672));
    }

    @Test
    void explicitPortIsKept() {
        assertThat(validUrl("amqp://broker.example:15999").nodes()).containsExactly(new Node("broker.example", 15999));
    }

    @Test
    void urlWithoutCredentialsUsesGuest() {
        BrokerConfig c = validUrl("amqp://broker.example");

        assertThat(c.username()).isEqualTo("guest");
        assertThat(c.password()).isEqualTo("guest");
    }

    @Test
    void percentEncodedCredentialsAreDecoded() {
        BrokerConfig c = validUrl("amqp://us%40er:p%2Fw%3Ax+y@broker.example");

        assertThat(c.username()).isEqualTo("us@er");
        assertThat(c.password()).isEqualTo("p/w:x+y");
    }

    @Test
    void schemeIsCaseInsensitive() {
        assertThat(validUrl("AMQP://broker.example").nodes()).containsExactly(new Node("broker.example", 5672));
    }

    @Test
    void vhostIsThePathSegment() {
        assertThat(validUrl("amqp://h/orders").virtualHost()).isEqualTo("orders");
    }

    @Test
    void encodedSlashVhostIsTheRootVhost() {
        assertThat(validUrl("amqp://h/%2F").virtualHost()).isEqualTo("/");
        assertThat(validUrl("amqp://h/%2f").virtualHost()).isEqualTo("/");
    }

    @Test
    void encodedVhostKeepsItsSlash() {
        assertThat(validUrl("amqp://h/team%2Forders").virtualHost()).isEqualTo("team/orders");
    }

    @Test
    void slashOrEmptyPathIsTheRootVhost() {
        assertThat(validUrl("amqp://h/").virtualHost()).isEqualTo("/");
        assertThat(validUrl("amqp://h").virtualHost()).isEqualTo("/");
        assertThat(validUrl("amqp://h:5672").virtualHost()).isEqualTo("/");
    }

    @Test
    void pathWithSeveralSegmentsIsRefused() {
        assertThat(refusedUrl("amqp://h/a/b").problems())
                .singleElement(STRING)
                .startsWith("RABBITMQ_URL")
                .contains("%2F");
    }

    @Test
    void amqpsIsAcceptedAndTurnsTlsOn() {
        BrokerConfig c = validUrl("amqps://app:" + SECRET + "@broker.example/prod");

        assertThat(c.tls().enabled()).isTrue();
        assertThat(c.nodes()).containsExactly(new BrokerConfig.Node("broker.example", 5671));
        assertThat(c.displayUrl()).isEqualTo("amqps://app:*****@broker.example:5671/prod");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {"http://app:" + SECRET + "@broker.example:5672", "broker.example:5672", "mqtt://broker.example"})
    void nonAmqpSchemeIsRefused(String url) {
        ConfigException e = refusedUrl(url);

        assertThat(e.problems())
                .singleElement(STRING)
                .startsWith("RABBITMQ_URL")
                .contains("amqp://")
                .doesNotContain(SECRET);
    }

    @ParameterizedTest
    @ValueSource(strings = {"amqp:///vhost", "amqp://app:" + SECRET + "@/vhost", "amqp://app:" + SECRET + "@:5672"})
    void urlWithoutHostIsRefused(String url) {
        ConfigException e = refusedUrl(url);

        assertThat(e.problems())
                .singleElement(STRING)
                .startsWith("RABBITMQ_URL")
                .contains("no host")
                .doesNotContain(SECRET);
    }

    @Test
    void emptyEntryInTheListIsRefused() {
        ConfigException e = refusedUrl("amqp://app:" + SECRET + "@h1,,amqp://app:" + SECRET + "@h2");

        assertThat(e.problems()).singleElement(STRING).contains("empty entry").doesNotContain(SECRET);
    }

    @Test
    void differingPasswordsBetweenUrlsAreRefused() {
        ConfigException e = refusedUrl("amqp://app:" + SECRET + "@h1,amqp://app:other-" + SECRET + "@h2");

        assertThat(e.problems())
                .singleElement(STRING)
                .contains("same user, password and virtual host")
                .doesNotContain(SECRET);
    }

    @Test
    void differingUsersBetweenUrlsAreRefused() {
        ConfigException e = refusedUrl("amqp://app:" + SECRET + "@h1,amqp://admin:" + SECRET + "@h2");

        assertThat(e.problems())
                .singleElement(STRING)
                .contains("same user, password and virtual host")
                .doesNotContain(SECRET);
    }

    @Test
    void differingVhostsBetweenUrlsAreRefused() {
        ConfigException e = refusedUrl("amqp://h1/a,amqp://h2/b");

        assertThat(e.problems()).singleElement(STRING).contains("same user, password and virtual host");
    }

    @Test
    void everyBadUrlInTheListIsReported() {
        ConfigException e = refusedUrl("http://h1,amqp:///x,amqps://h3");

        assertThat(e.problems()).hasSize(3).allSatisfy(p -> assertThat(p).startsWith("RABBITMQ_URL"));
    }

    @Test
    void toStringNeverContainsThePassword() {
        BrokerConfig c = validUrl("amqp://app:" + SECRET + "@h1:5672/prod,amqp://app:" + SECRET + "@h2:5673/prod");

        assertThat(c.toString())
                .doesNotContain(SECRET)
                .contains("app")
                .contains("h1:5672")
                .contains("h2:5673")
                .contains("prod");
    }

    @Test
    void displayUrlListsEveryNodeWithoutThePassword() {
        BrokerConfig c = validUrl("amqp://app:" + SECRET + "@h1:5672/prod,amqp://app:" + SECRET + "@h2:5673/prod");

        assertThat(c.displayUrl()).isEqualTo("amqp://app:*****@h1:5672/prod,amqp://app:*****@h2:5673/prod");
    }

    @Test
    void displayUrlOfTheRootVhostHasNoPath() {
        assertThat(validUrl("amqp://app:" + SECRET + "@h1").displayUrl()).isEqualTo("amqp://app:*****@h1:5672");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "amqp://app:" + SECRET + "@h1/a/b",
                "amqp://app:" + SECRET + "@",
                "amqp://app:" + SECRET + "@h1:99999999999",
                "amqp://app:" + SECRET + "@h 1",
                "amqp://app:" + SECRET + "@h1%zz",
                "ftp://app:" + SECRET + "@h1",
                "amqp://app:" + SECRET + "#x@h1",
                "amqp://app:" + SECRET + "?x@h1",
            })
    void errorsNeverContainThePassword(String url) {
        ConfigException e = refusedUrl(url);

        assertThat(e.getMessage()).doesNotContain(SECRET);
        assertThat(e.problems()).isNotEmpty().allSatisfy(p -> assertThat(p).doesNotContain(SECRET));
    }

    /**
     * Generated passwords often hold '/', ',' or '@'. Written into the URL without percent-encoding
     * they make the URL unparsable, and the message that says so must still hide them.
     */
    @ParameterizedTest
    @ValueSource(
            strings = {
                "amqp://app:" + SECRET + "/x@h1",
                "amqp://app:x@" + SECRET + "@h1",
                "amqp://app:x," + SECRET + "@h1",
            })
    void passwordWithUnencodedReservedCharactersNeverAppearsInErrors(String url) {
        ConfigException e = refusedUrl(url);

        assertThat(e.getMessage()).doesNotContain(SECRET);
    }

    @Test
    void hostNameWithUnderscoreIsAccepted() {
        assertThat(validUrl("amqp://guest:guest@rabbit_mq:5672").nodes()).containsExactly(new Node("rabbit_mq", 5672));
    }

    @Test
    void maskHidesThePasswordOfEachUrl() {
        String masked = BrokerConfig.mask("amqp://app:" + SECRET + "@h1:5672/v,amqp://app:" + SECRET + "@h2");

        assertThat(masked).isEqualTo("amqp://app:*****@h1:5672/v,amqp://app:*****@h2");
    }

    @Test
    void maskHidesPasswordsInsideLongerText() {
        String masked = BrokerConfig.mask("cannot connect to amqp://app:" + SECRET + "@h1:5672 (refused)");

        assertThat(masked).isEqualTo("cannot connect to amqp://app:*****@h1:5672 (refused)");
    }

    @Test
    void maskLeavesUrlsWithoutPasswordUnchanged() {
        assertThat(BrokerConfig.mask("amqp://h1:5672/v")).isEqualTo("amqp://h1:5672/v");
        assertThat(BrokerConfig.mask("amqp://app@h1:5672/v")).isEqualTo("amqp://app@h1:5672/v");
    }

    @Test
    void maskHidesAnEmptyPasswordToo() {
        assertThat(BrokerConfig.mask("amqp://app:@h1")).isEqualTo("amqp://app:*****@h1");
    }

    @Test
    void brokerProblemsAreReportedWithOtherProblems() {
        Map<String, String> env = new HashMap<>();
        env.put("RABBITMQ_URL", "http://h1");
        env.put("RABBITMQ_HEARTBEAT", "-1");
        env.put("RABBITMQ_CONNECTION_TIMEOUT", "soon");
        ConfigReader reader = new ConfigReader(env);
        BrokerConfig.from(reader);

        ConfigException e = catchThrowableOfType(ConfigException.class, reader::validate);

        assertThat(e.problems())
                .hasSize(3)
                .anySatisfy(p -> assertThat(p).startsWith("RABBITMQ_URL"))
                .anySatisfy(p -> assertThat(p).startsWith("RABBITMQ_HEARTBEAT").contains("'-1'"))
                .anySatisfy(p ->
                        assertThat(p).startsWith("RABBITMQ_CONNECTION_TIMEOUT").contains("'soon'"));
    }
}
