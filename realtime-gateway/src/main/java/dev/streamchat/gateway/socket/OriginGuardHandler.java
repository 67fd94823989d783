package dev.streamchat.gateway.socket;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

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
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;

/**
 * Refuses, at the HTTP level, every Socket.IO request (handshake, poll, post, WebSocket upgrade with or without a
 * {@code sid}) whose browser {@code Origin} is not allowed: with cookie auth, accepting any Origin is cross-site
 * WebSocket hijacking, and netty-socketio's own check only runs for requests without a {@code sid}. A request with no
 * {@code Origin} (non-browser client) passes. Also refuses Engine.IO versions other than 4 (Socket.IO v4 only) and
 * queries a v4 client never sends ({@link #isWellFormed}) with 400.
 * Runs on the netty event loop; never blocks.
 */
@Sharable
class OriginGuardHandler extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(OriginGuardHandler.class);

    private static final Set<String> TRANSPORTS = Set.of("polling", "websocket");
    private static final Set<String> B64_FLAGS = Set.of("0", "1", "true", "false");

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
            Map<String, List<String>> query = new QueryStringDecoder(request.uri()).parameters();
            List<String> eio = query.get("EIO");
            if (eio == null || !"4".equals(eio.get(0)) || !isWellFormed(query, request.method())) {
                refuse(ctx, request, HttpResponseStatus.BAD_REQUEST);
                return;
            }
        }
        ctx.fireChannelRead(msg);
    }

    /**
     * The query and method a v4 client sends: one {@code transport} ({@code polling} or {@code websocket}), at most
     * one {@code sid} that is a UUID, {@code b64} only as a flag, no JSONP ({@code j}) and no legacy
     * {@code disconnect}; polling is GET, POST (with a {@code sid}) or OPTIONS. netty-socketio throws on a malformed
     * {@code sid}, {@code j} or {@code b64}, and {@code disconnect} with an unknown {@code sid} throws too.
     */
    static boolean isWellFormed(Map<String, List<String>> query, HttpMethod method) {
        List<String> transport = query.get("transport");
        if (transport == null || transport.size() != 1 || !TRANSPORTS.contains(transport.get(0))) {
            return false;
        }
        List<String> sid = query.get("sid");
        if (sid != null && (sid.size() != 1 || !isUuid(sid.get(0)))) {
            return false;
        }
        List<String> b64 = query.get("b64");
        if (b64 != null && (b64.size() != 1 || !B64_FLAGS.contains(b64.get(0)))) {
            return false;
        }
        if (query.containsKey("j") || query.containsKey("disconnect")) {
            return false;
        }
        if ("polling".equals(transport.get(0))) {
            return HttpMethod.GET.equals(method) || HttpMethod.OPTIONS.equals(method)
                    || (HttpMethod.POST.equals(method) && sid != null);
        }
        return HttpMethod.GET.equals(method);
    }

    private static boolean isUuid(String value) {
        if (value.length() != 36) {
            return false;
        }
        try {
            UUID.fromString(value);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static void refuse(ChannelHandlerContext ctx, FullHttpRequest request, HttpResponseStatus status) {
        request.release();
        DefaultFullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status);
        response.headers().set(HttpHeaderNames.CONTENT_LENGTH, 0);
        response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
    }
}
