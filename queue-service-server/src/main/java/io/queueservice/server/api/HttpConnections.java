package io.queueservice.server.api;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.ChannelInputShutdownReadComplete;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.net.impl.ConnectionBase;

/**
 * What the API adds to each HTTP/1.x connection, below Vert.x: a check of the request line's HTTP version
 * ({@link VersionCheck}), and answers to clients that half-close ({@link HalfClose}).
 */
final class HttpConnections {
    private HttpConnections() {}

    /** Sets a new connection up, its handlers right after the request decoder and response encoder. */
    static void install(HttpConnection connection) {
        if (connection instanceof ConnectionBase base) {
            ChannelPipeline pipeline = base.channelHandlerContext().pipeline();
            if (pipeline.get("httpDecoder") != null && pipeline.get("httpEncoder") != null) {
                pipeline.channel().config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, true);
                pipeline.addAfter("httpDecoder", "qs-http-version", VersionCheck.INSTANCE);
                pipeline.addAfter("httpEncoder", "qs-half-close", new HalfClose());
            }
        }
    }

    /**
     * A client that has sent its requests and shut down its side of the connection (a TCP half-close) still
     * gets its answers, then the connection is closed; by default Netty closes the connection at once, and the
     * answers of requests still in progress (a publish awaiting its confirm) would be lost.
     */
    static final class HalfClose extends ChannelDuplexHandler {
        private int unanswered;
        private boolean reading;
        private boolean inputShut;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof HttpRequest) {
                reading = true;
            }
            if (msg instanceof LastHttpContent) {
                reading = false;
                unanswered++;
            }
            ctx.fireChannelRead(msg);
        }

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            if (msg instanceof LastHttpContent && --unanswered <= 0 && inputShut) {
                ChannelPromise sent = promise.unvoid();
                sent.addListener(ChannelFutureListener.CLOSE);
                ctx.write(msg, sent);
                return;
            }
            ctx.write(msg, promise);
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof ChannelInputShutdownEvent) {
                inputShut = true;
                if (reading || unanswered <= 0) {
                    ctx.close(); // a request cut short, or nothing left to answer
                }
                return;
            }
            if (evt instanceof ChannelInputShutdownReadComplete) {
                return;
            }
            ctx.fireUserEventTriggered(evt);
        }
    }

    /**
     * Turns a request line with an HTTP version other than 1.0 and 1.1 (HTTP/2.0, HTTP/9.9 sent as HTTP/1 text)
     * into an invalid request, answered by {@link InvalidRequests} over HTTP/1.1 like any other client mistake.
     * Vert.x would otherwise answer such a request 501, a server error, in the version the client named.
     */
    @ChannelHandler.Sharable
    static final class VersionCheck extends ChannelInboundHandlerAdapter {
        static final VersionCheck INSTANCE = new VersionCheck();

        /** The version a request was refused for. */
        static final class UnsupportedVersionException extends IllegalArgumentException {
            private static final long serialVersionUID = 1L;
            private final String version;

            UnsupportedVersionException(String version) {
                super("unsupported HTTP version " + version);
                this.version = version;
            }

            String version() {
                return version;
            }
        }

        private VersionCheck() {}

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof HttpRequest request
                    && request.decoderResult().isSuccess()
                    && !HttpVersion.HTTP_1_1.equals(request.protocolVersion())
                    && !HttpVersion.HTTP_1_0.equals(request.protocolVersion())) {
                String version = request.protocolVersion().text();
                request.setProtocolVersion(HttpVersion.HTTP_1_1);
                request.setDecoderResult(DecoderResult.failure(new UnsupportedVersionException(version)));
            }
            ctx.fireChannelRead(msg);
        }
    }
}
