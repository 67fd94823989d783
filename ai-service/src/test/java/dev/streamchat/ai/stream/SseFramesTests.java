package dev.streamchat.ai.stream;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.springframework.http.codec.ServerSentEvent;

import dev.streamchat.ai.error.ErrorCode;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;
import reactor.test.scheduler.VirtualTimeScheduler;
import tools.jackson.databind.json.JsonMapper;

class SseFramesTests {

    private final JsonMapper json = JsonMapper.builder().build();

    @Test
    void serializesTheThreeEventsExactlyAsTheContractShowsThem() {
        SseFrames frames = new SseFrames(json, Duration.ofSeconds(10), Schedulers.parallel());

        assertThat(frames.toJson(new ChatEvent.Token("Hel"))).isEqualTo("{\"type\":\"token\",\"content\":\"Hel\"}");
        assertThat(frames.toJson(new ChatEvent.Failure(ErrorCode.RATE_LIMITED, "slow down")))
                .isEqualTo("{\"type\":\"error\",\"code\":\"rate_limited\",\"message\":\"slow down\"}");
        ChatEvent.Done done = new ChatEvent.Done("general_qa", "openai", "gpt-4o",
                List.of(new ChatEvent.Citation(1, "d1", "Cells", null, "A cell is...")),
                List.of(new ChatEvent.ChunkReference(1, "c9", "d1", 0.75)),
                new ChatEvent.Usage(12, 3), false);
        assertThat(frames.toJson(done)).isEqualTo("{\"type\":\"done\",\"route\":\"general_qa\",\"provider\":\"openai\",\"model\":\"gpt-4o\","
                + "\"citations\":[{\"number\":1,\"docId\":\"d1\",\"title\":\"Cells\",\"page\":null,\"quote\":\"A cell is...\"}],"
                + "\"chunkReferences\":[{\"number\":1,\"chunkId\":\"c9\",\"docId\":\"d1\",\"score\":0.75}],"
                + "\"usage\":{\"promptTokens\":12,\"completionTokens\":3},\"contextTrimmed\":false}");
        assertThat(frames.toJson(new ChatEvent.Progress(2, 5, "research", "What does the heart do?")))
                .isEqualTo("{\"type\":\"progress\",\"iteration\":2,\"of\":5,\"phase\":\"research\","
                        + "\"title\":\"What does the heart do?\"}");
    }

    @Test
    void startsWithAKeepaliveAndSendsOneAfterEverySilence() {
        VirtualTimeScheduler time = VirtualTimeScheduler.create();
        SseFrames frames = new SseFrames(json, Duration.ofSeconds(10), time);
        Sinks.Many<ChatEvent> events = Sinks.many().unicast().onBackpressureBuffer();

        StepVerifier.withVirtualTime(() -> frames.frames(events.asFlux()), () -> time, Long.MAX_VALUE)
                .expectNext(SseFrames.KEEPALIVE)
                .expectNoEvent(Duration.ofMillis(9_999))
                .then(() -> events.tryEmitNext(new ChatEvent.Token("a")))
                .expectNextMatches(frame -> "{\"type\":\"token\",\"content\":\"a\"}".equals(frame.data()))
                .expectNoEvent(Duration.ofMillis(9_999))
                .thenAwait(Duration.ofMillis(1))
                .expectNext(SseFrames.KEEPALIVE)
                .thenAwait(Duration.ofSeconds(10))
                .expectNext(SseFrames.KEEPALIVE)
                .then(() -> {
                    events.tryEmitNext(new ChatEvent.Failure(ErrorCode.TIMEOUT, "too slow"));
                    events.tryEmitComplete();
                })
                .expectNextMatches(frame -> frame.data() != null && frame.data().contains("\"timeout\""))
                .verifyComplete();
    }

    @Test
    void writesTheKeepaliveAsACommentLine() {
        ServerSentEvent<String> keepalive = SseFrames.KEEPALIVE;

        assertThat(keepalive.format()).isEqualTo(": keepalive\n");
        assertThat(keepalive.data()).isNull();
    }

    @Test
    void completesRightAfterTheLastEvent() {
        SseFrames frames = new SseFrames(json, Duration.ofHours(1), Schedulers.parallel());

        StepVerifier.create(frames.frames(Flux.just(new ChatEvent.Token("x"))))
                .expectNext(SseFrames.KEEPALIVE)
                .expectNextCount(1)
                .expectComplete()
                .verify(Duration.ofSeconds(2));
    }
}
