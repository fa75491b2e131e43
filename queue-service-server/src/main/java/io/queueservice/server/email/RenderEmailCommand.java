package io.queueservice.server.email;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.mail.BodyPart;
import jakarta.mail.Header;
import jakarta.mail.MessagingException;
import jakarta.mail.Multipart;
import jakarta.mail.Part;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeUtility;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UnsupportedEncodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.Properties;

/**
 * {@code render-email <message.json>}: renders a message as the worker would, with the same templates and
 * settings, and prints the email instead of sending it: its headers (decoded), then its text part and its
 * HTML part. For template authors, and to see why a message would be dead-lettered.
 *
 * <p>The file holds the message ({@code {"to": ..., "template": ...}}), or a whole publish request ({@code
 * {"exchange": "email", "routingKey": "confirmation", "message": {...}}}), whose {@code message} is used;
 * {@code -} reads standard input.
 */
public final class RenderEmailCommand {
    /** Printed: the email. */
    public static final int RENDERED = 0;
    /** Printed on standard error: the reason the worker would dead-letter the message. */
    public static final int REFUSED = 1;
    /** Printed on standard error: the file cannot be read. */
    public static final int UNREADABLE = 2;

    private static final ObjectMapper JSON = new ObjectMapper();

    private RenderEmailCommand() {}

    /**
     * Renders the message in {@code file} and prints it.
     *
     * @param file a file, or {@code -} for standard input
     * @param in standard input
     * @param out where the email goes, written as UTF-8
     * @param err where problems go, written as UTF-8
     * @return {@link #RENDERED}, {@link #REFUSED} or {@link #UNREADABLE}
     */
    public static int run(EmailConfig config, String file, InputStream in, OutputStream out, OutputStream err) {
        PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8);
        byte[] message;
        try {
            message = unwrap(file.equals("-") ? in.readAllBytes() : Files.readAllBytes(Path.of(file)));
        } catch (IOException | RuntimeException ex) {
            e.println("render-email: cannot read " + file + ": " + ex.getMessage());
            return UNREADABLE;
        }
        Email email;
        try {
            email = new EmailRenderer(config.templates()).render(message);
        } catch (InvalidEmailException ex) {
            e.println("render-email: the worker would dead-letter this message: invalid email message: "
                    + ex.getMessage());
            return REFUSED;
        }
        try {
            MimeMessage m = MimeEmail.build(
                    Session.getInstance(new Properties()), config.smtp().fromAddress(), email, null);
            print(m, o);
        } catch (MessagingException | IOException ex) {
            // Not the message's fault: the worker would retry it, and the same would happen.
            e.println("render-email: cannot build the email: " + ex);
            return REFUSED;
        }
        return RENDERED;
    }

    /** The message of a publish request, or the bytes as they are. */
    private static byte[] unwrap(byte[] bytes) {
        try {
            JsonNode json = JSON.readTree(bytes);
            if (json != null
                    && json.isObject()
                    && json.path("message").isObject()
                    && (json.has("exchange") || json.has("routingKey"))) {
                return JSON.writeValueAsBytes(json.get("message"));
            }
        } catch (IOException notJson) {
            // the renderer says so
        }
        return bytes;
    }

    private static void print(MimeMessage m, PrintStream out) throws MessagingException, IOException {
        for (Enumeration<Header> headers = m.getAllHeaders(); headers.hasMoreElements(); ) {
            Header h = headers.nextElement();
            out.println(h.getName() + ": " + decode(h.getValue()));
        }
        Object content = m.getContent();
        if (content instanceof Multipart parts) {
            for (int i = 0; i < parts.getCount(); i++) {
                printPart(parts.getBodyPart(i), out);
            }
        } else {
            printPart(m, out);
        }
    }

    private static void printPart(Part part, PrintStream out) throws MessagingException, IOException {
        out.println();
        out.println("---- " + part.getContentType()
                + (part instanceof BodyPart ? "" : " (the whole body: a text-only email)") + " ----");
        String text = part.getContent().toString();
        out.print(text.endsWith("\n") ? text : text + "\n");
    }

    private static String decode(String value) {
        try {
            return MimeUtility.decodeText(MimeUtility.unfold(value)).replaceAll("\\s+", " ");
        } catch (UnsupportedEncodingException e) {
            return value;
        }
    }
}
