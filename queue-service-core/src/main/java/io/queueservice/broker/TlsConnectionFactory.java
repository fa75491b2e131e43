package io.queueservice.broker;

import com.rabbitmq.client.Address;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.impl.FrameHandler;
import com.rabbitmq.client.impl.FrameHandlerFactory;
import com.rabbitmq.client.impl.SocketFrameHandlerFactory;
import io.queueservice.config.BrokerConfig;
import io.queueservice.config.TlsContexts;
import java.io.IOException;
import java.net.Socket;
import javax.net.SocketFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * A connection factory whose connections speak TLS over sockets from a given plain socket factory.
 *
 * <p>Why not the client library's own TLS ({@code useSslProtocol} and {@code enableHostnameVerification})?
 * It makes the socket an {@link SSLSocket} from the start, so the {@link CoalescingSocketFactory} could
 * not hold its writes, and the library's host name check only acts on sockets that are SSL sockets
 * before they connect. Here the plain socket (coalescing or not) connects first, and TLS is layered on
 * it: a held burst of publishes becomes TLS records that wait below the encryption and leave together,
 * as they do without TLS. The protocol versions and the host name check are set on the layered socket
 * by {@link TlsContexts#clientParameters}, and the handshake is completed here, bounded by the connection
 * timeout, so a server with an untrusted certificate or the wrong name fails the connection attempt.
 */
final class TlsConnectionFactory extends ConnectionFactory {
    /** AMQP's minimum frame size: what the library's own factory starts with until the broker tunes it. */
    private static final int INITIAL_FRAME_MAX = 8192;

    private final SSLContext context;
    private final SocketFactory plainSockets;

    TlsConnectionFactory(SSLContext context, SocketFactory plainSockets) {
        this.context = context;
        this.plainSockets = plainSockets;
    }

    /**
     * True: the library then keeps a single node's host name (it would otherwise resolve it to IP
     * addresses, against which the certificate would be checked) and defaults ports to 5671.
     */
    @Override
    public boolean isSSL() {
        return true;
    }

    @Override
    protected synchronized FrameHandlerFactory createFrameHandlerFactory() {
        // No socket factory and "not SSL" for the parent: create(Address, String) below makes the sockets.
        return new SocketFrameHandlerFactory(
                getConnectionTimeout(), null, getSocketConfigurator(), false, null, null, INITIAL_FRAME_MAX) {
            @Override
            public FrameHandler create(Address address, String connectionName) throws IOException {
                int port = address.getPort() > 0 ? address.getPort() : BrokerConfig.AMQPS_PORT;
                Socket plain = plainSockets.createSocket();
                SSLSocket tls = null;
                try {
                    configurator.configure(plain); // TCP_NODELAY, as for plain connections
                    plain.connect(address.toInetSocketAddress(port), connectionTimeout);
                    tls = (SSLSocket) context.getSocketFactory().createSocket(plain, address.getHost(), port, true);
                    tls.setSSLParameters(TlsContexts.clientParameters(context));
                    int before = tls.getSoTimeout();
                    tls.setSoTimeout(connectionTimeout);
                    tls.startHandshake();
                    tls.setSoTimeout(before);
                    return create(tls);
                } catch (IOException | RuntimeException e) {
                    closeQuietly(tls != null ? tls : plain);
                    throw e;
                }
            }
        };
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // failing anyway
        }
    }
}
