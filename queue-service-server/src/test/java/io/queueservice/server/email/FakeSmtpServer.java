package io.queueservice.server.email;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A scripted SMTP server on 127.0.0.1, for replies GreenMail does not give (refusing a recipient, never
 * greeting). It answers every command with 250 except RCPT TO, answered with {@code rcptReply}, and
 * keeps the data of each message it accepted.
 */
final class FakeSmtpServer implements AutoCloseable {
    private final ServerSocket socket;
    private final String rcptReply;
    private final boolean greets;
    private final Thread thread;
    private final List<Socket> clients = new CopyOnWriteArrayList<>();
    final List<String> received = new CopyOnWriteArrayList<>();

    private FakeSmtpServer(String rcptReply, boolean greets) throws IOException {
        this.socket = new ServerSocket(0, 5, InetAddress.getByName("127.0.0.1"));
        this.rcptReply = rcptReply;
        this.greets = greets;
        this.thread = Thread.ofVirtual().start(this::serve);
    }

    /** A server that answers RCPT TO with this reply, for example {@code "550 5.1.1 no such user"}. */
    static FakeSmtpServer refusingRecipients(String rcptReply) throws IOException {
        return new FakeSmtpServer(rcptReply, true);
    }

    /** A server that accepts everything. */
    static FakeSmtpServer accepting() throws IOException {
        return new FakeSmtpServer("250 2.1.5 ok", true);
    }

    /** A server that accepts connections and then says nothing. */
    static FakeSmtpServer silent() throws IOException {
        return new FakeSmtpServer(null, false);
    }

    int port() {
        return socket.getLocalPort();
    }

    private void serve() {
        while (!socket.isClosed()) {
            try {
                Socket client = socket.accept();
                clients.add(client);
                if (greets) {
                    converse(client);
                }
            } catch (IOException e) {
                return;
            }
        }
    }

    private void converse(Socket client) {
        try (client;
                BufferedReader in =
                        new BufferedReader(new InputStreamReader(client.getInputStream(), StandardCharsets.UTF_8))) {
            OutputStream out = client.getOutputStream();
            reply(out, "220 fake ESMTP");
            String line;
            while ((line = in.readLine()) != null) {
                String command = line.length() >= 4 ? line.substring(0, 4).toUpperCase() : line;
                switch (command) {
                    case "RCPT" -> reply(out, rcptReply);
                    case "DATA" -> {
                        reply(out, "354 go ahead");
                        StringBuilder data = new StringBuilder();
                        for (String l = in.readLine(); l != null && !l.equals("."); l = in.readLine()) {
                            data.append(l).append("\r\n");
                        }
                        received.add(data.toString());
                        reply(out, "250 2.0.0 queued");
                    }
                    case "QUIT" -> {
                        reply(out, "221 bye");
                        return;
                    }
                    default -> reply(out, "250 ok");
                }
            }
        } catch (IOException e) {
            // the client went away
        }
    }

    private static void reply(OutputStream out, String line) throws IOException {
        out.write((line + "\r\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    @Override
    public void close() throws IOException {
        socket.close();
        for (Socket c : clients) {
            c.close();
        }
        try {
            thread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
