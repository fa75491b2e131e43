package io.queueservice.server.push;

import io.queueservice.validation.Violation;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Keeps endpoints away from the service's own network (SSRF): an endpoint must be {@code https} (unless
 * {@code PUSH_ALLOW_HTTP=true}), and its host must not be, or resolve to, a loopback, private, link-local
 * (cloud metadata lives at 169.254.169.254), multicast, broadcast or unspecified address, unless the host
 * name or the address is listed in {@code PUSH_ALLOWED_HOSTS}. Checked when a subscription is created or
 * changed, and again at each delivery after resolving the name, whose checked address is the one the
 * deliverer connects to (a name that resolves elsewhere by then, DNS rebinding, gains nothing).
 */
final class AddressGuard {
    /** Resolves host names; the system resolver outside tests. */
    @FunctionalInterface
    interface Resolver {
        InetAddress[] resolve(String host) throws UnknownHostException;
    }

    /** The endpoint's host may not be reached; the message says why without naming anything secret. */
    static final class BlockedAddressException extends Exception {
        private static final long serialVersionUID = 1L;

        BlockedAddressException(String message) {
            super(message, null, false, false);
        }
    }

    static final int MAX_ENDPOINT_LENGTH = 2048;
    private static final java.util.regex.Pattern DOTTED = java.util.regex.Pattern.compile("[0-9.]+");

    private final boolean allowHttp;
    private final AllowedHosts allowed;
    private final Resolver resolver;

    AddressGuard(boolean allowHttp, AllowedHosts allowed, Resolver resolver) {
        this.allowHttp = allowHttp;
        this.allowed = allowed;
        this.resolver = resolver;
    }

    AddressGuard(boolean allowHttp, AllowedHosts allowed) {
        this(allowHttp, allowed, InetAddress::getAllByName);
    }

    /**
     * Checks an endpoint as given by a client.
     *
     * @return what is wrong with it, each naming {@code field}; empty when it may be used
     */
    List<Violation> check(String field, String endpoint) {
        List<Violation> v = new ArrayList<>();
        if (endpoint == null || endpoint.isBlank()) {
            v.add(new Violation(field, "is required"));
            return v;
        }
        if (endpoint.length() > MAX_ENDPOINT_LENGTH) {
            v.add(new Violation(field, "is longer than " + MAX_ENDPOINT_LENGTH + " characters"));
            return v;
        }
        URI uri;
        try {
            uri = new URI(endpoint);
        } catch (URISyntaxException e) {
            v.add(new Violation(field, "is not a URL: " + e.getReason()));
            return v;
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("https") && !(scheme.equals("http") && allowHttp)) {
            v.add(new Violation(
                    field,
                    scheme.equals("http")
                            ? "must be an https URL (plain http is refused unless PUSH_ALLOW_HTTP=true)"
                            : "must be an https URL"));
            return v;
        }
        if (uri.getHost() == null) {
            v.add(new Violation(field, "has no valid host"));
            return v;
        }
        if (uri.getRawUserInfo() != null) {
            v.add(new Violation(field, "must not carry credentials; send them as a static header instead"));
        }
        if (uri.getRawFragment() != null) {
            v.add(new Violation(field, "must not have a #fragment"));
        }
        try {
            resolve(uri);
        } catch (BlockedAddressException e) {
            v.add(new Violation(field, e.getMessage()));
        }
        return v;
    }

    /**
     * The address to connect to for this endpoint, resolved now.
     *
     * @throws BlockedAddressException when the host does not resolve, or is or resolves to an address
     *     that may not be reached
     */
    InetAddress resolve(URI endpoint) throws BlockedAddressException {
        String host = host(endpoint);
        InetAddress[] addresses;
        try {
            addresses = isLiteral(host) ? new InetAddress[] {InetAddress.getByName(host)} : resolver.resolve(host);
        } catch (UnknownHostException e) {
            throw new BlockedAddressException("host '" + host + "' does not resolve");
        }
        if (addresses.length == 0) {
            throw new BlockedAddressException("host '" + host + "' does not resolve");
        }
        if (!isLiteral(host) && allowed.allowsName(host)) {
            return addresses[0];
        }
        for (InetAddress a : addresses) {
            Optional<String> why = forbidden(a);
            if (why.isPresent() && !allowed.allowsAddress(a)) {
                throw new BlockedAddressException("host '" + host + "' "
                        + (isLiteral(host) ? "is" : "resolves to") + " " + why.get() + " address "
                        + a.getHostAddress() + ", which endpoints may not use (unless listed in "
                        + AllowedHosts.VARIABLE + ")");
            }
        }
        return addresses[0];
    }

