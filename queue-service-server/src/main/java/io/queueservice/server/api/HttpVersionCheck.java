package io.queueservice.server.api;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.net.impl.ConnectionBase;

/**
 * Turns a request line with an HTTP version other than 1.0 and 1.1 (HTTP/2.0, HTTP/9.9 sent as HTTP/1 text)
 * into an invalid request, answered by {@link InvalidRequests} over HTTP/1.1 like any other client mistake.
 * Vert.x would otherwise answer such a request 501, a server error, in the version the client named.
 */
@ChannelHandler.Sharable
final class HttpVersionCheck extends ChannelInboundHandlerAdapter {
    static final HttpVersionCheck INSTANCE = new HttpVersionCheck();

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

    private HttpVersionCheck() {}

    /** Puts the check on a new HTTP/1.x connection, right after its request decoder. */
    static void install(HttpConnection connection) {
        if (connection instanceof ConnectionBase base) {
            var pipeline = base.channelHandlerContext().pipeline();
            if (pipeline.get("httpDecoder") != null) {
                pipeline.addAfter("httpDecoder", "qs-http-version", INSTANCE);
            }
        }
    }

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
