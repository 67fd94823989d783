package dev.streamchat.gateway.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import tools.jackson.databind.json.JsonMapper;

/** The incremental SSE parser against the recorded ai-service streams of docs/protocol, split at every byte. */
class SseEventParserTests {

    private static final Path FIXTURES = Path.of("..", "docs", "protocol");
    private final AiStreamEventDecoder decoder = new AiStreamEventDecoder(JsonMapper.builder().build());

    @ParameterizedTest
    @ValueSource(strings = {"ai-stream-complete.sse", "ai-stream-error.sse", "ai-stream-done-minimal.sse"})
    void yieldsTheSameEventsWhereverTheStreamIsSplit(String fixture) throws IOException {
        byte[] lf = Files.readAllBytes(FIXTURES.resolve(fixture));
        List<SseEvent> expected = feedWhole(lf);
        assertThat(expected).isNotEmpty();
        for (String ending : List.of("\n", "\r\n", "\r")) {
            byte[] bytes = new String(lf, StandardCharsets.UTF_8).replace("\n", ending).getBytes(StandardCharsets.UTF_8);
            assertThat(feedWhole(bytes)).as("whole, ending %s", ending.replace("\r", "CR").replace("\n", "LF"))
                    .isEqualTo(expected);
            for (int cut = 0; cut <= bytes.length; cut++) {
                SseEventParser parser = new SseEventParser();
                List<SseEvent> events = new ArrayList<>(parser.feed(bytes, 0, cut));
                events.addAll(parser.feed(bytes, cut, bytes.length - cut));
                assertThat(events).as("split at %d", cut).isEqualTo(expected);
            }
            for (int a = 1; a < bytes.length; a += 7) {
                for (int b = a; b <= bytes.length; b += 5) {
                    SseEventParser parser = new SseEventParser();
                    List<SseEvent> events = new ArrayList<>(parser.feed(bytes, 0, a));
                    events.addAll(parser.feed(bytes, a, b - a));
                    events.addAll(parser.feed(bytes, b, bytes.length - b));
                    assertThat(events).as("split at %d and %d", a, b).isEqualTo(expected);
                }
            }
            SseEventParser oneByteAtATime = new SseEventParser();
            List<SseEvent> events = new ArrayList<>();
            for (byte x : bytes) {
                events.addAll(oneByteAtATime.feed(new byte[] {x}));
            }
            assertThat(events).isEqualTo(expected);
        }
    }

    @Test
    void decodesTheRecordedCompleteStream() throws IOException {
        List<AiStreamEvent> events = feedWhole(Files.readAllBytes(FIXTURES.resolve("ai-stream-complete.sse"))).stream()
                .map(e -> decoder.decode(e.data())).toList();
        assertThat(events).hasSize(5);
        assertThat(events.subList(0, 4)).extracting(e -> ((AiStreamEvent.Token) e).content())
                .containsExactly("Hel", "lo, wörld — 你好 🌍", " [1]", "\n• line two");
        AiStreamEvent.Done done = (AiStreamEvent.Done) events.get(4);
        assertThat(done.route()).isEqualTo("general_qa");
        assertThat(done.citations()).hasSize(1);
        assertThat(done.usage()).containsEntry("promptTokens", 12);
    }

    @Test
    void toleratesADoneWithNothingButItsType() throws IOException {
        List<SseEvent> sse = feedWhole(Files.readAllBytes(FIXTURES.resolve("ai-stream-done-minimal.sse")));
        AiStreamEvent.Done done = (AiStreamEvent.Done) decoder.decode(sse.get(1).data());
        assertThat(done.usage()).isNull();
        assertThat(done.route()).isNull();
        assertThat(done.citations()).isEmpty();
        assertThat(done.chunkReferences()).isEmpty();
    }

    @Test
    void keepsEventAndIdFieldsAndJoinsMultiLineData() {
        List<SseEvent> events = new SseEventParser().feed(
                "event: token\nid: 7\ndata: a\ndata: b\n\n".getBytes(StandardCharsets.UTF_8));
        assertThat(events).containsExactly(new SseEvent("token", "7", "a\nb"));
    }

    @Test
    void refusesAnOverlongLine() {
        SseEventParser parser = new SseEventParser(16);
        assertThatThrownBy(() -> parser.feed("data: 0123456789abcdef".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void skipsUnknownEventTypes() {
        assertThat(decoder.decode("{\"type\":\"progress\",\"pct\":50}")).isNull();
    }

    private static List<SseEvent> feedWhole(byte[] bytes) {
        return new SseEventParser().feed(bytes);
    }
}