    static String host(URI endpoint) {
        String h = endpoint.getHost();
        return h.startsWith("[") && h.endsWith("]") ? h.substring(1, h.length() - 1) : h;
    }

    static boolean isLiteral(String host) {
        return host.contains(":") || DOTTED.matcher(host).matches();
    }

    /** Why an address is off limits ("loopback", ...), or empty for a public address. */
    static Optional<String> forbidden(InetAddress a) {
        if (a instanceof Inet6Address v6) {
            Optional<Inet4Address> embedded = embeddedV4(v6.getAddress());
            if (embedded.isPresent()) {
                return forbidden(embedded.get()).map(why -> why + " (embedded in IPv6)");
            }
        }
        byte[] b = a.getAddress();
        if (a.isAnyLocalAddress() || (b.length == 4 && b[0] == 0)) {
            return Optional.of("an unspecified");
        }
        if (a.isLoopbackAddress()) {
            return Optional.of("a loopback");
        }
        if (a.isLinkLocalAddress()) {
            return Optional.of("a link-local (cloud metadata)");
        }
        if (a.isMulticastAddress()) {
            return Optional.of("a multicast");
        }
        if (b.length == 4) {
            int b0 = b[0] & 0xff;
            int b1 = b[1] & 0xff;
            if (b0 == 10 || (b0 == 172 && b1 >= 16 && b1 <= 31) || (b0 == 192 && b1 == 168)) {
                return Optional.of("a private (RFC 1918)");
            }
            if (b0 == 100 && b1 >= 64 && b1 <= 127) {
                return Optional.of("a private (shared, RFC 6598)");
            }
            if (b0 == 255 && (b[1] & b[2] & b[3] & 0xff) == 0xff) {
                return Optional.of("a broadcast");
            }
            return Optional.empty();
        }
        if ((b[0] & 0xfe) == 0xfc) {
            return Optional.of("a private (unique local, fc00::/7)");
        }
        if (a.isSiteLocalAddress()) {
            return Optional.of("a private (site-local, fec0::/10)");
        }
        return Optional.empty();
    }

    /**
     * The IPv4 address inside an IPv6 one that carries it: IPv4-compatible {@code ::a.b.c.d}, IPv4-mapped
     * {@code ::ffff:a.b.c.d}, NAT64 {@code 64:ff9b::/96} and 6to4 {@code 2002::/16}.
     */
    private static Optional<Inet4Address> embeddedV4(byte[] b) {
        byte[] v4 = null;
        if (allZero(b, 0, 10) && ((b[10] == 0 && b[11] == 0) || (b[10] == (byte) 0xff && b[11] == (byte) 0xff))) {
            if (!(b[10] == 0 && allZero(b, 12, 15) && (b[15] == 0 || b[15] == 1))) { // not :: or ::1
                v4 = new byte[] {b[12], b[13], b[14], b[15]};
            }
        } else if (b[0] == 0 && b[1] == 0x64 && b[2] == (byte) 0xff && b[3] == (byte) 0x9b && allZero(b, 4, 12)) {
            v4 = new byte[] {b[12], b[13], b[14], b[15]};
        } else if (b[0] == 0x20 && b[1] == 0x02) {
            v4 = new byte[] {b[2], b[3], b[4], b[5]};
        }
        if (v4 == null) {
            return Optional.empty();
        }
        try {
            return Optional.of((Inet4Address) InetAddress.getByAddress(v4));
        } catch (UnknownHostException e) {
            return Optional.empty();
        }
    }

    private static boolean allZero(byte[] b, int from, int to) {
        for (int i = from; i < to; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return true;
    }
}
