package io.queueservice.broker;

import java.io.ByteArrayOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import javax.net.SocketFactory;

/**
 * Sockets whose writes can be held back for a moment and sent as one.
 *
 * <p>The RabbitMQ client flushes its socket after every publish: one system call and one TCP segment
 * per message, which costs this process and, more, the broker, which then reads every message on its
 * own. When a publisher sends a burst, {@link #holdWrites()} lets the burst's messages pile up in
 * memory and leave in as few writes as possible when the hold is released. Writes made meanwhile by
 * other threads (a heartbeat, a channel being opened) go out with the burst, a few microseconds later.
 */
final class CoalescingSocketFactory extends SocketFactory {
    /** Held bytes beyond which writes go out at once even during a hold, so memory stays bounded. */
    private static final int MAX_HELD_BYTES = 256 * 1024;

    private volatile HoldableStream current;

    /**
     * Set on a thread that makes a call waiting for the broker's answer (opening a channel): its writes must
     * go out at once even during a hold, or the answer would never come.
     */
    private static final ThreadLocal<Boolean> unheld = ThreadLocal.withInitial(() -> false);

    /** Undoes a {@link #holdWrites()}: sends what was held. */
    interface Hold extends AutoCloseable {
        @Override
        void close();
    }

    /** Holds the writes of the most recent socket until the returned hold is closed. */
    Hold holdWrites() {
        HoldableStream s = current;
        if (s == null) {
            return () -> {};
        }
        s.hold();
        return s::release;
    }

    /**
     * Runs {@code call}, which waits for the broker's answer, with this thread's writes going out at once,
     * after whatever is held (the bytes keep their order).
     */
    static <T> T unheld(java.util.function.Supplier<T> call) {
        if (unheld.get()) {
            return call.get();
        }
        unheld.set(true);
        try {
            return call.get();
        } finally {
            unheld.set(false);
        }
    }

    @Override
    public Socket createSocket() {
        return new Socket() {
            private HoldableStream out;

            @Override
            public synchronized OutputStream getOutputStream() throws IOException {
                if (out == null) {
                    out = new HoldableStream(super.getOutputStream(), this);
                    current = out;
                }
                return out;
            }
        };
    }

    // The client only calls createSocket(); the connected variants are required by SocketFactory.
    @Override
    public Socket createSocket(String host, int port) throws IOException {
        return SocketFactory.getDefault().createSocket(host, port);
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
        return SocketFactory.getDefault().createSocket(host, port, localHost, localPort);
    }

    @Override
    public Socket createSocket(InetAddress host, int port) throws IOException {
        return SocketFactory.getDefault().createSocket(host, port);
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
            throws IOException {
        return SocketFactory.getDefault().createSocket(address, port, localAddress, localPort);
    }

    /** The socket's output: passes writes through, or keeps them while held. */
    private static final class HoldableStream extends FilterOutputStream {
        private final Socket socket;
        private final ByteArrayOutputStream held = new ByteArrayOutputStream(16 * 1024);
        private int holders;

        HoldableStream(OutputStream out, Socket socket) {
            super(out);
            this.socket = socket;
        }

        synchronized void hold() {
            holders++;
        }

        synchronized void release() {
            if (--holders == 0) {
                try {
                    sendHeld();
                    out.flush();
                } catch (IOException e) {
                    // The link is broken: closing the socket makes the client's reader see it and fail
                    // everything in flight on this connection, as for any other connection loss.
                    try {
                        socket.close();
                    } catch (IOException ignored) {
                        // already closed
                    }
                }
            }
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) throws IOException {
            if (holders == 0) {
                out.write(b, off, len);
                return;
            }
            if (unheld.get()) {
                sendHeld();
                out.write(b, off, len);
                return;
            }
            held.write(b, off, len);
            if (held.size() > MAX_HELD_BYTES) {
                sendHeld();
            }
        }

        @Override
        public synchronized void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public synchronized void flush() throws IOException {
            if (holders == 0 || unheld.get()) {
                out.flush();
            }
        }

        private void sendHeld() throws IOException {
            if (held.size() > 0) {
                held.writeTo(out);
                held.reset();
            }
        }
    }
}
