package io.queueservice.deadletters;

import io.queueservice.broker.ManagementApi;

/** The {@link BrokerDirectory} of RabbitMQ's management API: three requests per read. */
public final class ManagementDirectory implements BrokerDirectory {
    private final ManagementApi api;

    public ManagementDirectory(ManagementApi api) {
        this.api = api;
    }

    @Override
    public Snapshot read() {
        return new Snapshot(
                api.deadLettering().stream()
                        .map(q -> new QueueEntry(q.queue(), q.exchange(), q.routingKey()))
                        .toList(),
                api.exchanges().stream()
                        .map(e -> new ExchangeEntry(e.name(), e.type()))
                        .toList(),
                api.bindings().stream()
                        .map(b -> new BindingEntry(b.source(), b.destination(), b.toExchange(), b.routingKey()))
                        .toList());
    }
}
