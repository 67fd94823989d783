package dev.streamchat.gateway.socket;

import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import com.corundumstudio.socketio.Transport;
import com.corundumstudio.socketio.handler.ClientHead;
import com.corundumstudio.socketio.messages.PacketsMessage;
import com.corundumstudio.socketio.protocol.Packet;
import com.corundumstudio.socketio.protocol.PacketType;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.CharsetUtil;

/**
 * Makes the polling-to-WebSocket upgrade reliable. The client, once its probe is answered, pauses polling and waits
 * for its pending long-poll to return before it sends the upgrade packet. netty-socketio answers that poll with a
 * single NOOP when the probe arrives; if the poll cycle turns over just then, the new poll hangs until the next ping
 * and the upgrade times out. Like Node's engine.io server, this sends a NOOP on the polling transport every
 * {@value #INTERVAL_MS} ms until the session has switched to WebSocket (or the upgrade window has passed).
 */
@Sharable
class UpgradeProbeFlusher extends ChannelInboundHandlerAdapter {

    static final long INTERVAL_MS = 100;
    private static final byte[] PROBE = "2probe".getBytes(CharsetUtil.US_ASCII);

    private final long windowMs;

    UpgradeProbeFlusher(long windowMs) {
        this.windowMs = windowMs;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        if (msg instanceof PacketsMessage message && message.getTransport() == Transport.WEBSOCKET
                && isProbe(message.getContent())) {
            flushPollsUntilUpgraded(ctx, message.getClient());
        }
        ctx.fireChannelRead(msg);
    }

    private void flushPollsUntilUpgraded(ChannelHandlerContext ctx, ClientHead head) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(windowMs);
        AtomicReference<ScheduledFuture<?>> task = new AtomicReference<>();
        task.set(ctx.executor().scheduleAtFixedRate(() -> {
            if (!head.isConnected() || head.getCurrentTransport() != Transport.POLLING || System.nanoTime() > deadline) {
                task.get().cancel(false);
                return;
            }
            head.send(new Packet(PacketType.NOOP, head.getEngineIOVersion()), Transport.POLLING);
        }, INTERVAL_MS, INTERVAL_MS, TimeUnit.MILLISECONDS));
    }

    private static boolean isProbe(ByteBuf content) {
        if (content.readableBytes() != PROBE.length) {
            return false;
        }
        for (int i = 0; i < PROBE.length; i++) {
            if (content.getByte(content.readerIndex() + i) != PROBE[i]) {
                return false;
            }
        }
        return true;
    }
}
