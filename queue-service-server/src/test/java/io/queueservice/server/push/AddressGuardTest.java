package io.queueservice.server.push;

import static org.assertj.core.api.Assertions.assertThat;

import io.queueservice.config.ConfigReader;
import io.queueservice.validation.Violation;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Each refusal of the address guard, and what PUSH_ALLOWED_HOSTS and PUSH_ALLOW_HTTP let through. */
class AddressGuardTest {
    /** A resolver of the test's own: names map to fixed addresses, others do not resolve. */
    private static AddressGuard.Resolver resolver(Map<String, String> names) {
        return host -> {
            String a = names.get(host);
            if (a == null) {
                throw new UnknownHostException(host);
            }
            return new InetAddress[] {InetAddress.getByName(a)};
        };
    }

    private static final AddressGuard.Resolver DNS = resolver(Map.of(
            "hooks.example.com", "93.184.216.34",
            "rebound.example.com", "127.0.0.1",
            "internal.example.com", "10.1.2.3",
            "metadata.example.com", "169.254.169.254",
            "v6.example.com", "2606:4700::1111"));

    private static AddressGuard guard(String allowed, boolean allowHttp) {
        ConfigReader r = new ConfigReader(Map.of("PUSH_ALLOWED_HOSTS", allowed));
        AllowedHosts hosts = AllowedHosts.from(r);
        r.validate();
        return new AddressGuard(allowHttp, hosts, DNS);
    }

    private static List<Violation> check(String endpoint) {
        return guard("", false).check("endpoint", endpoint);
    }

    private static String reason(String endpoint) {
        List<Violation> v = check(endpoint);
        assertThat(v).as("violations of %s", endpoint).hasSize(1);
        assertThat(v.get(0).field()).isEqualTo("endpoint");
        return v.get(0).message();
    }

    @Test
    void aPublicHttpsEndpointPasses() {
        assertThat(check("https://hooks.example.com/queue?x=1")).isEmpty();
        assertThat(check("https://[2606:4700::1111]:8443/in")).isEmpty();
        assertThat(check("https://v6.example.com/in")).isEmpty();
    }

    @Test
    void plainHttpIsRefusedUnlessAllowed() {
        assertThat(reason("http://hooks.example.com/")).contains("https").contains("PUSH_ALLOW_HTTP");
        assertThat(guard("", true).check("endpoint", "http://hooks.example.com/"))
                .isEmpty();
        assertThat(reason("ftp://hooks.example.com/")).contains("must be an https URL");
        assertThat(reason("hooks.example.com/x")).contains("must be an https URL");
    }

    @Test
    void privateAddressesAreRefused() {
        assertThat(reason("https://10.0.0.1/")).contains("private (RFC 1918)").contains("10.0.0.1");
        assertThat(reason("https://172.16.5.4/")).contains("private (RFC 1918)");
        assertThat(reason("https://192.168.1.1/")).contains("private (RFC 1918)");
        assertThat(reason("https://100.64.0.1/")).contains("private (shared");
        assertThat(reason("https://[fd12:3456::1]/")).contains("unique local");
        assertThat(reason("https://[fc00::1]/")).contains("unique local");
    }

    @Test
    void cloudMetadataAndLinkLocalAddressesAreRefused() {
        assertThat(reason("https://169.254.169.254/latest/meta-data/")).contains("link-local");
        assertThat(reason("https://[fe80::1]/")).contains("link-local");
        assertThat(reason("https://metadata.example.com/"))
                .contains("resolves to")
                .contains("link-local");
    }

    @Test
    void loopbackIsRefusedByNameByAddressAndThroughAResolvedName() {
        assertThat(reason("https://127.0.0.1/")).contains("loopback");
        assertThat(reason("https://127.9.9.9/")).contains("loopback");
        assertThat(reason("https://[::1]/")).contains("loopback");
        // localhost is resolved by the real resolver: it is loopback everywhere.
        AddressGuard real = new AddressGuard(false, AllowedHosts.none());
        assertThat(real.check("endpoint", "https://localhost:8443/"))
                .singleElement()
                .satisfies(v -> assertThat(v.message()).contains("localhost").contains("loopback"));
        // A public-looking name that resolves to loopback (DNS rebinding) is refused too.
        assertThat(reason("https://rebound.example.com/")).contains("resolves to a loopback address 127.0.0.1");
    }

