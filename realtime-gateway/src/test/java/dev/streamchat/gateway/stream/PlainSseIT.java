package dev.streamchat.gateway.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.test.context.TestPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

import dev.streamchat.gateway.testing.AiReply;
import dev.streamchat.gateway.testing.FakeAiService;
import dev.streamchat.gateway.testing.GatewayStackTest;
import dev.streamchat.gateway.testing.SseReader;
import dev.streamchat.gateway.testing.UserSocket;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The plain-SSE routes over real HTTP (Java's HttpClient reading the event stream as it comes): {@code POST
 * /chat/stream} is {@code /chat/new} answered as SSE, with the socket payloads, and the stream stays the user's (their
 * socket tab sees it, it is saved, closing the response does not stop it, REST stop does); {@code GET
 * .../events} resumes it from {@code Last-Event-ID} or {@code afterSeq} with no gap and no duplicate. Lives beside
 * {@link StreamFanoutIT} to share its Spring context and socket client.
 */
@TestPropertySource(properties = {
        "gateway.ratelimit.chat-per-minute=100",
        "gateway.chat.max-concurrent-streams-per-user=50",
        "gateway.sse.keepalive=1s",
})
class PlainSseIT extends GatewayStackTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private String base() {
        return "http://127.0.0.1:" + port;
    }


    private String loginFresh(String prefix) {
        return (String) http().post().uri("/api/v1/auth/dev-login").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("userId", prefix + "-" + Long.toHexString(System.nanoTime()), "plan", "pro"))
                .exchange().expectStatus().isOk().expectBody(Map.class).returnResult().getResponseBody().get("token");
    }

    private SseReader stream(String token, Map<String, Object> body) {
        return SseReader.post(base() + "/api/v1/chat/stream", JSON.writeValueAsString(body),
                "Authorization", "Bearer " + token, "Accept-Encoding", "gzip");
    }

    private SseReader events(String token, String streamId, String query, String... headers) {
        String[] all = new String[headers.length + 2];
        all[0] = "Authorization";
        all[1] = "Bearer " + token;
        System.arraycopy(headers, 0, all, 2, headers.length);
        return SseReader.get(base() + "/api/v1/chat/streams/" + streamId + "/events" + query, all);
    }

    private static void awaitFinal(SseReader reader) {
        await().atMost(Duration.ofSeconds(20)).until(reader::hasFinal);
        await().atMost(Duration.ofSeconds(5)).until(reader.ended::get);
    }

    private static Object normalised(JsonNode node) {
        if (node.isObject()) {
            Map<String, Object> out = new java.util.TreeMap<>();
            node.properties().forEach(e -> out.put(e.getKey(), normalised(e.getValue())));
            return out;
        }
        if (node.isArray()) {
            List<Object> out = new java.util.ArrayList<>();
            node.forEach(item -> out.add(normalised(item)));
            return out;
        }
        return node.isNumber() ? node.decimalValue().stripTrailingZeros() : node;
    }

    private static String unique(String text) {
        return text + " " + System.nanoTime();
    }

    @Test
    void postStreamAnswersSseWithTheSocketPayloadsAndTheUsersSocketTabSeesTheSameStream() throws Exception {
        String token = loginFresh("sse-tab");
        String question = unique("sse relay");
        AI.onQuestion(question, AiReply.slow(List.of("One ", "two ", "three."), Duration.ofMillis(5)));
        try (UserSocket tab = new UserSocket(socketPort, token)) {
            // The tab is in the user's room before the stream starts, or it would miss the first events.
            await().atMost(Duration.ofSeconds(15)).until(tab.connected::get);
            try (SseReader sse = stream(token, Map.of("message", question, "clientRequestId", "c-sse-1"))) {
                assertThat(sse.status()).isEqualTo(200);
                assertThat(sse.header("Content-Type")).startsWith("text/event-stream");
                assertThat(sse.header("Cache-Control")).isEqualTo("no-cache");
                assertThat(sse.header("X-Accel-Buffering")).isEqualTo("no");
                assertThat(sse.header("Content-Encoding")).isNull();
                awaitFinal(sse);
                assertThat(sse.names()).containsExactly("start", "token", "token", "token", "complete");
                assertThat(sse.seqs()).containsExactly(1L, 2L, 3L);
                JsonNode start = sse.list().get(0).json();
                assertThat(start.get("clientRequestId").asString()).isEqualTo("c-sse-1");
                String streamId = start.get("streamId").asString();
                JsonNode complete = sse.last().json();
                assertThat(complete.get("content").asString()).isEqualTo("One two three.");
                assertThat(complete.get("stopped").asBoolean()).isFalse();

                // The other tab got the very same events, payload for payload.
                await().atMost(Duration.ofSeconds(10)).until(() -> tab.ofStream(streamId).stream()
                        .anyMatch(e -> e.event().equals("chat-stream-complete")));
                List<UserSocket.Received> socket = tab.ofStream(streamId);
                assertThat(socket).hasSize(5);
                for (int i = 0; i < 5; i++) {
                    // Numbers compared by value: the Java socket client's org.json reads 3.0 back as 3.
                    assertThat(normalised(sse.list().get(i).json())).as(socket.get(i).event())
                            .isEqualTo(normalised(JSON.readTree(socket.get(i).payload().toString())));
                }
                // Saved like any answer.
                String sessionId = start.get("sessionId").asString();
                Map<?, ?> session = http().get().uri("/api/v1/chat/sessions/" + sessionId)
                        .header(HttpHeaders.AUTHORIZATION, "Bearer " + token).exchange().expectStatus().isOk()
                        .expectBody(Map.class).returnResult().getResponseBody();
                assertThat((List<?>) session.get("messages")).hasSize(2);
            }
        }
    }

    @Test
    void deepResearchProgressComesAsProgressEventsWithTheirSeqAsId() {
        String token = loginFresh("sse-deep");
        String question = unique("sse deep research");
        AI.onQuestion(question, StreamFanoutIT.deepResearch("Plan. ", "Heart ", "pumps ", "blood. ", "Done", "."));
        try (SseReader sse = stream(token, Map.of("message", question))) {
            awaitFinal(sse);
            assertThat(sse.names()).containsExactly("start", "progress", "token", "token", "progress", "token",
                    "token", "progress", "token", "token", "complete");
            assertThat(sse.seqs()).containsExactlyElementsOf(IntStream.rangeClosed(1, 9).mapToObj(i -> (long) i).toList());
            JsonNode research = sse.list().get(4).json();
            assertThat(research.get("phase").asString()).isEqualTo("research");
            assertThat(research.get("seq").asLong()).isEqualTo(4);
            assertThat(research.get("title").asString()).isEqualTo("How does the heart pump?");
        }
    }

    @Test
    void errorsComeInTheOrderOfChatNewAsProblemJsonBeforeAnyEvent() {
        String token = loginFresh("sse-errors");
        String otherToken = loginFresh("sse-errors-other");
        String otherSession = (String) http().post().uri("/api/v1/chat/new")
                .header(HttpHeaders.AUTHORIZATION, "Bearer " + otherToken).contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("message", unique("not yours"))).exchange().expectStatus().isAccepted()
                .expectBody(Map.class).returnResult().getResponseBody().get("sessionId");
        record Case(String body, String[] headers, int status, String code) {
        }
        List<Case> cases = List.of(
                new Case("{\"message\":\"hi\"}", new String[] {}, 401, "unauthorized"),
                new Case("{\"message\":\"hi\"}", new String[] {"Cookie", "token=" + token}, 403, "forbidden"),
                new Case("{\"message\":", new String[] {"Authorization", "Bearer " + token}, 400, "bad_request"),
                new Case("{\"message\":7}", new String[] {"Authorization", "Bearer " + token}, 400, "bad_request"),
                new Case("{\"message\":\"\"}", new String[] {"Authorization", "Bearer " + token}, 400, "bad_request"),
                new Case("{\"message\":\"hi\",\"sessionId\":\"" + otherSession + "\"}",
                        new String[] {"Authorization", "Bearer " + token}, 404, "not_found"));
        for (Case c : cases) {
            for (String route : List.of("/api/v1/chat/new", "/api/v1/chat/stream")) {
                SseReader answer = SseReader.post(base() + route, c.body(), c.headers());
                assertThat(answer.status()).as(route + " " + c).isEqualTo(c.status());
                assertThat(answer.header("Content-Type")).as(route).startsWith("application/problem+json");
                assertThat(answer.problem().get("code").asString()).as(route + " " + c).isEqualTo(c.code());
            }
        }
    }

    @Test
    void closingTheResponseIsNotAStopButRestStopIs() {
        String token = loginFresh("sse-close");
        String kept = unique("sse kept");
        AI.onQuestion(kept, AiReply.slow(IntStream.range(0, 40).mapToObj(i -> "w" + i + " ").toList(), Duration.ofMillis(20)));
        String streamId;
        try (SseReader sse = stream(token, Map.of("message", kept))) {
            await().atMost(Duration.ofSeconds(15)).until(() -> sse.seqs().size() >= 3);
            streamId = sse.list().get(0).json().get("streamId").asString();
        }
        // Gone client, going stream: a resume later finds it complete with every token.
        await().atMost(Duration.ofSeconds(20)).until(() -> !AI.lastCallFor(kept).disconnected
                && AI.lastCallFor(kept).tokensWritten.get() == 40);
        try (SseReader resumed = events(token, streamId, "")) {
            awaitFinal(resumed);
            assertThat(resumed.seqs()).containsExactlyElementsOf(IntStream.rangeClosed(1, 40).mapToObj(i -> (long) i).toList());
            assertThat(resumed.last().json().get("stopped").asBoolean()).isFalse();
        }
        assertThat(AI.lastCallFor(kept).disconnected).isFalse();

        String stopped = unique("sse stopped");
        AI.onQuestion(stopped, AiReply.slow(IntStream.range(0, 300).mapToObj(i -> "s" + i + " ").toList(), Duration.ofMillis(20)));
        try (SseReader sse = stream(token, Map.of("message", stopped))) {
            await().atMost(Duration.ofSeconds(15)).until(() -> sse.seqs().size() >= 3);
            String id = sse.list().get(0).json().get("streamId").asString();
            http().post().uri("/api/v1/chat/streams/" + id + "/stop").header(HttpHeaders.AUTHORIZATION, "Bearer " + token)
                    .exchange().expectStatus().isAccepted();
            awaitFinal(sse);
            assertThat(sse.last().event()).isEqualTo("complete");
            assertThat(sse.last().json().get("stopped").asBoolean()).isTrue();
        }
    }

    @Test
    void eventsResumeFromLastEventIdOrAfterSeqWithNoGapAndNoDuplicateThenTheFinalEvent() {
        String token = loginFresh("sse-resume");
        String question = unique("sse resume");
        int total = 60;
        CountDownLatch gate = new CountDownLatch(1);
        AI.onQuestion(question, AiReply.slow(IntStream.range(0, total).mapToObj(i -> "r" + i + " ").toList(),
                Duration.ofMillis(10)).holdingAfter(20, gate));
        String streamId;
        try (SseReader first = stream(token, Map.of("message", question))) {
            await().atMost(Duration.ofSeconds(15)).until(() -> first.seqs().size() >= 20);
            streamId = first.list().get(0).json().get("streamId").asString();
        }
        // Mid-stream: Last-Event-ID 12 (the header wins over the URL's afterSeq, as for EventSource reconnects).
        try (SseReader resumed = events(token, streamId, "?afterSeq=0", "Last-Event-ID", "12")) {
            await().atMost(Duration.ofSeconds(10)).until(() -> resumed.seqs().size() >= 8);
            await().atMost(Duration.ofSeconds(5)).until(() -> resumed.keepalives.get() >= 1); // idle at the gate
            gate.countDown();
            awaitFinal(resumed);
            assertThat(resumed.names().get(0)).isEqualTo("token");
            assertThat(resumed.seqs()).containsExactlyElementsOf(IntStream.rangeClosed(13, total).mapToObj(i -> (long) i).toList());
            assertThat(resumed.last().event()).isEqualTo("complete");
            assertThat(resumed.tokensBySeq().get(13L)).isEqualTo("r12 ");
        }
        // Finished: afterSeq = the last seq re-sends only the final event; afterSeq 55 the rest and the final event.
        try (SseReader done = events(token, streamId, "?afterSeq=" + total)) {
            awaitFinal(done);
            assertThat(done.names()).containsExactly("complete");
        }
        try (SseReader tail = events(token, streamId, "?afterSeq=55")) {
            awaitFinal(tail);
            assertThat(tail.seqs()).containsExactly(56L, 57L, 58L, 59L, 60L);
        }
        // Not the owner, unknown, bad seqs.
        String stranger = loginFresh("sse-stranger");
        SseReader foreign = events(stranger, streamId, "");
        assertThat(foreign.status()).isEqualTo(404);
        assertThat(foreign.problem().get("code").asString()).isEqualTo("not_found");
        SseReader unknown = events(token, "no-such-stream", "");
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.problem().get("code").asString()).isEqualTo("not_found");
        for (String bad : List.of("?afterSeq=x", "?afterSeq=-1")) {
            SseReader answer = events(token, streamId, bad);
            assertThat(answer.status()).as(bad).isEqualTo(400);
            assertThat(answer.problem().get("code").asString()).isEqualTo("bad_request");
        }
        SseReader badHeader = events(token, streamId, "", "Last-Event-ID", "abc");
        assertThat(badHeader.status()).isEqualTo(400);
    }
}
