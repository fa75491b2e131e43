package io.queueservice.server.push;

import io.queueservice.config.ConfigReader;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * {@code PUSH_ALLOWED_HOSTS}: host names and address ranges that endpoints may use although the address
 * guard would refuse them (an internal service, a receiver on this machine in development), comma-separated:
 * host names ({@code hooks.internal}, compared without case), addresses ({@code 10.1.2.3}, {@code ::1}) and
 * CIDR ranges ({@code 10.0.0.0/8}, {@code fd00::/8}).
 */
public record AllowedHosts(Set<String> names, List<Cidr> ranges) {
    private static final Pattern HOST_NAME =
            Pattern.compile("(?i)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*\\.?");

    static final String VARIABLE = "PUSH_ALLOWED_HOSTS";

    public AllowedHosts {
        names = Set.copyOf(names);
        ranges = List.copyOf(ranges);
    }

    static AllowedHosts none() {
        return new AllowedHosts(Set.of(), List.of());
    }

    /** An address range. */
    record Cidr(byte[] network, int prefix) {
        boolean contains(InetAddress a) {
            byte[] b = a.getAddress();
            if (b.length != network.length) {
                return false;
            }
            int full = prefix / 8;
            for (int i = 0; i < full; i++) {
                if (b[i] != network[i]) {
                    return false;
                }
            }
            int rest = prefix % 8;
            if (rest == 0) {
                return true;
            }
            int mask = 0xff << (8 - rest) & 0xff;
            return (b[full] & mask) == (network[full] & mask);
        }

        /** @throws IllegalArgumentException when not an address or CIDR range */
        static Cidr parse(String text) {
            int slash = text.indexOf('/');
            String address = slash < 0 ? text : text.substring(0, slash);
            if (!address.contains(":") && !address.matches("[0-9.]+")) {
                throw new IllegalArgumentException("not an address");
            }
            byte[] bytes;
            try {
                bytes = InetAddress.getByName(address).getAddress(); // a literal: no lookup
            } catch (UnknownHostException e) {
                throw new IllegalArgumentException("not an address");
            }
            int prefix = bytes.length * 8;
            if (slash >= 0) {
                try {
                    prefix = Integer.parseInt(text.substring(slash + 1));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("bad prefix length");
                }
                if (prefix < 0 || prefix > bytes.length * 8) {
                    throw new IllegalArgumentException("bad prefix length");
                }
            }
            return new Cidr(bytes, prefix);
        }
    }

    static AllowedHosts from(ConfigReader r) {
        Set<String> names = new LinkedHashSet<>();
        List<Cidr> ranges = new ArrayList<>();
        for (String item : r.string(VARIABLE, "").split(",")) {
            String v = item.trim();
            if (v.isEmpty()) {
                continue;
            }
            boolean looksLikeAddress = v.contains(":") || v.contains("/") || v.matches("[0-9.]+");
            if (looksLikeAddress) {
                try {
                    ranges.add(Cidr.parse(v.startsWith("[") && v.endsWith("]") ? v.substring(1, v.length() - 1) : v));
                } catch (IllegalArgumentException e) {
                    r.problem(
                            VARIABLE,
                            "has '" + v + "', which is neither a host name nor an address or CIDR range ("
                                    + e.getMessage() + ")");
                }
            } else if (HOST_NAME.matcher(v).matches()) {
                names.add(normalize(v));
            } else {
                r.problem(VARIABLE, "has '" + v + "', which is neither a host name nor an address or CIDR range");
            }
        }
        return new AllowedHosts(names, ranges);
    }

    static String normalize(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        return h.endsWith(".") ? h.substring(0, h.length() - 1) : h;
    }

    boolean allowsName(String host) {
        return names.contains(normalize(host));
    }

    boolean allowsAddress(InetAddress a) {
        return ranges.stream().anyMatch(c -> c.contains(a));
    }
}
