package io.queueservice.server.email;

import jakarta.mail.Message.RecipientType;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import java.io.UnsupportedEncodingException;
import java.util.Date;
import java.util.Locale;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Builds the MIME message of an {@link Email}, the same for sending ({@link EmailSender}) and for showing
 * ({@link RenderEmailCommand}): UTF-8 throughout; {@code multipart/alternative} with the text part first and
 * the HTML part last (the one clients prefer) when there is HTML, else {@code text/plain}; headers {@code
 * Date}, {@code From}, {@code To}, {@code Subject} (RFC 2047-encoded when it is not ASCII), {@code
 * Message-ID} (a random id at the sender's domain), {@code Content-Language} for a template's email, and
 * {@value #QUEUE_MESSAGE_ID_HEADER}.
 */
final class MimeEmail {
    /** The header that carries the id of the queue message an email was sent for, to spot duplicates. */
    static final String QUEUE_MESSAGE_ID_HEADER = "X-Queue-Message-Id";

    /** What RFC 5322 allows in the right-hand side of a Message-ID (a dot-atom); anything else: localhost. */
    private static final Pattern DOT_ATOM =
            Pattern.compile("[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*");

    private MimeEmail() {}

    /**
     * The message, with its headers set ({@link MimeMessage#saveChanges()} done).
     *
     * @param queueMessageId sent as {@value #QUEUE_MESSAGE_ID_HEADER}; left out when null, or when it is not
     *     printable ASCII on one line of at most 250 characters
     */
    static MimeMessage build(Session session, InternetAddress from, Email email, String queueMessageId)
            throws MessagingException {
        MimeMessage m = new WithMessageId(session, domainOf(from));
        m.setFrom(encoded(from));
        m.setRecipient(RecipientType.TO, encoded(email.to()));
        m.setSubject(email.subject(), "UTF-8");
        m.setSentDate(new Date());
        if (email.html().isPresent()) {
            MimeBodyPart text = new MimeBodyPart();
            text.setText(email.text(), "UTF-8", "plain");
            MimeBodyPart html = new MimeBodyPart();
            html.setText(email.html().get(), "UTF-8", "html");
            m.setContent(new MimeMultipart("alternative", text, html));
        } else {
            m.setText(email.text(), "UTF-8");
        }
        if (email.language().isPresent()) {
            m.setContentLanguage(new String[] {email.language().get()});
        }
        if (isHeaderSafe(queueMessageId)) {
            m.setHeader(QUEUE_MESSAGE_ID_HEADER, queueMessageId);
        }
        m.saveChanges();
        return m;
    }

    /**
     * The address with its name RFC 2047-encoded when it is not ASCII: a parsed address keeps its name as
     * written, which would put 8-bit text in the header.
     */
    private static InternetAddress encoded(InternetAddress address) throws MessagingException {
        if (address.getPersonal() == null) {
            return address;
        }
        try {
            return new InternetAddress(address.getAddress(), address.getPersonal(), "UTF-8");
        } catch (UnsupportedEncodingException e) {
            throw new MessagingException("UTF-8 is not supported", e);
        }
    }

    private static String domainOf(InternetAddress from) {
        String address = from.getAddress();
        String domain = address.substring(address.lastIndexOf('@') + 1).toLowerCase(Locale.ROOT);
        return DOT_ATOM.matcher(domain).matches() ? domain : "localhost";
    }

    private static boolean isHeaderSafe(String value) {
        return value != null
                && !value.isEmpty()
                && value.length() <= 250
                && value.chars().allMatch(c -> c > 0x20 && c < 0x7f);
    }

    /**
     * Jakarta Mail's own Message-ID ends in the local host's name, often {@code localhost} in a container:
     * this one names the sender's domain, as receiving servers expect.
     */
    private static final class WithMessageId extends MimeMessage {
        private final String domain;

        WithMessageId(Session session, String domain) {
            super(session);
            this.domain = domain;
        }

        @Override
        protected void updateMessageID() throws MessagingException {
            setHeader("Message-ID", "<" + UUID.randomUUID() + "@" + domain + ">");
        }
    }
}
