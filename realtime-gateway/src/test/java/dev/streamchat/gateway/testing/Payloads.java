package dev.streamchat.gateway.testing;

import java.util.Map;

import dev.streamchat.gateway.socket.EncodedPayload;
import tools.jackson.databind.json.JsonMapper;

/** Socket payloads as a client sees them: pre-encoded bytes parsed, records and maps through JSON. */
public final class Payloads {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private Payloads() {
    }

    @SuppressWarnings("unchecked")
    public static Map<String, Object> asMap(Object payload) {
        if (payload instanceof EncodedPayload encoded) {
            return JSON.readValue(encoded.json(), Map.class);
        }
        return JSON.convertValue(payload, Map.class);
    }
}
