package io.queueservice.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;

/**
 * Ports on 127.0.0.1 that nothing listens on right now, for a server a test starts (a private RabbitMQ node, a
 * proxy) or for a peer that must not be there (an SMTP server at a closed port). The ports of the machine's own
 * RabbitMQ node and epmd (5672, 25672, 4369) and the range rabbitmqctl uses for itself (35672-35682) are never
 * handed out. Another process may take a port between this call and its use: callers that bind it retry on a
 * clash.
 */
public final class FreePorts {
    private FreePorts() {}

    /** One free port. */
    public static int one() {
        return several(1)[0];
    }

    /** {@code count} distinct free ports (all held open while they are chosen, so none is handed out twice). */
    public static int[] several(int count) {
        List<ServerSocket> held = new ArrayList<>();
        try {
            int[] ports = new int[count];
            for (int i = 0; i < count; ) {
                ServerSocket s = new ServerSocket();
                held.add(s);
                s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                int port = s.getLocalPort();
                if (!reserved(port)) {
                    ports[i++] = port;
                }
            }
            return ports;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot find a free port on 127.0.0.1", e);
        } finally {
            for (ServerSocket s : held) {
                try {
                    s.close();
                } catch (IOException e) {
                    // it was only held to reserve the port
                }
            }
        }
    }

    private static boolean reserved(int port) {
        return port == 5672 || port == 25672 || port == 4369 || (port >= 35672 && port <= 35682);
    }
}
