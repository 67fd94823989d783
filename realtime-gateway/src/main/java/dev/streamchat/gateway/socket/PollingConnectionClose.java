package dev.streamchat.gateway.socket;

import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;

/**
 * Says {@code Connection: close} on every plain HTTP response of the Socket.IO port, because the connection is closed
 * after it: netty-socketio closes the connection after each polling answer (handshake, long-poll, POST "ok", errors)
 * yet advertises {@code keep-alive}. A client that believes it puts the connection back in its pool and may send the
 * next request into the closing socket; an HTTP client that does not retry a POST then loses it (a CONNECT, which the
 * server ends at the auth timeout, or an event). The WebSocket upgrade (101) is left alone.
 */
@Sharable
final class PollingConnectionClose extends ChannelOutboundHandlerAdapter {

    static final PollingConnectionClose INSTANCE = new PollingConnectionClose();

    private PollingConnectionClose() {
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
        if (msg instanceof HttpResponse response && !HttpResponseStatus.SWITCHING_PROTOCOLS.equals(response.status())) {
            HttpUtil.setKeepAlive(response, false);
        }
        super.write(ctx, msg, promise);
    }
}
