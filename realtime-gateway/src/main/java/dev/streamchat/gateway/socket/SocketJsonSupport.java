package dev.streamchat.gateway.socket;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

import com.corundumstudio.socketio.protocol.JacksonJsonSupport;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

import io.netty.buffer.ByteBufOutputStream;

/**
 * netty-socketio's JSON with contract section 0's rules: listed keys stay present when null (the library default
 * drops them) and {@code Instant}s are ISO-8601 strings (the default writes epoch millis). Jackson 2, because that is
 * what netty-socketio is built on. An event whose payload is an {@link EncodedPayload} skips Jackson: its
 * {@code ["name",payload]} array is written by copying the pre-encoded bytes (this runs once per socket, on the
 * socket's event loop).
 */
public class SocketJsonSupport extends JacksonJsonSupport {

    private final ConcurrentHashMap<String, byte[]> eventPrefixes = new ConcurrentHashMap<>();

    public SocketJsonSupport() {
        super(new JavaTimeModule());
    }

    @Override
    protected void init(ObjectMapper objectMapper) {
        super.init(objectMapper);
        objectMapper.setSerializationInclusion(JsonInclude.Include.ALWAYS);
        objectMapper.setDefaultPropertyInclusion(JsonInclude.Value.construct(JsonInclude.Include.ALWAYS, JsonInclude.Include.ALWAYS));
        objectMapper.disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
    }

    @Override
    public void writeValue(ByteBufOutputStream out, Object value) throws IOException {
        if (value instanceof List<?> values && values.size() == 2 && values.get(1) instanceof EncodedPayload payload
                && values.get(0) instanceof String event && isPlainName(event)) {
            // PacketEncoder reads getArrays() after every write: no binary attachments here.
            List<byte[]> arrays = getArrays();
            if (!arrays.isEmpty()) {
                arrays.clear();
            }
            out.write(eventPrefixes.computeIfAbsent(event, name -> ("[\"" + name + "\",").getBytes(StandardCharsets.US_ASCII)));
            out.write(payload.json());
            out.write(']');
            return;
        }
        super.writeValue(out, value);
    }

    /** Event names are constants of {@link SocketEvents}; anything needing escapes goes through Jackson. */
    private static boolean isPlainName(String name) {
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c < 0x20 || c > 0x7e || c == '"' || c == '\\') {
                return false;
            }
        }
        return true;
    }
}
