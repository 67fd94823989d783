package dev.streamchat.bench;

import java.util.Arrays;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.Blackhole;

import com.corundumstudio.socketio.Configuration;
import com.corundumstudio.socketio.protocol.EngineIOVersion;
import com.corundumstudio.socketio.protocol.Packet;
import com.corundumstudio.socketio.protocol.PacketEncoder;
import com.corundumstudio.socketio.protocol.PacketType;

import dev.streamchat.bench.before.StreamPayloads;
import dev.streamchat.gateway.socket.SocketJsonSupport;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;

/**
 * Before: the token payload is an ordered map, and netty-socketio encodes it with Jackson once per socket
 * ({@code PacketEncoder.encodePacket}, what {@code EncoderHandler} runs on each socket's loop).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class EncodeBefore {

    @Param({"ascii", "utf8"})
    public String text;

    private final ByteBufAllocator allocator = PooledByteBufAllocator.DEFAULT;
    private PacketEncoder encoder;
    private String token;
    private long seq;

    @Setup
    public void setUp() {
        encoder = new PacketEncoder(new Configuration(), new SocketJsonSupport());
        token = Samples.token(text);
    }

    /** Building one token event for the room (the relay's share, once per token). */
    @Benchmark
    public Object buildTokenEvent() {
        return StreamPayloads.token(Samples.SESSION_ID, Samples.STREAM_ID, ++seq, token);
    }

    /** Writing it to one socket: a packet, Jackson on [name, map], the Engine.IO framing (per socket). */
    @Benchmark
    public void writeToOneSocket(Blackhole bh) throws Exception {
        Packet packet = new Packet(PacketType.MESSAGE, EngineIOVersion.V4);
        packet.setSubType(PacketType.EVENT);
        packet.setName("chat-stream-token");
        packet.setData(Arrays.asList(StreamPayloads.token(Samples.SESSION_ID, Samples.STREAM_ID, 42, token)));
        ByteBuf out = encoder.allocateBuffer(allocator);
        encoder.encodePacket(packet, out, allocator, false);
        bh.consume(out.readableBytes());
        out.release();
    }
}
