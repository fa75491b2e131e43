package io.queueservice.testing;

import java.io.IOException;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The type of queues on the shared broker, from {@code rabbitmqctl list_queues name type}: AMQP has no way to
 * ask (a passive declaration does not tell), and the management plugin is not always there. Read-only: it
 * lists, nothing else. Needs the shared broker to be the local node (as {@code scripts/test.sh} sets it up).
 */
public final class SharedBrokerTypes {
    private static final Set<String> LOCAL_HOSTS = Set.of("localhost", "127.0.0.1", "::1", "[::1]");

    private SharedBrokerTypes() {}

    /**
     * The type ({@code classic}, {@code quorum}, {@code stream}) of each of {@code queues} that exists.
     *
     * @throws AssertionError when rabbitmqctl cannot list the queues of the local node
     */
    public static Map<String, String> of(List<String> queues) {
        URI url = URI.create(SharedBroker.url().split(",")[0].strip());
        if (!LOCAL_HOSTS.contains(url.getHost())) {
            throw new AssertionError("reading queue types needs the shared broker on this machine (rabbitmqctl), but"
                    + " RABBITMQ_URL points at " + url.getHost());
        }
        String path = url.getRawPath();
        String vhost =
                path == null || path.length() <= 1 ? "/" : URLDecoder.decode(path.substring(1), StandardCharsets.UTF_8);
        String ctl = Files.isExecutable(Path.of("/usr/sbin/rabbitmqctl")) ? "/usr/sbin/rabbitmqctl" : "rabbitmqctl";
        String out = run(ctl, "list_queues", "-p", vhost, "-q", "--no-table-headers", "name", "type");
        Map<String, String> types = new HashMap<>();
        for (String line : out.split("\n")) {
            int tab = line.lastIndexOf('\t');
            if (tab > 0 && queues.contains(line.substring(0, tab))) {
                types.put(line.substring(0, tab), line.substring(tab + 1).strip());
            }
        }
        return types;
    }

    /** The type of one queue, or null when it does not exist. */
    public static String of(String queue) {
        return of(List.of(queue)).get(queue);
    }

    private static String run(String... command) {
        try {
            Path output = Files.createTempFile("rabbitmqctl", ".out");
            try {
                Process p = new ProcessBuilder(command)
                        .redirectErrorStream(true)
                        .redirectOutput(output.toFile())
                        .start();
                if (!p.waitFor(60, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    throw new AssertionError(String.join(" ", command) + " did not answer within 60 s");
                }
                String text = Files.readString(output);
                if (p.exitValue() != 0) {
                    throw new AssertionError(String.join(" ", command) + " failed (" + p.exitValue() + "): " + text);
                }
                return text;
            } finally {
                Files.deleteIfExists(output);
            }
        } catch (IOException e) {
            throw new AssertionError("cannot run rabbitmqctl to read queue types: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }
}