    @Test
    void ipv6FormsThatCarryAForbiddenIpv4AddressAreRefused() {
        assertThat(reason("https://[::ffff:127.0.0.1]/")).contains("loopback");
        assertThat(reason("https://[::ffff:10.0.0.1]/")).contains("private");
        assertThat(reason("https://[::127.0.0.1]/")).contains("loopback");
        assertThat(reason("https://[64:ff9b::a9fe:a9fe]/")).contains("link-local"); // NAT64 of 169.254.169.254
        assertThat(reason("https://[2002:7f00:1::]/")).contains("loopback"); // 6to4 of 127.0.0.1
        assertThat(reason("https://[::]/")).contains("unspecified");
    }

    @Test
    void multicastBroadcastAndUnspecifiedAreRefused() {
        assertThat(reason("https://224.0.0.1/")).contains("multicast");
        assertThat(reason("https://[ff02::1]/")).contains("multicast");
        assertThat(reason("https://255.255.255.255/")).contains("broadcast");
        assertThat(reason("https://0.0.0.0/")).contains("unspecified");
        assertThat(reason("https://0.1.2.3/")).contains("unspecified");
    }

    @Test
    void malformedEndpointsAndCredentialsAreRefused() {
        assertThat(reason("https://nowhere.invalid/")).contains("does not resolve");
        assertThat(reason("not a url")).contains("not a URL");
        assertThat(reason("https:///path")).contains("no valid host");
        assertThat(check("https://user:pw@hooks.example.com/"))
                .extracting(Violation::message)
                .anyMatch(m -> m.contains("credentials"));
        assertThat(reason("https://hooks.example.com/" + "a".repeat(2100))).contains("longer than");
        assertThat(check(null)).extracting(Violation::message).containsExactly("is required");
    }

    @Test
    void allowedHostNamesAndRangesLetThroughWhatTheyList() {
        AddressGuard g = guard("rebound.example.com, 10.0.0.0/8, ::1, 169.254.169.254/32", false);
        assertThat(g.check("endpoint", "https://rebound.example.com/")).isEmpty();
        assertThat(g.check("endpoint", "https://10.200.0.1/")).isEmpty();
        assertThat(g.check("endpoint", "https://internal.example.com/")).isEmpty();
        assertThat(g.check("endpoint", "https://[::1]/")).isEmpty();
        assertThat(g.check("endpoint", "https://169.254.169.254/")).isEmpty();
        assertThat(g.check("endpoint", "https://127.0.0.1/"))
                .singleElement()
                .satisfies(v -> assertThat(v.message()).contains("loopback"));
        assertThat(g.check("endpoint", "https://192.168.0.1/")).hasSize(1);
    }

    @Test
    void allowedHostsThatAreNeitherNamesNorRangesAreConfigurationErrors() {
        ConfigReader r = new ConfigReader(Map.of("PUSH_ALLOWED_HOSTS", "ok.example, 10.0.0.0/33, bad host!, 1.2.3"));
        AllowedHosts.from(r);
        assertThat(r.hasProblem("PUSH_ALLOWED_HOSTS")).isTrue();
        org.assertj.core.api.Assertions.assertThatThrownBy(r::validate)
                .hasMessageContaining("10.0.0.0/33")
                .hasMessageContaining("bad host!");
    }

    @Test
    void deliveryTimeResolutionReturnsTheCheckedAddress() throws Exception {
        AddressGuard g = guard("", false);
        assertThat(g.resolve(java.net.URI.create("https://hooks.example.com/")).getHostAddress())
                .isEqualTo("93.184.216.34");
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> g.resolve(java.net.URI.create("https://rebound.example.com/")))
                .isInstanceOf(AddressGuard.BlockedAddressException.class)
                .hasMessageContaining("loopback");
    }
}
