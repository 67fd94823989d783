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

import io.netty.buffer.Unpooled;
import tools.jackson.databind.json.JsonMapper;

/** The incremental SSE parser against the recorded ai-service streams of docs/protocol, split at every byte. */
class SseEventParserTests {

    private static final Path FIXTURES = Path.of("..", "docs", "protocol");
    private final AiStreamEventDecoder decoder = new AiStreamEventDecoder(JsonMapper.builder().build());

    @ParameterizedTest
    @ValueSource(strings = {"ai-stream-complete.sse", "ai-stream-error.sse", "ai-stream-done-minimal.sse"})
    void yieldsTheSameEventsWhereverTheStreamIsSplit(String fixture) throws IOException {
        byte[] lf = Files.readAllBytes(FIXTURES.resolve(fixture));
        List<String> expected = feedWhole(lf);
        assertThat(expected).isNotEmpty();
        for (String ending : List.of("\n", "\r\n", "\r")) {
            byte[] bytes = new String(lf, StandardCharsets.UTF_8).replace("\n", ending).getBytes(StandardCharsets.UTF_8);
            assertThat(feedWhole(bytes)).as("whole, ending %s", ending.replace("\r", "CR").replace("\n", "LF"))
                    .isEqualTo(expected);
            for (int cut = 0; cut <= bytes.length; cut++) {
                SseEventParser parser = new SseEventParser();
                List<String> events = new ArrayList<>();
                feed(parser, bytes, 0, cut, events);
                feed(parser, bytes, cut, bytes.length - cut, events);
                assertThat(events).as("split at %d", cut).isEqualTo(expected);
            }
            for (int a = 1; a < bytes.length; a += 7) {
                for (int b = a; b <= bytes.length; b += 5) {
                    SseEventParser parser = new SseEventParser();
                    List<String> events = new ArrayList<>();
                    feed(parser, bytes, 0, a, events);
                    feed(parser, bytes, a, b - a, events);
                    feed(parser, bytes, b, bytes.length - b, events);
                    assertThat(events).as("split at %d and %d", a, b).isEqualTo(expected);
                }
            }
            SseEventParser oneByteAtATime = new SseEventParser();
            List<String> events = new ArrayList<>();
            for (int i = 0; i < bytes.length; i++) {
                feed(oneByteAtATime, bytes, i, 1, events);
            }
            assertThat(events).isEqualTo(expected);
        }
    }

    @Test
    void decodesTheRecordedCompleteStream() throws IOException {
        List<AiStreamEvent> events = feedWhole(Files.readAllBytes(FIXTURES.resolve("ai-stream-complete.sse"))).stream()
                .map(decoder::decode).toList();
        assertThat(events).hasSize(5);
        assertThat(events.subList(0, 4)).extracting(e -> ((AiStreamEvent.Token) e).content())
                .containsExactly("Hel", "lo, wörld — 你好 🌍", " [1]", "\n• line two");
        AiStreamEvent.Done done = (AiStreamEvent.Done) events.get(4);
        assertThat(done.route()).isEqualTo("general_qa");
        assertThat(done.citations()).hasSize(1);
        assertThat(done.usage()).containsEntry("promptTokens", 12);
    }

    @Test
    void decodesTheRecordedDeepResearchStreamWithItsProgressEvents() throws IOException {
        List<AiStreamEvent> events = feedWhole(Files.readAllBytes(FIXTURES.resolve("ai-stream-deep-research.sse"))).stream()
                .map(decoder::decode).toList();
        List<AiStreamEvent.Progress> progress = events.stream().filter(AiStreamEvent.Progress.class::isInstance)
                .map(AiStreamEvent.Progress.class::cast).toList();
        assertThat(progress).extracting(AiStreamEvent.Progress::phase)
                .containsExactly("plan", "research", "research", "conclusion");
        assertThat(progress.get(1)).isEqualTo(new AiStreamEvent.Progress(2, 4, "research", "How does the heart pump?"));
        assertThat(events.get(0)).isInstanceOf(AiStreamEvent.Progress.class);
        assertThat(events.get(events.size() - 1)).isInstanceOf(AiStreamEvent.Done.class);
    }

