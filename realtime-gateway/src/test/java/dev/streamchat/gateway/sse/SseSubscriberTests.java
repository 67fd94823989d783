package dev.streamchat.gateway.sse;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

import org.junit.jupiter.api.Test;

import dev.streamchat.gateway.socket.EncodedPayload;
import dev.streamchat.gateway.socket.SocketEvents;
import dev.streamchat.gateway.socket.StreamPayloads;
import reactor.test.StepVerifier;
import tools.jackson.databind.json.JsonMapper;

/** One SSE response's queue: frames as the contract shows them, once per seq, bounded for a reader that does not read. */
class SseSubscriberTests {

    private final JsonMapper json = JsonMapper.builder().build();

    private static EncodedPayload token(long seq, String text) {
        return new EncodedPayload("st", seq, ("{\"sessionId\":\"s\",\"streamId\":\"st\",\"seq\":" + seq + ",\"token\":\""
                + text + "\"}").getBytes(StandardCharsets.UTF_8));
    }

    private static String text(byte[] frame) {
        return new String(frame, StandardCharsets.UTF_8);
    }

    @Test
    void writesEventIdAndDataThenEndsAfterTheFinalEvent() {
        SseSubscriber subscriber = new SseSubscriber("st", json, 16, Duration.ofMillis(500), false, 0);
        subscriber.onEvent(SocketEvents.STREAM_START, new StreamPayloads.Started("s", "st", "m", null));
        subscriber.onEvent(SocketEvents.STREAM_TOKEN, token(1, "Hi"));
        subscriber.onEvent(SocketEvents.STREAM_PROGRESS, new StreamPayloads.Progress("s", "st", 2, 1, 3, "plan", "Plan"));
        subscriber.onEvent(SocketEvents.STREAM_ERROR, StreamPayloads.Failed.of("s", "st",
                dev.streamchat.gateway.error.ErrorCode.TIMEOUT, "late"));
        subscriber.onEvent(SocketEvents.STREAM_TOKEN, token(3, "after the end"));
        StepVerifier.create(subscriber.frames(Duration.ofSeconds(30), Duration.ofSeconds(60)).map(SseSubscriberTests::text))
                .expectNext("event: start\ndata: {\"sessionId\":\"s\",\"streamId\":\"st\",\"messageId\":\"m\",\"clientRequestId\":null}\n\n")
                .expectNext("event: token\nid: 1\ndata: {\"sessionId\":\"s\",\"streamId\":\"st\",\"seq\":1,\"token\":\"Hi\"}\n\n")
                .expectNext("event: progress\nid: 2\ndata: {\"sessionId\":\"s\",\"streamId\":\"st\",\"seq\":2,\"iteration\":1,\"of\":3,\"phase\":\"plan\",\"title\":\"Plan\"}\n\n")
                .assertNext(frame -> assertThat(frame).startsWith("event: error\ndata: {").contains("\"code\":\"timeout\""))
                .verifyComplete();
    }

    @Test
    void aResumeSendsTheHeldLiveEventsAfterTheReplayWithoutWhatItCovered() {
        SseSubscriber subscriber = new SseSubscriber("st", json, 16, Duration.ofMillis(500), true, 1);
        subscriber.onEvent(SocketEvents.STREAM_TOKEN, token(3, "c"));   // live, during the replay
        subscriber.replayed(SocketEvents.STREAM_TOKEN, token(1, "a")); // at or below afterSeq
        subscriber.replayed(SocketEvents.STREAM_TOKEN, token(2, "b"));
        subscriber.replayed(SocketEvents.STREAM_TOKEN, token(3, "c"));
        subscriber.onEvent(SocketEvents.STREAM_TOKEN, token(4, "d"));
        subscriber.replayDone(false);
        subscriber.onEvent(SocketEvents.STREAM_TOKEN, token(4, "d"));
        subscriber.onEvent(SocketEvents.STREAM_TOKEN, token(5, "e"));
        subscriber.onEvent(SocketEvents.STREAM_COMPLETE, java.util.Map.of("streamId", "st"));
        StepVerifier.create(subscriber.frames(Duration.ofSeconds(30), Duration.ofSeconds(60))
                        .map(frame -> text(frame).split("\n")[0] + " " + text(frame).split("\n")[1]))
                .expectNext("event: token id: 2", "event: token id: 3", "event: token id: 4", "event: token id: 5")
                .expectNext("event: complete data: {\"streamId\":\"st\"}")
                .verifyComplete();
    }

    @Test
    void aReaderThatDoesNotReadIsDroppedOnceTheQueueIsFullAndHoldsNoMore() {
        SseSubscriber subscriber = new SseSubscriber("st", json, 8, Duration.ofMillis(500), false, 0);
        boolean[] closed = {false};
        subscriber.onClose(() -> closed[0] = true);
        for (int seq = 1; seq <= 1000; seq++) {
            subscriber.onEvent(SocketEvents.STREAM_TOKEN, token(seq, "t"));
        }
        assertThat(subscriber.dropped()).isTrue();
        assertThat(closed[0]).as("stopped listening to the stream at once").isTrue();
        // Nothing is read: the response fails after the grace time (the connection is closed), with nothing more held.
        StepVerifier.create(subscriber.frames(Duration.ofSeconds(30), Duration.ofSeconds(60)), 0)
                .expectSubscription()
                .expectError(SseSubscriber.SlowReader.class)
                .verify(Duration.ofSeconds(5));
    }

    @Test
    void aDroppedReaderThatReadsAgainGetsWhatWasQueuedThenTheConnectionCloses() {
        SseSubscriber subscriber = new SseSubscriber("st", json, 8, Duration.ofSeconds(30), false, 0);
        for (int seq = 1; seq <= 20; seq++) {
            subscriber.onEvent(SocketEvents.STREAM_TOKEN, token(seq, "t"));
        }
        StepVerifier.create(subscriber.frames(Duration.ofSeconds(30), Duration.ofSeconds(60))
                        .map(frame -> text(frame).split("\n")[1]))
                .expectNext("id: 1", "id: 2", "id: 3", "id: 4", "id: 5", "id: 6", "id: 7", "id: 8")
                .expectError(SseSubscriber.SlowReader.class)
                .verify(Duration.ofSeconds(5));
    }

    @Test
    void sendsAKeepaliveCommentWhileIdleAndNoneWhileEventsFlow() {
        SseSubscriber subscriber = new SseSubscriber("st", json, 8, Duration.ofMillis(500), false, 0);
        StepVerifier.create(subscriber.frames(Duration.ofMillis(300), Duration.ofSeconds(60)).map(SseSubscriberTests::text))
                .expectSubscription()
                .expectNext(": keepalive\n\n")
                .then(() -> subscriber.onEvent(SocketEvents.STREAM_COMPLETE, java.util.Map.of("streamId", "st")))
                .expectNext("event: complete\ndata: {\"streamId\":\"st\"}\n\n")
                .expectComplete()
                .verify(Duration.ofSeconds(10));
    }
}
