package dev.streamchat.gateway.socket;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import com.corundumstudio.socketio.Transport;
import com.corundumstudio.socketio.messages.PacketsMessage;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;

class ConnectPacketNormalizerTests {

    private static String through(String payload) {
        StringBuilder seen = new StringBuilder();
        EmbeddedChannel channel = new EmbeddedChannel(new ConnectPacketNormalizer(), new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                // What netty-socketio's packet handler would decode, read while the message is alive.
                seen.append(((PacketsMessage) msg).getContent().toString(StandardCharsets.UTF_8));
            }
        });
        channel.writeInbound(new PacketsMessage(null, Unpooled.copiedBuffer(payload, StandardCharsets.UTF_8), Transport.POLLING));
        channel.finishAndReleaseAll();
        return seen.toString();
    }

    @Test
    void givesAPayloadlessDefaultNamespaceConnectAnEmptyAuthObject() {
        assertThat(through("40")).isEqualTo("40{}");
        assertThat(through("40\u001e42[\"chat-stop\",{}]")).isEqualTo("40{}\u001e42[\"chat-stop\",{}]");
        assertThat(through("3\u001e40")).isEqualTo("3\u001e40{}");
    }

    @Test
    void leavesEverythingElseUntouched() {
        assertThat(through("40{\"token\":\"t\"}")).isEqualTo("40{\"token\":\"t\"}");
        assertThat(through("40/admin,")).isEqualTo("40/admin,");
        assertThat(through("42[\"x\",\"40\"]")).isEqualTo("42[\"x\",\"40\"]");
        assertThat(through("401")).isEqualTo("401");
        assertThat(through("2probe")).isEqualTo("2probe");
    }
}
