package io.queueservice.definitions;

import java.time.Duration;

/**
 * Where the definitions log lives and when it is compacted.
 *
 * <p>The compaction rule: a snapshot (the whole state, and the offset it covers) is written once more
 * than {@code snapshotAfterBytes} bytes or {@code snapshotAfterEvents} events were appended since the
 * latest one. The stream keeps at most {@code maxLengthBytes} ({@code x-max-length-bytes}) in segments of
 * {@code segmentBytes} ({@code x-stream-max-segment-size-bytes}); RabbitMQ only ever deletes whole
 * segments, the oldest first, never the one being written, and only while the rest is over the limit, so
 * at least {@code maxLengthBytes - segmentBytes} of the newest bytes are always kept. The settings must
 * leave room in that window for the latest snapshot and what follows it: {@code snapshotAfterBytes +
 * 2 * maxStateBytes + segmentBytes <= maxLengthBytes / 2} (checked here), so retention can only drop
 * what a kept snapshot covers, with half the window to spare for writers that race each other.
 *
 * @param stream the stream's name
 * @param maxLengthBytes the stream's retention, in bytes
 * @param segmentBytes the size of the stream's segment files
 * @param snapshotAfterBytes bytes appended since the latest snapshot that call for a new one
 * @param snapshotAfterEvents events appended since the latest snapshot that call for a new one
 * @param maxStateBytes the most all definitions together may weigh (as JSON); a write that would exceed
 *     it is refused
 * @param maxDefinitionBytes the most one definition may weigh (as JSON)
 * @param applyTimeout how long a writer waits for its write to be applied locally
 */
public record DefinitionsLogSettings(
        String stream,
        long maxLengthBytes,
        long segmentBytes,
        long snapshotAfterBytes,
        int snapshotAfterEvents,
        long maxStateBytes,
        int maxDefinitionBytes,
        Duration applyTimeout) {

    /** The stream's name unless configured otherwise. */
    public static final String DEFAULT_STREAM = "queue-service.definitions";

    public DefinitionsLogSettings {
        if (snapshotAfterBytes + 2 * maxStateBytes + segmentBytes > maxLengthBytes / 2) {
            throw new IllegalArgumentException("snapshotAfterBytes + 2 * maxStateBytes + segmentBytes must be at most"
                    + " maxLengthBytes / 2, so retention never drops the latest snapshot");
        }
        if (snapshotAfterEvents < 1 || maxDefinitionBytes < 1 || maxDefinitionBytes > maxStateBytes) {
            throw new IllegalArgumentException("snapshotAfterEvents and maxDefinitionBytes must be at least 1,"
                    + " and maxDefinitionBytes at most maxStateBytes");
        }
    }

    /**
     * 256 MiB of retention in 8 MiB segments, a snapshot every 32 MiB or 10,000 events, at most 32 MiB
     * of definitions, 128 KiB each, writes applied within 5 s.
     */
    public static DefinitionsLogSettings defaults(String stream) {
        return new DefinitionsLogSettings(
                stream, 256L << 20, 8L << 20, 32L << 20, 10_000, 32L << 20, 128 << 10, Duration.ofSeconds(5));
    }
}