    @Test
    void toleratesADoneWithNothingButItsType() throws IOException {
        List<String> sse = feedWhole(Files.readAllBytes(FIXTURES.resolve("ai-stream-done-minimal.sse")));
        AiStreamEvent.Done done = (AiStreamEvent.Done) decoder.decode(sse.get(1));
        assertThat(done.usage()).isNull();
        assertThat(done.route()).isNull();
        assertThat(done.citations()).isEmpty();
        assertThat(done.chunkReferences()).isEmpty();
    }

    @Test
    void joinsMultiLineDataAndSkipsOtherFields() {
        assertThat(feedWhole("event: token\nid: 7\nretry: 10\ndata: a\nother\ndata:b\n\n".getBytes(StandardCharsets.UTF_8)))
                .containsExactly("a\nb");
    }

    @Test
    void skipsCommentsAndEventsWithoutData() {
        assertThat(feedWhole(": keepalive\n\nevent: ping\n\n:\ndata: x\n\n".getBytes(StandardCharsets.UTF_8)))
                .containsExactly("x");
    }

    @Test
    void dropsAByteOrderMarkOnlyAtTheStart() {
        byte[] bytes = "\uFEFFdata: a\n\ndata: \uFEFFb\n\n".getBytes(StandardCharsets.UTF_8);
        for (int cut = 0; cut <= 3; cut++) {
            SseEventParser parser = new SseEventParser();
            List<String> events = new ArrayList<>();
            feed(parser, bytes, 0, cut, events);
            feed(parser, bytes, cut, bytes.length - cut, events);
            assertThat(events).as("split at %d", cut).containsExactly("a", "\uFEFFb");
        }
    }

    @Test
    void refusesAnOverlongLineWhetherWholeOrSplit() {
        byte[] line = "data: 0123456789abcdef".getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> feed(new SseEventParser(16), line, 0, line.length, new ArrayList<>()))
                .isInstanceOf(IllegalStateException.class);
        byte[] whole = "data: 0123456789abcdef\n\n".getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> feed(new SseEventParser(16), whole, 0, whole.length, new ArrayList<>()))
                .isInstanceOf(IllegalStateException.class);
        SseEventParser split = new SseEventParser(16);
        feed(split, whole, 0, 10, new ArrayList<>());
        assertThatThrownBy(() -> feed(split, whole, 10, whole.length - 10, new ArrayList<>()))
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void acceptsALineJustUnderTheLimit() {
        byte[] whole = "data: 0123456789\n\n".getBytes(StandardCharsets.UTF_8);
        SseEventParser parser = new SseEventParser(16);
        List<String> events = new ArrayList<>();
        feed(parser, whole, 0, 8, events);
        feed(parser, whole, 8, whole.length - 8, events);
        assertThat(events).containsExactly("0123456789");
    }

    @Test
    void decodesOnlyTypeAndContentOfATokenWhateverElseItCarries() {
        AiStreamEvent event = decoder.decode(
                "{\"meta\":{\"a\":[1,{\"content\":\"no\"}]},\"content\":\"h\\u00e9\\n\\\"x\\\"\",\"type\":\"token\",\"n\":null}");
        assertThat(event).isEqualTo(new AiStreamEvent.Token("hé\n\"x\""));
        assertThat(decoder.decode("{\"type\":\"token\",\"content\":null}")).isEqualTo(new AiStreamEvent.Token(""));
    }

    @Test
    void refusesEventsThatAreNotOneJsonObject() {
        for (String bad : List.of("[1]", "\"x\"", "{\"type\":\"token\"", "{\"type\":\"token\"} {}", "nope")) {
            assertThatThrownBy(() -> decoder.decode(bad)).as(bad).isInstanceOf(AiProtocolException.class);
        }
    }

    @Test
    void skipsUnknownEventTypes() {
        assertThat(decoder.decode("{\"type\":\"heartbeat\",\"pct\":50}")).isNull();
    }

    private static List<String> feedWhole(byte[] bytes) {
        List<String> events = new ArrayList<>();
        feed(new SseEventParser(), bytes, 0, bytes.length, events);
        return events;
    }

    private static void feed(SseEventParser parser, byte[] bytes, int offset, int length, List<String> events) {
        parser.feed(Unpooled.wrappedBuffer(bytes, offset, length),
                (data, n) -> events.add(new String(data, 0, n, StandardCharsets.UTF_8)));
    }
}
