package io.queueservice.broker;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.Method;
import com.rabbitmq.client.impl.AMQContentHeader;
import com.rabbitmq.client.impl.Frame;
import io.queueservice.validation.InvalidRequestException;
import java.io.IOException;

/**
 * AMQP carries a method (a declaration, a binding, with its arguments) and a message's properties (with
 * its headers) each in a single frame, which may not exceed the frame size the connection negotiated
 * (RabbitMQ's default {@code frame_max}: 128 KiB). The broker does not refuse a larger one on its own: it
 * closes the whole connection (FRAME_ERROR {@code frame_too_large}), failing every other operation in
 * flight on it. So one client's oversized arguments or headers are refused here, as invalid, before
 * anything is sent.
 */
public final class FrameSize {
    /**
     * Room kept in a message's properties frame for what the publisher adds to the headers itself (its
     * sequence header).
     */
    static final int PUBLISHER_HEADROOM = 64;

    private FrameSize() {}

    /**
     * Refuses a method that would not fit in one frame of {@code connection}.
     *
     * @param field the request field to blame (its arguments)
     * @throws InvalidRequestException when it is too large
     */
    public static void check(Connection connection, Method method, String field) {
        check(connection.getFrameMax(), method, field);
    }

    /**
     * Refuses a method that would not fit in one frame of {@code frameMax} bytes (0: no limit).
     *
     * @throws InvalidRequestException when it is too large
     */
    public static void check(int frameMax, Method method, String field) {
        if (frameMax <= 0) {
            return;
        }
        try {
            Frame frame = ((com.rabbitmq.client.impl.Method) method).toFrame(0);
            refuseIfLarger(frame.size(), frameMax, field, "the request's arguments");
        } catch (IOException | RuntimeException e) {
            if (e instanceof InvalidRequestException refused) {
                throw refused;
            }
            throw new InvalidRequestException(field, "cannot be encoded for the broker");
        }
    }

    /**
     * Refuses message properties (headers above all) that would not fit in one frame of {@code frameMax}
     * bytes (0: no limit), keeping room for what the publisher adds.
     *
     * @throws InvalidRequestException when they are too large
     */
    public static void checkProperties(int frameMax, AMQP.BasicProperties properties, long bodySize, String field) {
        if (frameMax <= 0 || properties.getHeaders() == null) {
            return; // without headers, properties are a few short strings: always far below the minimum frame
        }
        try {
            Frame frame = ((AMQContentHeader) properties).toFrame(0, bodySize);
            refuseIfLarger(frame.size() + PUBLISHER_HEADROOM, frameMax, field, "the message's properties");
        } catch (IOException | RuntimeException e) {
            if (e instanceof InvalidRequestException refused) {
                throw refused;
            }
            throw new InvalidRequestException(field, "cannot be encoded for the broker");
        }
    }

    private static void refuseIfLarger(int size, int frameMax, String field, String what) {
        if (size > frameMax) {
            throw new InvalidRequestException(
                    field,
                    "is too large: " + what + " take " + size + " bytes, more than the broker accepts in one"
                            + " frame (" + frameMax + " bytes, its frame_max)");
        }
    }
}
