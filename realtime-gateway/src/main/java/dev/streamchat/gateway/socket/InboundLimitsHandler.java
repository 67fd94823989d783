package dev.streamchat.gateway.socket;

import java.util.List;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.corundumstudio.socketio.Transport;
import com.corundumstudio.socketio.handler.ClientHead;
import com.corundumstudio.socketio.messages.PacketsMessage;
import com.corundumstudio.socketio.namespace.Namespace;
import com.corundumstudio.socketio.transport.NamespaceClient;

import dev.streamchat.gateway.auth.AuthenticatedUser;
import dev.streamchat.gateway.error.ErrorCode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.util.AttributeKey;

/**
 * Guards everything one socket sends (contract section 3), before netty-socketio decodes it: only the packets of
 * {@link InboundPacketRules} (Engine.IO v4 text; one packet per WebSocket frame, 0x1E-separated records in a polling
 * body), each no larger than {@code SOCKET_MAX_PAYLOAD_BYTES}, and at most {@code SOCKET_MAX_EVENTS_PER_SECOND} packets
 * per second, every packet counted. An authenticated socket that breaks a rule gets {@code socket-error {code,
 * message}} ({@code bad_request}, {@code payload_too_large}, {@code rate_limited}), then the server drops it: a
 * Socket.IO disconnect at once, the Engine.IO session shortly after (so a polling client can still fetch both
 * packets). A session that has not authenticated is simply closed. Nothing from a dropped socket reaches the decoder.
 * Runs on the netty event loop.
 */
@Sharable
class InboundLimitsHandler extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(InboundLimitsHandler.class);
    private static final String LIMITER_KEY = "streamchat.rateLimiter";
    private static final AttributeKey<Boolean> WEBSOCKET_CHANNEL = AttributeKey.valueOf("streamchat.websocket");
    private static final AttributeKey<Boolean> BINARY_MESSAGE = AttributeKey.valueOf("streamchat.binaryMessage");

    private final long maxPayloadBytes;
    private final int maxEventsPerSecond;
    private final Namespace namespace;
    private final SocketDrops drops;
    private final Counter payloadTooLarge;
    private final Counter rateLimited;
    private final Counter badRequest;

    InboundLimitsHandler(SocketProperties properties, Namespace namespace, SocketDrops drops, MeterRegistry registry) {
        this.drops = drops;
        this.maxPayloadBytes = properties.maxPayload().toBytes();
        this.maxEventsPerSecond = properties.maxEventsPerSecond();
        this.namespace = namespace;
        this.payloadTooLarge = Counter.builder("gateway.socket.dropped").tag("reason", ErrorCode.PAYLOAD_TOO_LARGE.wireName())
                .description("Sockets dropped for abuse").register(registry);
        this.rateLimited = Counter.builder("gateway.socket.dropped").tag("reason", ErrorCode.RATE_LIMITED.wireName())
                .description("Sockets dropped for abuse").register(registry);
        this.badRequest = Counter.builder("gateway.socket.dropped").tag("reason", ErrorCode.BAD_REQUEST.wireName())
                .description("Sockets dropped for abuse").register(registry);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        if (msg instanceof WebSocketFrame frame && !(msg instanceof ContinuationWebSocketFrame)) {
            // Frames pass here before WebSocketTransport turns them into a PacketsMessage (which comes back through
            // this handler): remember whether the message being assembled is binary.
            ctx.channel().attr(BINARY_MESSAGE).set(frame instanceof BinaryWebSocketFrame);
            ctx.channel().attr(WEBSOCKET_CHANNEL).set(Boolean.TRUE);
        }
        if (!(msg instanceof PacketsMessage message)) {
            ctx.fireChannelRead(msg);
            return;
        }
        ClientHead head = message.getClient();
        if (head.getStore().has(SocketDrops.DROPPED_KEY)) {
            return;
        }
        boolean authenticated = head.getStore().has(AuthenticatedUser.SOCKET_KEY);
        if (message.getTransport() == Transport.WEBSOCKET && Boolean.TRUE.equals(ctx.channel().attr(BINARY_MESSAGE).getAndSet(false))) {
            refuse(ctx, head, authenticated, "binary frames are not accepted");
            return;
        }
        ByteBuf content = message.getContent();
        List<int[]> records = EngineIoRecords.ranges(content);
        if (message.getTransport() == Transport.WEBSOCKET && records.size() > 1) {
            refuse(ctx, head, authenticated, "a WebSocket frame carries exactly one packet");
            return;
        }
        for (int[] record : records) {
            if (record[1] - record[0] > maxPayloadBytes) {
                payloadTooLarge.increment();
                drop(ctx, head, authenticated, ErrorCode.PAYLOAD_TOO_LARGE, "A packet is larger than " + maxPayloadBytes + " bytes.");
                return;
            }
        }
        for (int[] record : records) {
            String violation = InboundPacketRules.violation(content, record[0], record[1], authenticated,
                    message.getTransport() == Transport.WEBSOCKET);
            if (violation != null) {
                refuse(ctx, head, authenticated, violation);
                return;
            }
        }
        // Every packet counts: pongs, probes and CONNECTs as well as events.
        if (!limiter(head).tryAcquire(records.size(), System.nanoTime())) {
            rateLimited.increment();
            drop(ctx, head, authenticated, ErrorCode.RATE_LIMITED, "More than " + maxEventsPerSecond + " packets per second.");
            return;
        }
        ctx.fireChannelRead(msg);
    }

    private void refuse(ChannelHandlerContext ctx, ClientHead head, boolean authenticated, String violation) {
        badRequest.increment();
        drop(ctx, head, authenticated, ErrorCode.BAD_REQUEST,
                "Only Socket.IO v4 text packets are accepted: " + violation + ".");
    }

    private EventRateLimiter limiter(ClientHead head) {
        EventRateLimiter limiter = head.getStore().get(LIMITER_KEY);
        if (limiter == null) {
            limiter = new EventRateLimiter(maxEventsPerSecond, System.nanoTime());
            head.getStore().set(LIMITER_KEY, limiter);
        }
        return limiter;
    }

    private void drop(ChannelHandlerContext ctx, ClientHead head, boolean authenticated, ErrorCode code, String message) {
        log.info("socket dropped sessionId={} reason={} authenticated={} detail={}", head.getSessionId(), code.wireName(),
                authenticated, message);
        boolean websocket = ctx.channel().attr(WEBSOCKET_CHANNEL).get() != null;
        NamespaceClient client = authenticated ? head.getChildClient(namespace) : null;
        if (client == null) {
            head.getStore().set(SocketDrops.DROPPED_KEY, Boolean.TRUE);
            // Nobody is signed in on this session, so there is no one to explain it to: close it cleanly.
            head.disconnect();
            if (websocket) {
                ctx.close();
            }
            return;
        }
        // SocketDrops marks the socket dropped: nothing it sends from now on is decoded.
        drops.drop(client, code, message);
        if (websocket) {
            // netty-socketio leaves a WebSocket open once its session is gone: close it after the grace period.
            ctx.executor().schedule(() -> {
                ctx.close();
            }, SocketDrops.TEARDOWN_GRACE_MS, TimeUnit.MILLISECONDS);
        }
    }
}
