package dev.streamchat.gateway.socket;

import com.corundumstudio.socketio.Transport;
import com.corundumstudio.socketio.handler.ClientHead;
import com.corundumstudio.socketio.messages.PacketsMessage;

import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;

/**
 * Remembers, per Socket.IO session, the event loop of its WebSocket connection (netty-socketio does not expose a
 * session's channel): {@link UserRooms#loopOf} reads it so that a user's ai-service stream can be read on the same
 * loop and its tokens written inline. Set from the session's first WebSocket packet (its CONNECT, or the upgrade
 * probe); a polling-only session has none.
 */
@Sharable
class SocketLoopTracker extends ChannelInboundHandlerAdapter {

    static final String LOOP_KEY = "streamchat.loop";

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        if (msg instanceof PacketsMessage message && message.getTransport() == Transport.WEBSOCKET) {
            ClientHead head = message.getClient();
            EventLoop loop = ctx.channel().eventLoop();
            if (head.getStore().get(LOOP_KEY) != loop) {
                head.getStore().set(LOOP_KEY, loop);
            }
        }
        ctx.fireChannelRead(msg);
    }
}
