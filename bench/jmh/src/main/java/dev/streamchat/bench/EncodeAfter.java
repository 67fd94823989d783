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

import dev.streamchat.gateway.socket.EncodedPayload;
import dev.streamchat.gateway.socket.SocketJsonSupport;
import dev.streamchat.gateway.stream.TokenEncoderAccess;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;

/**
 * After: the token payload is encoded once per token from the stream's cached prefix, and each socket's packet
 * copies those bytes ({@code SocketJsonSupport}) instead of running Jackson.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class EncodeAfter {

    @Param({"ascii", "utf8"})
    public String text;

    private final ByteBufAllocator allocator = PooledByteBufAllocator.DEFAULT;
    private PacketEncoder encoder;
    private TokenEncoderAccess tokenEncoder;
    private EncodedPayload encoded;
    private String token;
    private long seq;

    @Setup
    public void setUp() throws Exception {
        encoder = new PacketEncoder(new Configuration(), new SocketJsonSupport());
        token = Samples.token(text);
        tokenEncoder = new TokenEncoderAccess(Samples.SESSION_ID, Samples.STREAM_ID);
        encoded = tokenEncoder.encode(42, token);
    }

    /** Building one token event for the room (once per token): JSON bytes from the cached prefix. */
    @Benchmark
    public Object buildTokenEvent() {
        return tokenEncoder.encode(++seq, token);
    }

    /** Writing it to one socket: the packet and Engine.IO framing around the shared bytes (per socket). */
    @Benchmark
    public void writeToOneSocket(Blackhole bh) throws Exception {
        Packet packet = new Packet(PacketType.MESSAGE, EngineIOVersion.V4);
        packet.setSubType(PacketType.EVENT);
        packet.setName("chat-stream-token");
        packet.setData(Arrays.asList(encoded));
        ByteBuf out = encoder.allocateBuffer(allocator);
        encoder.encodePacket(packet, out, allocator, false);
        bh.consume(out.readableBytes());
        out.release();
    }
}
