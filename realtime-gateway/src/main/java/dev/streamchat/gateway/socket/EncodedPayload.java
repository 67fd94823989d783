package dev.streamchat.gateway.socket;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonSerializable;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.jsontype.TypeSerializer;

/**
 * A payload already encoded as JSON (UTF-8), built once per event and written as-is to every socket of the room
 * ({@link SocketJsonSupport} copies the bytes instead of running Jackson per socket). It keeps its stream id and seq
 * so that {@link ResumeGates} can order it without parsing, and its bytes can be forwarded to another node
 * unchanged. Immutable: never modify {@link #json()}'s array.
 */
public final class EncodedPayload implements StreamPayload, JsonSerializable {

    private final String streamId;
    private final long seq;
    private final byte[] json;

    /** @param json the payload object's JSON, UTF-8; ownership passes to this object */
    public EncodedPayload(String streamId, long seq, byte[] json) {
        this.streamId = streamId;
        this.seq = seq;
        this.json = json;
    }

    @Override
    public String streamId() {
        return streamId;
    }

    @Override
    public long seq() {
        return seq;
    }

    /** The payload's JSON bytes (shared, do not modify). */
    public byte[] json() {
        return json;
    }

    /** For tests and logs at DEBUG: the JSON as text. */
    public String jsonText() {
        return new String(json, StandardCharsets.UTF_8);
    }

    /** Where Jackson meets it anyway (inside another value): the bytes as a raw value. */
    @Override
    public void serialize(JsonGenerator gen, SerializerProvider serializers) throws IOException {
        gen.writeRawValue(jsonText());
    }

    @Override
    public void serializeWithType(JsonGenerator gen, SerializerProvider serializers, TypeSerializer typeSer)
            throws IOException {
        serialize(gen, serializers);
    }

    @Override
    public String toString() {
        return "EncodedPayload[streamId=" + streamId + ", seq=" + seq + ", bytes=" + json.length + "]";
    }
}
