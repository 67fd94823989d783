package dev.streamchat.gateway.socket;

import java.util.List;

import com.corundumstudio.socketio.messages.PacketsMessage;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * Turns a Socket.IO CONNECT to the default namespace without a payload ({@code 40}, what {@code io(url)} sends when
 * it has no {@code auth}) into {@code 40{}}. netty-socketio calls its AuthTokenListeners only for a CONNECT with a
 * payload, and would otherwise accept the socket unauthenticated; with the empty payload the listener runs and
 * authenticates through the cookie. Every other packet passes untouched. Runs on the netty event loop.
 */
@Sharable
class ConnectPacketNormalizer extends ChannelInboundHandlerAdapter {

    private static final byte[] EMPTY_AUTH = {'{', '}'};

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        if (!(msg instanceof PacketsMessage message)) {
            ctx.fireChannelRead(msg);
            return;
        }
        ByteBuf content = message.getContent();
        List<int[]> records = EngineIoRecords.ranges(content);
        if (records.stream().noneMatch(record -> isBareConnect(content, record))) {
            ctx.fireChannelRead(msg);
            return;
        }
        ByteBuf rewritten = Unpooled.buffer(content.readableBytes() + 2 * records.size());
        for (int i = 0; i < records.size(); i++) {
            int[] record = records.get(i);
            if (i > 0) {
                rewritten.writeByte(EngineIoRecords.SEPARATOR);
            }
            rewritten.writeBytes(content, record[0], record[1] - record[0]);
            if (isBareConnect(content, record)) {
                rewritten.writeBytes(EMPTY_AUTH);
            }
        }
        try {
            ctx.fireChannelRead(new PacketsMessage(message.getClient(), rewritten, message.getTransport()));
        } finally {
            rewritten.release();
        }
    }

    private static boolean isBareConnect(ByteBuf content, int[] record) {
        return record[1] - record[0] == 2 && content.getByte(record[0]) == '4' && content.getByte(record[0] + 1) == '0';
    }
}
