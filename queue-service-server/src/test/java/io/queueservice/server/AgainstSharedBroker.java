package io.queueservice.server;

import io.queueservice.testing.SharedBroker;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Base of integration test classes that share one running service on the shared broker: {@link #api}
 * to call it, {@link #broker} to check what reached RabbitMQ and to clean up what the test created.
 */
abstract class AgainstSharedBroker {
    static RunningService service;
    static ApiClient api;
    static BrokerProbe broker;

    @BeforeAll
    static void startService() {
        broker = new BrokerProbe(SharedBroker.url());
        service = RunningService.start(SharedBroker.url());
        api = service.api();
    }

    @AfterAll
    static void stopService() {
        service.close();
        broker.close();
    }
}
