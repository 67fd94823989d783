package dev.streamchat.gateway.socket;

import com.corundumstudio.socketio.protocol.JacksonJsonSupport;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

/**
 * netty-socketio's JSON with contract section 0's rules: listed keys stay present when null (the library default
 * drops them) and {@code Instant}s are ISO-8601 strings (the default writes epoch millis). Jackson 2, because that is
 * what netty-socketio is built on.
 */
public class SocketJsonSupport extends JacksonJsonSupport {

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
}
