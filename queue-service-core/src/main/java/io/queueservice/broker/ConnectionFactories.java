package io.queueservice.broker;

import com.rabbitmq.client.Address;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.DefaultSaslConfig;
import io.queueservice.config.BrokerConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import javax.net.SocketFactory;

/** The client library's connection factories, set up from a {@link BrokerConfig} for a {@link BrokerConnection}. */
final class ConnectionFactories {
    private ConnectionFactories() {}

    /** A factory whose connections use sockets from {@code plainSockets}, with TLS over them when it is on. */
    static ConnectionFactory create(BrokerConfig config, Duration rpcTimeout, SocketFactory plainSockets) {
        ConnectionFactory f;
        if (config.tls().enabled()) {
            f = new TlsConnectionFactory(config.tls().sslContext(), plainSockets);
        } else {
            f = new ConnectionFactory();
            f.setSocketFactory(plainSockets);
        }
        if (config.authMechanism() == BrokerConfig.AuthMechanism.EXTERNAL) {
            f.setSaslConfig(DefaultSaslConfig.EXTERNAL);
        }
        f.setUsername(config.username());
        f.setPassword(config.password());
        f.setVirtualHost(config.virtualHost());
        f.setRequestedHeartbeat(config.heartbeatSeconds());
        f.setConnectionTimeout((int) config.connectionTimeout().toMillis());
        f.setHandshakeTimeout((int) config.connectionTimeout().toMillis());
        f.setShutdownTimeout((int) config.connectionTimeout().toMillis());
        f.setChannelRpcTimeout((int) rpcTimeout.toMillis());
        f.setAutomaticRecoveryEnabled(false);
        f.setTopologyRecoveryEnabled(false);
        return f;
    }

    /** The cluster's nodes in random order, so that service instances spread over them. */
    static List<Address> shuffledAddresses(BrokerConfig config) {
        List<Address> addresses = new ArrayList<>();
        config.nodes().forEach(n -> addresses.add(new Address(n.host(), n.port())));
        Collections.shuffle(addresses);
        return addresses;
    }
}
