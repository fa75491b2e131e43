package io.queueservice.server.push;

import io.vertx.core.Future;
import java.net.InetAddress;
import java.net.URI;
import java.time.Duration;

/**
 * The address a subscription's deliveries connect to, checked by the {@link AddressGuard}: for an address
 * literal, checked once (the answer cannot change); for a host name, resolved off the event loop (a lookup may
 * wait on DNS) and then reused for {@link #RESOLVED_FOR}. Used on the subscription's context only.
 */
final class EndpointAddress {
    /** How long a host name's checked address is reused before it is resolved and checked again. */
    static final Duration RESOLVED_FOR = Duration.ofSeconds(1);

    /** A host name's address, checked, and when (System.nanoTime()). */
    private record Resolved(InetAddress address, long at) {}

    private final URI endpoint;
    private final AddressGuard guard;
    private final io.vertx.core.Context context;
    /** Whether the endpoint's host is an address literal, which needs no lookup. */
    private final boolean literal;
    /** The last lookup of the endpoint's host name. */
    private Resolved resolved;
    /** The address literal's check. */
    private Future<InetAddress> literalAddress;

    EndpointAddress(URI endpoint, AddressGuard guard, io.vertx.core.Context context) {
        this.endpoint = endpoint;
        this.guard = guard;
        this.context = context;
        this.literal = AddressGuard.isLiteral(AddressGuard.host(endpoint));
    }

    /** The address to connect to; fails with {@link AddressGuard.BlockedAddressException} when refused. */
    Future<InetAddress> get() {
        if (literal) {
            if (literalAddress == null) {
                try {
                    literalAddress = Future.succeededFuture(guard.resolve(endpoint));
                } catch (AddressGuard.BlockedAddressException e) {
                    literalAddress = Future.failedFuture(e);
                }
            }
            return literalAddress;
        }
        Resolved r = resolved;
        if (r != null && System.nanoTime() - r.at() < RESOLVED_FOR.toNanos()) {
            return Future.succeededFuture(r.address());
        }
        return context.executeBlocking(() -> guard.resolve(endpoint)).onSuccess(a -> {
            resolved = new Resolved(a, System.nanoTime());
        });
    }
}
