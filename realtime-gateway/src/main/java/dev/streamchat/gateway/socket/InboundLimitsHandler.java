package dev.streamchat.gateway.socket;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.corundumstudio.socketio.handler.ClientHead;
import com.corundumstudio.socketio.messages.PacketsMessage;
import com.corundumstudio.socketio.namespace.Namespace;
import com.corundumstudio.socketio.transport.NamespaceClient;

import dev.streamchat.gateway.error.ErrorCode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * Caps what one socket may send (contract section 3): a packet larger than {@code SOCKET_MAX_PAYLOAD_BYTES} or more
 * than {@code SOCKET_MAX_EVENTS_PER_SECOND} packets gets {@code socket-error {code, message}}, then the server drops
 * the socket: a Socket.IO disconnect at once, the Engine.IO session shortly after (so a polling client can still
 * fetch both packets). Nothing from a dropped socket reaches the event handlers. Runs on the netty event loop.
 */
@Sharable
class InboundLimitsHandler extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(InboundLimitsHandler.class);
    private static final String LIMITER_KEY = "streamchat.rateLimiter";
    private static final String DROPPED_KEY = "streamchat.dropped";
    private static final long TEARDOWN_GRACE_MS = 1000;

    private final long maxPayloadBytes;
    private final int maxEventsPerSecond;
    private final Namespace namespace;
    private final Counter payloadTooLarge;
    private final Counter rateLimited;

    InboundLimitsHandler(SocketProperties properties, Namespace namespace, MeterRegistry registry) {
        this.maxPayloadBytes = properties.maxPayload().toBytes();
        this.maxEventsPerSecond = properties.maxEventsPerSecond();
        this.namespace = namespace;
        this.payloadTooLarge = Counter.builder("gateway.socket.dropped").tag("reason", ErrorCode.PAYLOAD_TOO_LARGE.wireName())
                .description("Sockets dropped for abuse").register(registry);
        this.rateLimited = Counter.builder("gateway.socket.dropped").tag("reason", ErrorCode.RATE_LIMITED.wireName())
                .description("Sockets dropped for abuse").register(registry);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        if (!(msg instanceof PacketsMessage message)) {
            ctx.fireChannelRead(msg);
            return;
        }
        ClientHead head = message.getClient();
        if (head.getStore().has(DROPPED_KEY)) {
            return;
        }
        ByteBuf content = message.getContent();
        List<int[]> records = EngineIoRecords.ranges(content);
        int messages = 0;
        for (int[] record : records) {
            if (record[1] - record[0] > maxPayloadBytes) {
                payloadTooLarge.increment();
                drop(ctx, head, ErrorCode.PAYLOAD_TOO_LARGE, "A packet is larger than " + maxPayloadBytes + " bytes.");
                return;
            }
            if (EngineIoRecords.isMessage(content, record)) {
                messages++;
            }
        }
        if (!limiter(head).tryAcquire(messages, System.nanoTime())) {
            rateLimited.increment();
            drop(ctx, head, ErrorCode.RATE_LIMITED, "More than " + maxEventsPerSecond + " packets per second.");
            return;
        }
        ctx.fireChannelRead(msg);
    }

    private EventRateLimiter limiter(ClientHead head) {
        EventRateLimiter limiter = head.getStore().get(LIMITER_KEY);
        if (limiter == null) {
            limiter = new EventRateLimiter(maxEventsPerSecond, System.nanoTime());
            head.getStore().set(LIMITER_KEY, limiter);
        }
        return limiter;
    }

    private void drop(ChannelHandlerContext ctx, ClientHead head, ErrorCode code, String message) {
        head.getStore().set(DROPPED_KEY, Boolean.TRUE);
        log.info("socket dropped sessionId={} reason={}", head.getSessionId(), code.wireName());
        NamespaceClient client = head.getChildClient(namespace);
        if (client != null) {
            Map<String, Object> payload = new LinkedHashMap<>();
            payload.put("code", code.wireName());
            payload.put("message", message);
            client.sendEvent(SocketEvents.SOCKET_ERROR, payload);
            client.disconnect();
        }
        // ClientHead.disconnect() closes the connection once its disconnect packet is written.
        ctx.executor().schedule(() -> {
            if (head.isConnected()) {
                head.disconnect();
            }
        }, TEARDOWN_GRACE_MS, TimeUnit.MILLISECONDS);
    }
}
