package dev.streamchat.gateway.socket;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.corundumstudio.socketio.Configuration;
import com.corundumstudio.socketio.protocol.EngineIOVersion;
import com.corundumstudio.socketio.protocol.Packet;
import com.corundumstudio.socketio.protocol.PacketEncoder;
import com.corundumstudio.socketio.protocol.PacketType;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;

/** A pre-encoded payload reaches the wire exactly as Jackson would have written the same payload, per socket. */
class SocketJsonSupportTests {

    private final ByteBufAllocator allocator = UnpooledByteBufAllocator.DEFAULT;
    private final PacketEncoder encoder = new PacketEncoder(new Configuration(), new SocketJsonSupport());

    @Test
    void writesAPreEncodedPayloadAsTheSameSocketIoPacketAsJacksonWould() throws Exception {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("sessionId", "s1");
        map.put("streamId", "t1");
        map.put("seq", 7L);
        map.put("token", "wörld \"quoted\" 你好");
        byte[] json = "{\"sessionId\":\"s1\",\"streamId\":\"t1\",\"seq\":7,\"token\":\"wörld \\\"quoted\\\" 你好\"}"
                .getBytes(StandardCharsets.UTF_8);
        String viaJackson = encode(SocketEvents.STREAM_TOKEN, map);
        String preEncoded = encode(SocketEvents.STREAM_TOKEN, new EncodedPayload("t1", 7, json));
        assertThat(preEncoded).isEqualTo(viaJackson)
                .isEqualTo("42[\"chat-stream-token\"," + new String(json, StandardCharsets.UTF_8) + "]");
    }

    @Test
    void recordsKeepNullMembers() throws Exception {
        assertThat(encode(SocketEvents.STREAM_START, new StreamPayloads.Started("s1", "t1", "m1", null)))
                .isEqualTo("42[\"chat-stream-start\",{\"sessionId\":\"s1\",\"streamId\":\"t1\",\"messageId\":\"m1\",\"clientRequestId\":null}]");
    }

    private String encode(String event, Object payload) throws Exception {
        Packet packet = new Packet(PacketType.MESSAGE, EngineIOVersion.V4);
        packet.setSubType(PacketType.EVENT);
        packet.setName(event);
        packet.setData(Arrays.asList(payload));
        ByteBuf out = allocator.heapBuffer();
        try {
            encoder.encodePacket(packet, out, allocator, false);
            return out.toString(StandardCharsets.UTF_8);
        } finally {
            out.release();
        }
    }
}
