package dev.streamchat.gateway.socket;

import com.corundumstudio.socketio.SocketIOChannelInitializer;

import io.netty.channel.ChannelInboundHandler;
import io.netty.channel.ChannelPipeline;

/**
 * netty-socketio's pipeline plus the gateway's guards, placed after the HTTP aggregator and before its packet
 * handler: the Origin/EIO check on every HTTP request, the per-socket inbound caps, the CONNECT normaliser that
 * lets a payload-less CONNECT be authenticated by its cookie, the upgrade probe flusher, the tracker of each session's
 * WebSocket loop ({@link SocketLoopTracker}), and, right before the packet handler, {@link ConnectingSockets} (it acts
 * once the packet handler has answered a CONNECT); and, on the way out, {@link PollingConnectionClose} next to the
 * HTTP encoder.
 */
class SocketPipeline extends SocketIOChannelInitializer {

    private final ChannelInboundHandler originGuard;
    private final ChannelInboundHandler inboundLimits;
    private final ChannelInboundHandler connectNormalizer;
    private final ChannelInboundHandler upgradeProbeFlusher;
    private final ChannelInboundHandler connectingSockets;
    private final ChannelInboundHandler loopTracker = new SocketLoopTracker();

    SocketPipeline(ChannelInboundHandler originGuard, ChannelInboundHandler inboundLimits,
                   ChannelInboundHandler connectNormalizer, ChannelInboundHandler upgradeProbeFlusher,
                   ChannelInboundHandler connectingSockets) {
        this.originGuard = originGuard;
        this.inboundLimits = inboundLimits;
        this.connectNormalizer = connectNormalizer;
        this.upgradeProbeFlusher = upgradeProbeFlusher;
        this.connectingSockets = connectingSockets;
    }

    @Override
    protected void addSocketioHandlers(ChannelPipeline pipeline) {
        super.addSocketioHandlers(pipeline);
        pipeline.addAfter(HTTP_ENCODER, "streamchatConnectionClose", PollingConnectionClose.INSTANCE);
        pipeline.addBefore(PACKET_HANDLER, "streamchatOriginGuard", originGuard);
        pipeline.addBefore(PACKET_HANDLER, "streamchatInboundLimits", inboundLimits);
        pipeline.addBefore(PACKET_HANDLER, "streamchatConnectNormalizer", connectNormalizer);
        pipeline.addBefore(PACKET_HANDLER, "streamchatUpgradeProbeFlusher", upgradeProbeFlusher);
        pipeline.addBefore(PACKET_HANDLER, "streamchatLoopTracker", loopTracker);
        pipeline.addBefore(PACKET_HANDLER, "streamchatConnectingSockets", connectingSockets);
    }
}
