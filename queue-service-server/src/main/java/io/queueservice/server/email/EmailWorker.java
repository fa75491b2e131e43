package io.queueservice.server.email;

import io.queueservice.broker.ExchangeType;
import io.queueservice.broker.QueueSpec;
import io.queueservice.client.QueueClient;
import io.queueservice.server.email.EmailSender.RecipientRefusedException;
import io.queueservice.worker.MessageHandler;
import io.queueservice.worker.Outcome;
import io.queueservice.worker.Worker;
import io.queueservice.worker.WorkerOptions;
import jakarta.mail.MessagingException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The confirmation-email worker: consumes queue {@value #QUEUE}, fed by the direct exchange {@value
 * #EXCHANGE} with routing key {@value #ROUTING_KEY}, renders each message with the templates read at
 * start-up ({@link EmailRenderer}) and sends it over SMTP ({@link EmailSender}).
 *
 * <ul>
 *   <li>A message that can never become an email (not a JSON object, no or a bad {@code to}, no content,
 *       unknown template, missing variable, ...) or whose recipient the SMTP server refuses for good is
 *       dead-lettered at once to {@code email_confirmation.dlq}, with the reason.
 *   <li>Any other send failure (SMTP down, timeout, 4xx) is retried with backoff and counts for the
 *       circuit breaker, which pauses consumption while the SMTP server is failing.
 *   <li>Delivery is at least once: an email may be sent twice when the worker dies between sending and
 *       acknowledging. Each email carries the queue message's id in {@value EmailSender#MESSAGE_ID_HEADER}
 *       so duplicates can be spotted.
 * </ul>
 */
public final class EmailWorker {
    private static final Logger log = LoggerFactory.getLogger(EmailWorker.class);

    /** The exchange producers publish confirmation emails to (direct, durable). */
    public static final String EXCHANGE = "email";
    /** The routing key of confirmation emails. */
    public static final String ROUTING_KEY = "confirmation";
    /** The work queue (durable); its dead-letter queue is {@code email_confirmation.dlq}. */
    public static final String QUEUE = "email_confirmation";

    private EmailWorker() {}

    /**
     * Declares exchange {@value #EXCHANGE}, queue {@value #QUEUE} and their binding (idempotently), then
     * consumes the queue until the returned worker or the client is closed.
     *
     * @param options prefetch, concurrency, retries, circuit breaker and the type of the queues ({@link
     *     WorkerOptions#from})
     * @throws io.queueservice.broker.BrokerException when the topology cannot be declared, for instance
     *     {@value #QUEUE} exists with another type than {@code DEFAULT_QUEUE_TYPE} asks for
     */
    public static Worker start(QueueClient client, EmailConfig email, WorkerOptions options) {
        return start(client, email, options, EXCHANGE, QUEUE);
    }

    /** {@link #start(QueueClient, EmailConfig, WorkerOptions)} on other names, so tests never share the real ones. */
    static Worker start(QueueClient client, EmailConfig email, WorkerOptions options, String exchange, String queue) {
        client.createExchange(exchange, ExchangeType.DIRECT);
        // Of the worker's type, like its retry and dead-letter queues (DEFAULT_QUEUE_TYPE).
        client.createQueue(QueueSpec.durable(queue).withDefaultType(options.queueType()));
        client.bindQueue(queue, exchange, ROUTING_KEY);
        log.info("sending the emails of queue '{}' through {}", queue, email.smtp());
        log.info("email templates: {}", email.templates().describe());
        return client.consume(
                queue, handler(new EmailRenderer(email.templates()), new EmailSender(email.smtp())), options);
    }

    /** Renders and sends one message; see the class comment for the outcomes. */
    static MessageHandler handler(EmailRenderer renderer, EmailSender sender) {
        return message -> {
            Email email;
            try {
                email = renderer.render(message.body());
            } catch (InvalidEmailException e) {
                return Outcome.deadLetter("invalid email message: " + e.getMessage());
            }
            try {
                sender.send(email, message.messageId());
            } catch (RecipientRefusedException e) {
                return Outcome.deadLetter(e.getMessage());
            } catch (MessagingException e) {
                log.warn(
                        "cannot send the email of message {} (attempt {}), will retry: {}",
                        message.messageId(),
                        message.attempt(),
                        oneLine(e.toString()));
                throw e;
            }
            log.debug("sent the email of message {} (attempt {})", message.messageId(), message.attempt());
            return Outcome.ack();
        };
    }

    /** An exception's text on one log line (Jakarta Mail puts nested exceptions on lines of their own). */
    private static String oneLine(String text) {
        return text.replaceAll("\\s*\\R\\s*", " ");
    }
}
