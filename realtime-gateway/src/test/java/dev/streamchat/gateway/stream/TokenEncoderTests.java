package dev.streamchat.gateway.stream;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

import dev.streamchat.gateway.socket.EncodedPayload;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The pre-encoded token payload is valid JSON with the contract's keys, whatever the token holds. */
class TokenEncoderTests {

    private final JsonMapper json = JsonMapper.builder().build();

    @Test
    void encodesTheContractsKeysInOrder() {
        EncodedPayload payload = new TokenEncoder("sess-1", "str-1").encode(42, "Hello");
        assertThat(payload.jsonText()).isEqualTo("{\"sessionId\":\"sess-1\",\"streamId\":\"str-1\",\"seq\":42,\"token\":\"Hello\"}");
        assertThat(payload.streamId()).isEqualTo("str-1");
        assertThat(payload.seq()).isEqualTo(42);
    }

    @Test
    void escapesWhatJsonRequiresAndKeepsEveryCharacter() {
        TokenEncoder encoder = new TokenEncoder("s\"1", "t\\1");
        List<String> tokens = List.of(" quote \" and \\ backslash", "line\nbreak\r\ttab\b\f", "\u0000\u0001\u001f\u007f",
                "wörld — 你好 🌍", "\u2028\u2029", "a".repeat(5000), "𝄞".repeat(300));
        long seq = 1;
        for (String token : tokens) {
            EncodedPayload payload = encoder.encode(seq, token);
            JsonNode node = json.readTree(payload.json());
            assertThat(node.get("sessionId").asString()).isEqualTo("s\"1");
            assertThat(node.get("streamId").asString()).isEqualTo("t\\1");
            assertThat(node.get("seq").asLong()).isEqualTo(seq);
            assertThat(node.get("token").asString()).isEqualTo(token);
            seq = seq * 10 + 7;
        }
    }

    @Test
    void replacesALoneSurrogateRatherThanWritingInvalidUtf8() {
        EncodedPayload payload = new TokenEncoder("s", "t").encode(1, "a\uD83Db\uDC00");
        assertThat(json.readTree(payload.json()).get("token").asString()).isEqualTo("a\uFFFDb\uFFFD");
    }
}
