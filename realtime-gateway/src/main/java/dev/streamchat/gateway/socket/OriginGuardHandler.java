package dev.streamchat.gateway.socket;

import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.streamchat.gateway.auth.AllowedOrigins;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;

/**
 * Refuses, at the HTTP level, every Socket.IO request (handshake, poll, post, WebSocket upgrade with or without a
 * {@code sid}) whose browser {@code Origin} is not allowed: with cookie auth, accepting any Origin is cross-site
 * WebSocket hijacking, and netty-socketio's own check only runs for requests without a {@code sid}. A request with no
 * {@code Origin} (non-browser client) passes. Also refuses Engine.IO versions other than 4 (Socket.IO v4 only).
 * Runs on the netty event loop; never blocks.
 */
@Sharable
class OriginGuardHandler extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(OriginGuardHandler.class);

    private final AllowedOrigins allowedOrigins;

    OriginGuardHandler(AllowedOrigins allowedOrigins) {
        this.allowedOrigins = allowedOrigins;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        if (msg instanceof FullHttpRequest request) {
            String origin = request.headers().get(HttpHeaderNames.ORIGIN);
            if (origin != null && !allowedOrigins.isAllowed(origin)) {
                log.debug("Socket.IO request refused: Origin not allowed");
                refuse(ctx, request, HttpResponseStatus.FORBIDDEN);
                return;
            }
            List<String> eio = new QueryStringDecoder(request.uri()).parameters().get("EIO");
            if (eio == null || !"4".equals(eio.get(0))) {
                refuse(ctx, request, HttpResponseStatus.BAD_REQUEST);
                return;
            }
        }
        ctx.fireChannelRead(msg);
    }

    private static void refuse(ChannelHandlerContext ctx, FullHttpRequest request, HttpResponseStatus status) {
        request.release();
        DefaultFullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status);
        response.headers().set(HttpHeaderNames.CONTENT_LENGTH, 0);
        response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
    }
}
