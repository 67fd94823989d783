package dev.streamchat.gateway.socket;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;

import org.junit.jupiter.api.Test;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;

class SocketExceptionListenerTests {

    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final SocketExceptionListener listener = new SocketExceptionListener(meters);

    private double errors() {
        return meters.get("gateway.socket.errors").counter().count();
    }

    private static ChannelHandlerContext contextOf(EmbeddedChannel channel) {
        return channel.pipeline().firstContext();
    }

    @Test
    void aPeerThatResetTheConnectionIsClosedWithoutCountingAnError() {
        EmbeddedChannel channel = new EmbeddedChannel(new ChannelInboundHandlerAdapter());

        listener.exceptionCaught(contextOf(channel), new IOException("Connection reset by peer"));

        assertThat(channel.isOpen()).isFalse();
        assertThat(errors()).isZero();
    }

    @Test
    void inputThatCouldNotBeDecodedIsCountedAndClosed() {
        EmbeddedChannel channel = new EmbeddedChannel(new ChannelInboundHandlerAdapter());

        listener.exceptionCaught(contextOf(channel), new DecoderException("bad frame"));

        assertThat(channel.isOpen()).isFalse();
        assertThat(errors()).isEqualTo(1);
    }
}
