package io.queueservice.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * How to reach RabbitMQ: one or more nodes of a cluster (from {@code RABBITMQ_URL}), credentials,
 * virtual host, heartbeat, TLS and how to log in. {@link #toString()} never shows the password.
 *
 * @param authMechanism how the broker authenticates us: {@code PLAIN} with the URL's user and password,
 *     or {@code EXTERNAL} with the TLS client certificate (the URL's user and password are then unused)
 */
public record BrokerConfig(
        List<Node> nodes,
        String username,
        String password,
        String virtualHost,
        int heartbeatSeconds,
        Duration connectionTimeout,
        TlsConfig tls,
        AuthMechanism authMechanism) {

    public static final String DEFAULT_URL = "amqp://guest:guest@localhost:5672";
    public static final int AMQP_PORT = 5672;
    public static final int AMQPS_PORT = 5671;

    /** SASL mechanisms RabbitMQ offers for logging in ({@code RABBITMQ_AUTH_MECHANISM}). */
    public enum AuthMechanism {
        /** User name and password from the URL. */
        PLAIN,
        /**
         * The TLS client certificate: the broker takes the user name from it (with RabbitMQ's plugin
         * {@code rabbitmq_auth_mechanism_ssl}, by default its subject's distinguished name, or its common
         * name with {@code ssl_cert_login_from = common_name}).
         */
        EXTERNAL
    }

    /** One broker node. */
    public record Node(String host, int port) {
        @Override
        public String toString() {
            return host + ":" + port;
        }
    }

    public BrokerConfig {
        nodes = List.copyOf(nodes);
        Objects.requireNonNull(password, "password");
    }

    /**
     * Reads {@code RABBITMQ_URL}, {@code RABBITMQ_HEARTBEAT}, {@code RABBITMQ_CONNECTION_TIMEOUT},
     * {@code RABBITMQ_AUTH_MECHANISM} and TLS (see {@link TlsConfig}).
     */
    public static BrokerConfig from(ConfigReader env) {
        int heartbeat = env.integer("RABBITMQ_HEARTBEAT", 60, 0, 3600);
        long timeoutMs = env.longValue("RABBITMQ_CONNECTION_TIMEOUT", 5000, 100, 600_000);
        String urls = env.string("RABBITMQ_URL", DEFAULT_URL);
        TlsConfig tls = TlsConfig.from(env, usesAmqps(urls));
        AuthMechanism auth =
                AuthMechanism.valueOf(env.oneOf("RABBITMQ_AUTH_MECHANISM", "plain", Set.of("plain", "external"))
                        .toUpperCase(Locale.ROOT));
        if (auth == AuthMechanism.EXTERNAL
                && tls.identity().isEmpty()
                && !env.hasProblem("TLS_CERT_PATH")
                && !env.hasProblem("TLS_KEY_PATH")) {
            env.problem(
                    "RABBITMQ_AUTH_MECHANISM",
                    "is 'external', which logs in with the TLS client certificate: set TLS_CERT_PATH and"
                            + " TLS_KEY_PATH (and TLS_ENABLED=true or an amqps:// URL)");
        }
        List<String> problems = new ArrayList<>();
        BrokerConfig parsed = parse(urls, heartbeat, Duration.ofMillis(timeoutMs), tls, auth, problems);
        problems.forEach(p -> env.problem("RABBITMQ_URL", p));
        return parsed;
    }

    /** Whether any of the URLs asks for TLS; mixing schemes is reported by {@link #parse}. */
    private static boolean usesAmqps(String urls) {
        for (String url : urls.split(",")) {
            if (url.trim().regionMatches(true, 0, "amqps://", 0, 8)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Parses a comma-separated list of AMQP URLs. All must share scheme, user and virtual host: they
     * are nodes of one cluster. A URL without a port gets 5671 when TLS is on, else 5672. Problems are
     * added to {@code problems} (never with the password).
     */
    static BrokerConfig parse(
            String urls, int heartbeat, Duration timeout, TlsConfig tls, AuthMechanism auth, List<String> problems) {
        List<Node> nodes = new ArrayList<>();
        String username = "guest";
        String password = "guest";
        String vhost = "/";
        String first = null;
        String scheme = null;
        int defaultPort = tls.enabled() ? AMQPS_PORT : AMQP_PORT;
        String[] entries = urls.split(",");
        for (int i = 0; i < entries.length; i++) {
            String url = entries[i].trim();
            // Only something that looks like a URL is quoted back (masked); anything else may be a
            // fragment of a password holding an unencoded ',' and is named by its position.
            String shown = url.contains("://") ? "'" + mask(url) + "'" : "entry " + (i + 1);
            if (url.isEmpty()) {
                problems.add("has an empty entry (number " + (i + 1) + ") in '" + mask(urls) + "'");
                continue;
            }
            URI uri;
            try {
                uri = new URI(url);
            } catch (URISyntaxException e) {
                // The reason alone: the input may hold an unencoded password, which mask() cannot find.
                problems.add("entry " + (i + 1) + " is not a valid URL (" + e.getReason()
                        + "); percent-encode special characters in the password");
                continue;
            }
            if (!"amqp".equalsIgnoreCase(uri.getScheme()) && !"amqps".equalsIgnoreCase(uri.getScheme())) {
                problems.add(shown + " must be of the form amqp://user:password@host:port/vhost (or amqps:// for TLS)");
                continue;
            }
            String thisScheme = uri.getScheme().toLowerCase(Locale.ROOT);
            if (scheme != null && !scheme.equals(thisScheme)) {
                problems.add(shown + " must use " + scheme + ":// like the URL before it: all URLs are nodes of one"
                        + " cluster, reached the same way");
                continue;
            }
            scheme = thisScheme;
            if (uri.getRawAuthority() == null) {
                problems.add(shown + " has no host");
                continue;
            }
            // The authority is split here, not by URI.getHost(), which refuses host names with '_'
            // (Docker Compose service names often have one).
            String authority = uri.getRawAuthority();
            int at = authority.lastIndexOf('@');
            String userInfo = at < 0 ? null : authority.substring(0, at);
            if (userInfo != null && userInfo.contains("@")) {
                problems.add(shown + " has an '@' in its user or password: write it as %40");
                continue;
            }
            String hostPort = authority.substring(at + 1);
            Node node = node(hostPort, defaultPort);
            if (node == null) {
                problems.add(shown
                        + (host(hostPort).isEmpty() ? " has no host" : " has a port that is not between 1 and 65535"));
                continue;
            }
            String user = "guest";
            String pass = "guest";
            if (userInfo != null) {
                String[] parts = userInfo.split(":", 2);
                user = decode(parts[0]);
                pass = parts.length > 1 ? decode(parts[1]) : "";
            }
            String vh = vhostOf(uri.getRawPath() == null ? "" : uri.getRawPath());
            if (vh == null) {
                problems.add(shown + " has a path with more than one segment; the path is the"
                        + " virtual host, with '/' written as %2F");
                continue;
            }
            if (first == null) {
                first = shown;
                username = user;
                password = pass;
                vhost = vh;
            } else if (!user.equals(username) || !pass.equals(password) || !vh.equals(vhost)) {
                problems.add(shown + " must use the same user, password and virtual host as " + first
                        + ": all URLs are nodes of one cluster");
                continue;
            }
            nodes.add(node);
        }
        if (nodes.isEmpty() && problems.isEmpty()) {
            problems.add("must hold at least one amqp:// URL");
        }
        return new BrokerConfig(nodes, username, password, vhost, heartbeat, timeout, tls, auth);
    }

    /** {@code host}, {@code host:port} or {@code [v6]:port}; null when the host is missing or the port bad. */
    private static String host(String hostPort) {
        int colon = portColon(hostPort);
        String host = colon < 0 ? hostPort : hostPort.substring(0, colon);
        return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    }

    /** Index of the ':' before the port, or -1; an IPv6 address's own colons are inside brackets. */
    private static int portColon(String hostPort) {
        int colon = hostPort.lastIndexOf(':');
        return colon > hostPort.lastIndexOf(']') ? colon : -1;
    }

    private static Node node(String hostPort, int defaultPort) {
        String host = host(hostPort);
        if (host.isEmpty()) {
            return null;
        }
        int colon = portColon(hostPort);
        String port = colon < 0 ? "" : hostPort.substring(colon + 1);
        if (port.isEmpty()) {
            return new Node(host, defaultPort);
        }
        try {
            int p = Integer.parseInt(port);
            return p >= 1 && p <= 65535 ? new Node(host, p) : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** The virtual host named by a URL path, or null when the path has several segments. */
    private static String vhostOf(String rawPath) {
        if (rawPath.isEmpty() || rawPath.equals("/")) {
            return "/";
        }
        String segment = rawPath.substring(1);
        if (segment.contains("/")) {
            return null;
        }
        return decode(segment);
    }

    private static String decode(String s) {
        return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    /**
     * The text with the password of every URL in it replaced by asterisks, safe to log. The password runs
     * from the first ':' after "scheme://" to the last '@' before the next URL, so one holding unencoded
     * '/', '@' or ',' is masked whole too.
     */
    public static String mask(String text) {
        StringBuilder out = new StringBuilder();
        int pos = 0;
        for (int scheme = text.indexOf("://"); scheme >= 0; scheme = text.indexOf("://", pos)) {
            int start = scheme + 3;
            int next = text.indexOf("://", start);
            int at = text.lastIndexOf('@', next < 0 ? text.length() - 1 : next);
            int colon = text.indexOf(':', start);
            if (at > start && colon >= 0 && colon < at) {
                out.append(text, pos, colon + 1).append("*****");
                pos = at;
            } else {
                out.append(text, pos, start);
                pos = start;
            }
        }
        return out.append(text.substring(pos)).toString();
    }

    /**
     * A display form of where we connect, safe to log: {@code amqp://guest:*****@host:port/vhost}, with
     * {@code amqps://} when TLS is on, and without user when the client certificate logs in.
     */
    public String displayUrl() {
        String vh = virtualHost.equals("/") ? "" : "/" + virtualHost;
        String scheme = tls.enabled() ? "amqps://" : "amqp://";
        String login = authMechanism == AuthMechanism.EXTERNAL ? "" : username + ":*****@";
        return nodes.stream().map(n -> scheme + login + n + vh).collect(Collectors.joining(","));
    }

    @Override
    public String toString() {
        return "BrokerConfig[nodes=" + nodes + ", username=" + username + ", password=*****, virtualHost="
                + virtualHost + ", heartbeatSeconds=" + heartbeatSeconds + ", connectionTimeout="
                + connectionTimeout + ", tls=" + tls + ", authMechanism=" + authMechanism + "]";
    }
}
