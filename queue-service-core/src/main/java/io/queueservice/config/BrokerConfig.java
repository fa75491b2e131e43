package io.queueservice.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * How to reach RabbitMQ: one or more nodes of a cluster (from {@code RABBITMQ_URL}), credentials,
 * virtual host, heartbeat and TLS. {@link #toString()} never shows the password.
 */
public record BrokerConfig(
        List<Node> nodes,
        String username,
        String password,
        String virtualHost,
        int heartbeatSeconds,
        Duration connectionTimeout,
        TlsConfig tls) {

    public static final String DEFAULT_URL = "amqp://guest:guest@localhost:5672";

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

    /** Reads {@code RABBITMQ_URL}, {@code RABBITMQ_HEARTBEAT}, {@code RABBITMQ_CONNECTION_TIMEOUT} and TLS. */
    public static BrokerConfig from(ConfigReader env) {
        int heartbeat = env.integer("RABBITMQ_HEARTBEAT", 60, 0, 3600);
        long timeoutMs = env.longValue("RABBITMQ_CONNECTION_TIMEOUT", 5000, 100, 600_000);
        TlsConfig tls = TlsConfig.from(env);
        String urls = env.string("RABBITMQ_URL", DEFAULT_URL);
        List<String> problems = new ArrayList<>();
        BrokerConfig parsed = parse(urls, heartbeat, Duration.ofMillis(timeoutMs), tls, problems);
        problems.forEach(p -> env.problem("RABBITMQ_URL", p));
        return parsed;
    }

    /**
     * Parses a comma-separated list of AMQP URLs. All must share scheme, user and virtual host: they
     * are nodes of one cluster. Problems are added to {@code problems} (never with the password).
     */
    static BrokerConfig parse(String urls, int heartbeat, Duration timeout, TlsConfig tls, List<String> problems) {
        List<Node> nodes = new ArrayList<>();
        String username = "guest";
        String password = "guest";
        String vhost = "/";
        String first = null;
        for (String raw : urls.split(",")) {
            String url = raw.trim();
            String shown = mask(url);
            if (url.isEmpty()) {
                problems.add("has an empty entry in '" + mask(urls) + "'");
                continue;
            }
            URI uri;
            try {
                uri = new URI(url);
            } catch (URISyntaxException e) {
                problems.add("'" + shown + "' is not a valid URL: " + e.getReason());
                continue;
            }
            if ("amqps".equalsIgnoreCase(uri.getScheme())) {
                problems.add("'" + shown + "': amqps:// is not supported yet; TLS to the broker comes with the"
                        + " security work (TLS_ENABLED)");
                continue;
            }
            if (!"amqp".equalsIgnoreCase(uri.getScheme())) {
                problems.add("'" + shown + "' must start with amqp://");
                continue;
            }
            if (uri.getHost() == null || uri.getHost().isEmpty()) {
                problems.add("'" + shown + "' has no host");
                continue;
            }
            int port = uri.getPort() == -1 ? 5672 : uri.getPort();
            String user = "guest";
            String pass = "guest";
            if (uri.getRawUserInfo() != null) {
                String[] parts = uri.getRawUserInfo().split(":", 2);
                user = decode(parts[0]);
                pass = parts.length > 1 ? decode(parts[1]) : "";
            }
            String path = uri.getRawPath() == null ? "" : uri.getRawPath();
            String vh = vhostOf(path);
            if (vh == null) {
                problems.add("'" + shown + "' has a path with more than one segment; the path is the"
                        + " virtual host, with '/' written as %2F");
                continue;
            }
            if (first == null) {
                first = shown;
                username = user;
                password = pass;
                vhost = vh;
            } else if (!user.equals(username) || !pass.equals(password) || !vh.equals(vhost)) {
                problems.add("'" + shown + "' must use the same user, password and virtual host as '" + first
                        + "': all URLs are nodes of one cluster");
                continue;
            }
            nodes.add(new Node(uri.getHost(), port));
        }
        if (nodes.isEmpty() && problems.isEmpty()) {
            problems.add("must hold at least one amqp:// URL");
        }
        return new BrokerConfig(nodes, username, password, vhost, heartbeat, timeout, tls);
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

    /** The URL with any password replaced by asterisks, safe to log. */
    public static String mask(String url) {
        return url.replaceAll("(?<=://)([^:/@,]*):[^@/,]*@", "$1:*****@");
    }

    /** A display form of where we connect, safe to log: {@code amqp://guest:*****@host:port/vhost}. */
    public String displayUrl() {
        String vh = virtualHost.equals("/") ? "" : "/" + virtualHost;
        return nodes.stream()
                .map(n -> "amqp://" + username + ":*****@" + n + vh)
                .collect(Collectors.joining(","));
    }

    @Override
    public String toString() {
        return "BrokerConfig[nodes=" + nodes + ", username=" + username + ", password=*****, virtualHost="
                + virtualHost + ", heartbeatSeconds=" + heartbeatSeconds + ", connectionTimeout="
                + connectionTimeout + ", tls=" + tls + "]";
    }
}
