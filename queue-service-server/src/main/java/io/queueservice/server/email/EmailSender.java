package io.queueservice.server.email;

import jakarta.mail.MessagingException;
import jakarta.mail.SendFailedException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.util.Properties;
import org.eclipse.angus.mail.smtp.SMTPAddressFailedException;

/**
 * Sends {@link Email}s over SMTP with Jakarta Mail (Eclipse Angus Mail), one connection per email.
 *
 * <p>How a failure is reported decides what the worker does with the message:
 *
 * <ul>
 *   <li>{@link RecipientRefusedException}: the server refused the recipient for good, a 5xx reply to
 *       {@code RCPT TO} (such as 550 "no such user" or 553 "mailbox name not allowed"). Sending again
 *       would fail again: the message is dead-lettered. 552 is the exception: RFC 5321 says to treat it
 *       as temporary at that step, as Angus Mail does.
 *   <li>any other {@link MessagingException}: the server cannot be reached, timed out, refused the login
 *       or the sender, answered 4xx (temporary, for example greylisting), or refused the message's
 *       content. These are problems of the server or of our configuration, not of the message: it is
 *       retried with backoff, and these failures open the worker's circuit breaker. (A content refusal
 *       is dead-lettered once the retries are exhausted.)
 * </ul>
 *
 * <p>Nothing here logs the password or a body. Thread-safe.
 */
public final class EmailSender {
    /** The header that carries the id of the queue message an email was sent for, to spot duplicates. */
    public static final String MESSAGE_ID_HEADER = MimeEmail.QUEUE_MESSAGE_ID_HEADER;

    private final SmtpConfig config;
    private final Session session;
    private final InternetAddress from;

    public EmailSender(SmtpConfig config) {
        this.config = config;
        this.from = config.fromAddress();
        this.session = Session.getInstance(properties(config));
    }

    /** The Jakarta Mail session properties for {@code config} (no credentials: they go to connect). */
    static Properties properties(SmtpConfig config) {
        String timeout = Long.toString(config.timeout().toMillis());
        Properties p = new Properties();
        p.setProperty("mail.transport.protocol", "smtp");
        p.setProperty("mail.smtp.host", config.host());
        p.setProperty("mail.smtp.port", Integer.toString(config.port()));
        p.setProperty("mail.smtp.connectiontimeout", timeout);
        p.setProperty("mail.smtp.timeout", timeout);
        p.setProperty("mail.smtp.writetimeout", timeout);
        p.setProperty("mail.smtp.auth", Boolean.toString(config.authenticates()));
        if (config.startTls()) {
            p.setProperty("mail.smtp.starttls.enable", "true");
            p.setProperty("mail.smtp.starttls.required", "true"); // never fall back to plain text
            p.setProperty("mail.smtp.ssl.checkserveridentity", "true");
        }
        return p;
    }

    /**
     * Sends one email, built by {@link MimeEmail}: {@code multipart/alternative} (text and HTML) or {@code
     * text/plain}, UTF-8.
     *
     * @param queueMessageId the id of the queue message it comes from, sent as {@value #MESSAGE_ID_HEADER}
     *     (left out when null, or when it is not printable ASCII on one line)
     * @throws RecipientRefusedException when the server refused the recipient for good: do not retry
     * @throws MessagingException for anything else that went wrong: worth retrying later
     */
    public void send(Email email, String queueMessageId) throws RecipientRefusedException, MessagingException {
        MimeMessage m = MimeEmail.build(session, from, email, queueMessageId);
        try (Transport t = session.getTransport()) {
            t.connect(config.host(), config.port(), config.user(), config.password());
            t.sendMessage(m, m.getAllRecipients());
        } catch (SendFailedException e) {
            SMTPAddressFailedException refusal = permanentRecipientRefusal(e);
            if (refusal != null) {
                throw new RecipientRefusedException(refusal);
            }
            throw e;
        }
    }

    /**
     * The server's 5xx reply (not 552) to RCPT TO, found among the exceptions chained to {@code e}, or
     * null when the failure is not such a refusal.
     */
    static SMTPAddressFailedException permanentRecipientRefusal(MessagingException e) {
        int depth = 0;
        for (Exception next = e; next instanceof MessagingException me && depth < 20; depth++) {
            if (me instanceof SMTPAddressFailedException refused) {
                int code = refused.getReturnCode();
                if (code >= 500 && code <= 599 && code != 552) {
                    return refused;
                }
            }
            next = me.getNextException();
        }
        return null;
    }

    /** The server refused the recipient for good (a 5xx reply to {@code RCPT TO}); the message is dead-lettered. */
    public static final class RecipientRefusedException extends Exception {
        private static final long serialVersionUID = 1L;
        private final int replyCode;

        RecipientRefusedException(SMTPAddressFailedException refusal) {
            super("the SMTP server refused the recipient: " + oneLine(refusal.getMessage()), refusal);
            this.replyCode = refusal.getReturnCode();
        }

        /** The SMTP reply code, 5xx. */
        public int replyCode() {
            return replyCode;
        }

        /** The server's reply on one line, at most 300 characters. */
        private static String oneLine(String reply) {
            String text = String.valueOf(reply).replaceAll("\\p{Cntrl}+", " ").strip();
            return text.length() > 300 ? text.substring(0, 300) + "..." : text;
        }
    }
}
