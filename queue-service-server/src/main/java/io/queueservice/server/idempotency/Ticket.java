package io.queueservice.server.idempotency;

/**
 * The right to process the first request with a key, handed out by {@link Idempotency#begin}; give it back
 * with {@link Idempotency#complete} (or {@link Idempotency#release}) once the answer is known.
 *
 * @param storeKey where the key lives in the store (a hash of its owner and the key)
 * @param marker what the store holds while the request is in flight; only its holder may replace it
 */
public record Ticket(String storeKey, Stored.InFlight marker) {}
