package dev.streamchat.gateway.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import org.bson.Document;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.TestPropertySource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.annotation.Import;
import org.springframework.data.mongodb.core.ReactiveMongoTemplate;

import dev.streamchat.gateway.chat.RecordedEvents.Emitted;
import dev.streamchat.gateway.config.GatewayLoops;
import dev.streamchat.gateway.socket.StreamCommands;
import dev.streamchat.gateway.testing.AiReply.Fault;
import dev.streamchat.gateway.testing.AiReply;
import dev.streamchat.gateway.testing.FakeAiService;
import dev.streamchat.gateway.testing.GatewayClient;
import dev.streamchat.gateway.testing.GatewayStackTest;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Metrics;
import reactor.core.publisher.Mono;

/**
 * The relay and the chat REST surface against the whole gateway: real Redis and MongoDB (embedded, real
 * drivers), a fake ai-service at the HTTP level with fault injection, events recorded as sent to rooms.
 */
@TestPropertySource(properties = {
        "gateway.stream.idle-timeout=1500ms",
        "gateway.ratelimit.chat-per-minute=8",
        "gateway.quota.free-chats-per-month=25",
        // This class tests the rate limit and the quota; the per-user stream cap has its own test (ChatAbuseIT).
        "gateway.chat.max-concurrent-streams-per-user=50",
})
@Import(RecordedEvents.Wiring.class)
@SuppressWarnings("unchecked")
class ChatRelayIT extends GatewayStackTest {

    @org.springframework.boot.test.web.server.LocalManagementPort
    int managementPort;

    @Autowired
    ReactiveMongoTemplate mongo;

    @Autowired
    StreamCommands commands;

    @Autowired
    GatewayLoops loops;

    GatewayClient client;

    @BeforeEach
    void setUp() {
        client = new GatewayClient(port);
        AI.planner = q -> AiReply.answer(FakeAiService.defaultTokens(q));
    }

    static String user() {
        return "u" + UUID.randomUUID().toString().substring(0, 8);
    }

    static List<Emitted> awaitEnd(String streamId) {
        await().atMost(Duration.ofSeconds(15)).until(() -> RecordedEvents.ended(streamId));
        return RecordedEvents.ofStream(streamId);
    }

    static String tokensOf(List<Emitted> events) {
        return events.stream().filter(e -> e.event().equals("chat-stream-token"))
                .map(e -> (String) e.get("token")).collect(Collectors.joining());
    }

    static List<Long> seqsOf(List<Emitted> events) {
        return events.stream().filter(e -> e.event().equals("chat-stream-token"))
                .map(e -> ((Number) e.get("seq")).longValue()).toList();
    }

    Document session(String sessionId) {
        return mongo.findById(sessionId, Document.class, "chat_sessions").block(Duration.ofSeconds(5));
    }

    /** A second question in a session whose answer is still running: 409 {@code stream_active}. */
    private void assertAskingAgainIsStreamActive(String token, String sessionId) {
        Map<String, Object> conflict = client.json(client.post(token, "/api/v1/chat/new",
                "{\"message\":\"again\",\"sessionId\":\"" + sessionId + "\"}"), 409);
        assertThat(conflict).containsEntry("code", "stream_active");
    }

    /** The user's count of completed chats this month, as stored in MongoDB. */
    private void storeChatsThisMonth(String userId, int count) {
        mongo.getCollection("users").flatMap(c -> Mono.from(c.updateOne(new Document("_id", userId),
                new Document("$set", new Document("chatRequestCount", count))))).block(Duration.ofSeconds(5));
    }

    long used(String token) {
        return ((Number) client.json(client.get(token, "/api/v1/quota"), 200).get("used")).longValue();
    }

    @Test
    void streamsTokensInOrderThenOneCompleteAfterTheSaveAndCountsTheReply() {
        String user = user();
        String token = client.login(user, "free");
        Map<String, Object> accepted = client.ask(token, "{\"message\":\"What is SSE?\",\"clientRequestId\":\"c-1\",\"extra\":1}");
        String sessionId = (String) accepted.get("sessionId");
        String streamId = (String) accepted.get("streamId");
        assertThat(accepted.get("clientRequestId")).isEqualTo("c-1");

        List<Emitted> events = awaitEnd(streamId);
        assertThat(events.get(0).event()).isEqualTo("chat-stream-start");
        assertThat(events.get(0).payload()).containsEntry("clientRequestId", "c-1").containsEntry("sessionId", sessionId);
        Emitted last = events.get(events.size() - 1);
        assertThat(last.event()).isEqualTo("chat-stream-complete");
        assertThat(events.stream().filter(e -> e.event().startsWith("chat-stream-c") || e.event().endsWith("error"))).hasSize(1);
        List<Long> seqs = seqsOf(events);
        assertThat(seqs).containsExactlyElementsOf(LongRangeFrom1(seqs.size()));
        String relayed = tokensOf(events);
        assertThat(relayed).isEqualTo("Answer to: What is SSE? ✓");
        assertThat(last.payload()).containsEntry("content", relayed).containsEntry("stopped", false)
                .containsKeys("citations", "chunkReferences", "usage", "contextTrimmed", "quota", "timing", "messageId");
        @SuppressWarnings("unchecked")
        Map<String, Object> quota = (Map<String, Object>) last.get("quota");
        assertThat(quota).containsEntry("used", 1L).containsEntry("reserved", 0L).containsEntry("limit", 25);
        @SuppressWarnings("unchecked")
        Map<String, Object> timing = (Map<String, Object>) last.get("timing");
        assertThat(timing).containsKeys("firstTokenMs", "durationMs", "tokensPerSecond");

        // Saved before complete was sent: one exchange, content == tokens relayed.
        Document saved = session(sessionId);
        List<Document> messages = ChatService.messages(saved);
        assertThat(messages).extracting(m -> m.getString("role")).containsExactly("user", "assistant");
        assertThat(messages.get(0).getString("content")).isEqualTo("What is SSE?");
        assertThat(messages.get(1).getString("content")).isEqualTo(relayed);
        assertThat(messages.get(1).getString("id")).isEqualTo(last.get("messageId"));
        assertThat(saved.getString("title")).isEqualTo("What is SSE?");
        assertThat(used(token)).isEqualTo(1);

        Map<String, Object> view = client.json(client.get(token, "/api/v1/chat/sessions/" + sessionId), 200);
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> shown = (List<Map<String, Object>>) view.get("messages");
        assertThat(shown.get(1)).containsEntry("content", relayed).containsEntry("stopped", false)
                .containsEntry("feedback", null).containsKeys("versions", "createdAt", "contextTrimmed");
        assertThat((List<?>) shown.get(1).get("versions")).hasSize(1);
        assertThat(view.get("title")).isEqualTo("What is SSE?");
    }

    private static List<Long> LongRangeFrom1(int n) {
        return IntStream.rangeClosed(1, n).mapToObj(i -> (long) i).toList();
    }

    /**
     * A stream that ended with the ai-service's {@code done} leaves its connection to the next stream: streams one
     * after the other open at most one connection per loop's pool (a stream without a socket goes to the pools in
     * turn), not one each.
     */
    @Test
    void streamsOneAfterTheOtherReuseTheAiServiceConnection() {
        int pools = loops.loops().size();
        Set<Integer> connections = new HashSet<>();
        String first = client.login(user(), "pro");
        awaitEnd((String) client.ask(first, "{\"message\":\"open a connection\"}").get("streamId"));
        assertThat(activeAiServiceStreamConnectionGauges()).as("the pools' gauges").isNotEmpty();
        for (int i = 0; i < 2 * pools + 1; i++) {
            // `done` reaches the client just before the gateway reads the body's last chunk and returns the
            // connection to its pool: wait for that, as a next request arriving a moment later would.
            await().atMost(Duration.ofSeconds(10)).until(() -> activeAiServiceStreamConnections() == 0);
            String question = "reuse " + i + " " + UUID.randomUUID();
            String token = client.login(user(), "pro");
            List<Emitted> events = awaitEnd((String) client.ask(token, "{\"message\":\"" + question + "\"}").get("streamId"));
            assertThat(events.get(events.size() - 1).event()).isEqualTo("chat-stream-complete");
            connections.add(AI.lastCallFor(question).clientPort);
        }
        assertThat(connections).as("the gateway's ports of its connections to the ai-service").hasSizeLessThanOrEqualTo(pools);
    }

    /** Reactor Netty's gauges of the connections in use in the gateway's ai-service stream pools. */
    static List<Gauge> activeAiServiceStreamConnectionGauges() {
        return Metrics.globalRegistry.find("reactor.netty.connection.provider.active.connections").gauges().stream()
                .filter(gauge -> String.valueOf(gauge.getId().getTag("name")).startsWith("ai-service-stream-"))
                .toList();
    }

    /** Summed over every pool of that name in this JVM (other test contexts' pools are idle; a gone pool reads NaN). */
    static double activeAiServiceStreamConnections() {
        return activeAiServiceStreamConnectionGauges().stream().mapToDouble(Gauge::value)
                .filter(active -> !Double.isNaN(active)).sum();
    }

    @Test
    void publishesStreamMetricsOnPrometheus() {
        String token = client.login(user(), "pro");
        awaitEnd((String) client.ask(token, "{\"message\":\"metrics\"}").get("streamId"));
        String metrics = org.springframework.test.web.reactive.server.WebTestClient.bindToServer()
                .baseUrl("http://127.0.0.1:" + managementPort).build()
                .get().uri("/actuator/prometheus").exchange().expectStatus().isOk()
                .expectBody(String.class).returnResult().getResponseBody();
        assertThat(metrics).contains("chat_stream_duration_seconds_count{", "outcome=\"complete\"",
                "chat_stream_first_token_seconds", "chat_stream_active", "chat_stream_tokens_relayed_total",
                "gateway_persistence_save_seconds", "gateway_ratelimit_rejected_total", "gateway_quota_rejected_total",
                "reactor_netty_connection_provider_active_connections{");
    }

    @Test
    void sendsHistoryOfTheSessionToTheAiService() {
        String token = client.login(user(), "pro");
        Map<String, Object> first = client.ask(token, "{\"message\":\"first question\"}");
        awaitEnd((String) first.get("streamId"));
        String sessionId = (String) first.get("sessionId");
        Map<String, Object> second = client.ask(token, "{\"message\":\"second question\",\"sessionId\":\"" + sessionId + "\"}");
        awaitEnd((String) second.get("streamId"));
        FakeAiService.Call call = AI.lastCallFor("second question");
        assertThat(call.body.get("chat_history").size()).isEqualTo(2);
        assertThat(call.body.get("chat_history").get(0).get("content").asString()).isEqualTo("first question");
        assertThat(call.body.has("class_name")).isTrue();
        assertThat(call.body.get("route").isNull()).isTrue();
        assertThat(ChatService.messages(session(sessionId))).hasSize(4);
    }

    @Test
    void anErrorEventWritesNothingAndChargesNothing() {
        String token = client.login(user(), "free");
        AI.planner = q -> AiReply.fault(Fault.ERROR_EVENT, List.of("Partial", " text"));
        Map<String, Object> accepted = client.ask(token, "{\"message\":\"fail please\"}");
        List<Emitted> events = awaitEnd((String) accepted.get("streamId"));
        Emitted last = events.get(events.size() - 1);
        assertThat(last.event()).isEqualTo("chat-stream-error");
        assertThat(last.payload()).containsEntry("retryable", true);
        assertThat(last.get("error")).isEqualTo(Map.of("code", "upstream_error", "message", "The answer service failed."));
        assertThat(session((String) accepted.get("sessionId"))).isNull();
        Map<String, Object> quota = client.json(client.get(token, "/api/v1/quota"), 200);
        assertThat(quota).containsEntry("used", 0).containsEntry("reserved", 0);
    }

    @Test
    void aDroppedConnectionFailsTheStreamAndLeavesTheSessionAsItWas() {
        String token = client.login(user(), "free");
        Map<String, Object> first = client.ask(token, "{\"message\":\"keep me\"}");
        awaitEnd((String) first.get("streamId"));
        String sessionId = (String) first.get("sessionId");
        AI.planner = q -> AiReply.fault(Fault.DROP, List.of("half"));
        Map<String, Object> second = client.ask(token, "{\"message\":\"drop me\",\"sessionId\":\"" + sessionId + "\"}");
        List<Emitted> events = awaitEnd((String) second.get("streamId"));
        assertThat(events.get(events.size() - 1).event()).isEqualTo("chat-stream-error");
        assertThat(((Map<?, ?>) events.get(events.size() - 1).get("error")).get("code")).isEqualTo("upstream_error");
        assertThat(ChatService.messages(session(sessionId))).extracting(m -> m.getString("content"))
                .doesNotContain("drop me", "half").hasSize(2);
        assertThat(used(token)).isEqualTo(1);
    }

    @Test
    void aStalledStreamTimesOutAfterTheIdleLimit() {
        String token = client.login(user(), "free");
        AI.planner = q -> AiReply.fault(Fault.STALL, List.of("then silence"));
        long begin = System.nanoTime();
        Map<String, Object> accepted = client.ask(token, "{\"message\":\"stall\"}");
        List<Emitted> events = awaitEnd((String) accepted.get("streamId"));
        long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - begin);
        Emitted last = events.get(events.size() - 1);
        assertThat(((Map<?, ?>) last.get("error")).get("code")).isEqualTo("timeout");
        assertThat(last.payload()).containsEntry("retryable", true);
        assertThat(tookMs).isBetween(1400L, 8000L);
        assertThat(session((String) accepted.get("sessionId"))).isNull();
        assertThat(used(token)).isZero();
    }

    @Test
    void aNon2xxStatusIs503WithRetryAfterAndNoEvents() {
        String token = client.login(user(), "free");
        AI.planner = q -> AiReply.status(500);
        int before = AI.streamRequests.get();
        Map<String, Object> problem = client.json(client.post(token, "/api/v1/chat/new", "{\"message\":\"500 please\"}")
                .expectHeader().exists("Retry-After"), 503);
        assertThat(problem).containsEntry("code", "unavailable");
        assertThat(AI.streamRequests.get() - before).as("no retry after a 500").isEqualTo(1);
        assertThat(RecordedEvents.ALL.stream().filter(e -> "500 please".equals(e.payload().get("question")))).isEmpty();
        Map<String, Object> quota = client.json(client.get(token, "/api/v1/quota"), 200);
        assertThat(quota).containsEntry("reserved", 0);
    }

    @Test
    void retriesA503TwiceOneSecondApartThenAccepts() {
        String token = client.login(user(), "pro");
        int[] calls = {0};
        AI.planner = q -> ++calls[0] <= 2 ? AiReply.status(503) : AiReply.answer(List.of("ok"));
        long begin = System.nanoTime();
        Map<String, Object> accepted = client.ask(token, "{\"message\":\"flaky\"}");
        long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - begin);
        assertThat(calls[0]).isEqualTo(3);
        assertThat(tookMs).isBetween(1800L, 5000L);
        assertThat(tokensOf(awaitEnd((String) accepted.get("streamId")))).isEqualTo("ok");
    }

    @Test
    void stopCancelsTheAiServiceCallSavesThePartialReplyFlaggedAndDoesNotCharge() {
        String user = user();
        String token = client.login(user, "free");
        AI.planner = q -> AiReply.slow(IntStream.range(0, 200).mapToObj(i -> "t" + i + " ").toList(), Duration.ofMillis(40));
        Map<String, Object> accepted = client.ask(token, "{\"message\":\"long answer\"}");
        String streamId = (String) accepted.get("streamId");
        await().atMost(Duration.ofSeconds(10)).until(() -> seqsOf(RecordedEvents.ofStream(streamId)).size() >= 3);
        FakeAiService.Call call = AI.lastCallFor("long answer");

        long stopAt = System.nanoTime();
        client.post(token, "/api/v1/chat/streams/" + streamId + "/stop", null).expectStatus().isAccepted();
        await().atMost(Duration.ofSeconds(5)).until(() -> call.disconnected);
        assertThat(TimeUnit.NANOSECONDS.toMillis(call.disconnectedAtNanos - stopAt)).isLessThan(1000);

        List<Emitted> events = awaitEnd(streamId);
        Emitted last = events.get(events.size() - 1);
        assertThat(last.event()).isEqualTo("chat-stream-complete");
        assertThat(last.payload()).containsEntry("stopped", true);
        String relayed = tokensOf(events);
        assertThat(last.get("content")).isEqualTo(relayed);
        List<Document> messages = ChatService.messages(session((String) accepted.get("sessionId")));
        assertThat(messages).hasSize(2);
        assertThat(messages.get(1).getString("content")).isEqualTo(relayed);
        assertThat(messages.get(1).getBoolean("stopped")).isTrue();
        assertThat(used(token)).isZero();
        // Stopping a finished stream of one's own: no effect; another user's: 404.
        client.post(token, "/api/v1/chat/streams/" + streamId + "/stop", null).expectStatus().isAccepted();
        String other = client.login(user(), "free");
        client.post(other, "/api/v1/chat/streams/" + streamId + "/stop", null).expectStatus().isNotFound();
    }

    @Test
    void aSecondQuestionWhileTheSessionStreamsIs409AndStreamsActiveListsIt() {
        String token = client.login(user(), "pro");
        AI.planner = q -> AiReply.slow(IntStream.range(0, 60).mapToObj(i -> "w" + i + " ").toList(), Duration.ofMillis(25));
        Map<String, Object> accepted = client.ask(token, "{\"message\":\"busy\"}");
        String sessionId = (String) accepted.get("sessionId");
        assertAskingAgainIsStreamActive(token, sessionId);
        List<?> active = client.get(token, "/api/v1/chat/streams/active").expectStatus().isOk()
                .expectBody(List.class).returnResult().getResponseBody();
        assertThat(active).hasSize(1);
        assertThat((Map<Object, Object>) active.get(0)).containsEntry("streamId", accepted.get("streamId"))
                .containsEntry("question", "busy").containsKeys("lastSeq", "startedAt", "messageId");
        awaitEnd((String) accepted.get("streamId"));
        client.ask(token, "{\"message\":\"now free\",\"sessionId\":\"" + sessionId + "\"}");
    }

    @Test
    void aBusySessionIs409BeforeTheQuotaAndTheRefusedRequestKeepsNoReservation() {
        String user = user();
        String token = client.login(user, "free");
        storeChatsThisMonth(user, 24);
        AI.planner = q -> AiReply.slow(IntStream.range(0, 40).mapToObj(i -> "w" + i + " ").toList(), Duration.ofMillis(25));
        Map<String, Object> accepted = client.ask(token, "{\"message\":\"the last one this month\"}");
        String sessionId = (String) accepted.get("sessionId");
        // The session is busy and the quota is taken (24 used + 1 reserved of 25): the claim's refusal comes first,
        // and the reservation that went to Redis with it is given back.
        assertAskingAgainIsStreamActive(token, sessionId);
        assertThat(client.json(client.get(token, "/api/v1/quota"), 200)).containsEntry("used", 24).containsEntry("reserved", 1);
        // A new session is not busy: now the quota refuses.
        assertThat(client.json(client.post(token, "/api/v1/chat/new", "{\"message\":\"elsewhere\"}"), 429))
                .containsEntry("code", "quota_exceeded");
        awaitEnd((String) accepted.get("streamId"));
        await().atMost(Duration.ofSeconds(10)).until(() -> used(token) == 25);
        assertThat(client.json(client.get(token, "/api/v1/quota"), 200)).containsEntry("reserved", 0);
        assertThat(client.get(token, "/api/v1/chat/streams/active").expectStatus().isOk().expectBody(List.class)
                .returnResult().getResponseBody()).isEmpty();
    }

    /**
     * The rate limit's refusal comes before the quota's (contract order), and a refused question keeps nothing: no
     * reservation, no running stream, no call to the ai-service.
     */
    @Test
    void aRateLimitedQuestionIs429RateLimitedBeforeTheQuotaAndKeepsNothing() {
        String user = user();
        String token = client.login(user, "free");
        storeChatsThisMonth(user, 25);
        for (int i = 0; i < 8; i++) {
            assertThat(client.json(client.post(token, "/api/v1/chat/new", "{\"message\":\"q" + i + "\"}"), 429))
                    .containsEntry("code", "quota_exceeded");
        }
        assertThat(client.json(client.post(token, "/api/v1/chat/new", "{\"message\":\"one too many\"}"), 429))
                .containsEntry("code", "rate_limited");
        assertThat(client.json(client.get(token, "/api/v1/quota"), 200)).containsEntry("used", 25).containsEntry("reserved", 0);
        assertThat(client.get(token, "/api/v1/chat/streams/active").expectStatus().isOk().expectBody(List.class)
                .returnResult().getResponseBody()).isEmpty();
        assertThat(AI.calls).noneMatch(call -> call.body.has("user_id") && user.equals(call.body.get("user_id").asString()));
    }

    @Test
    void rejectsBadRequestsWith400BeforeTheRateLimitAndConsumesNoToken() {
        String token = client.login(user(), "pro");
        for (String bad : List.of("{not json", "[]", "{\"message\":5}", "{\"message\":\"\"}", "{}",
                "{\"message\":\"" + "x".repeat(8001) + "\"}", "{\"message\":\"hi\",\"sessionId\":\"../etc\"}",
                "{\"message\":\"hi\",\"docId\":42}")) {
            Map<String, Object> problem = client.json(client.post(token, "/api/v1/chat/new", bad), 400);
            assertThat(problem).containsEntry("code", "bad_request");
        }
        client.post(token, "/api/v1/chat/sessions/bad$id/retry", "{}").expectStatus().isBadRequest();
        // None of those consumed a token: 8 good requests pass, the 9th is 429 with Retry-After.
        for (int i = 0; i < 8; i++) {
            client.ask(token, "{\"message\":\"q" + i + "\"}");
        }
        var response = client.post(token, "/api/v1/chat/new", "{\"message\":\"one too many\"}")
                .expectStatus().isEqualTo(429);
        response.expectHeader().value("Retry-After", value -> assertThat(Long.parseLong(value)).isBetween(1L, 60L));
        response.expectBody(Map.class).value(body -> assertThat(body).containsEntry("code", "rate_limited"));
    }

    @Test
    void unknownSessionsAndOtherUsersSessionsAre404() {
        String alice = client.login(user(), "pro");
        String bob = client.login(user(), "pro");
        Map<String, Object> accepted = client.ask(alice, "{\"message\":\"mine\"}");
        awaitEnd((String) accepted.get("streamId"));
        String sessionId = (String) accepted.get("sessionId");
        client.json(client.post(bob, "/api/v1/chat/new", "{\"message\":\"yours?\",\"sessionId\":\"" + sessionId + "\"}"), 404);
        client.json(client.get(bob, "/api/v1/chat/sessions/" + sessionId), 404);
        client.json(client.post(alice, "/api/v1/chat/new", "{\"message\":\"x\",\"sessionId\":\"nosuchsession\"}"), 404);
        client.json(client.post(alice, "/api/v1/chat/new", "{\"message\":\"x\",\"docId\":\"nosuchdoc\"}"), 404);
        client.delete(bob, "/api/v1/chat/sessions/" + sessionId).expectStatus().isNotFound();
        client.patch(bob, "/api/v1/chat/sessions/" + sessionId, "{\"title\":\"x\"}").expectStatus().isNotFound();
    }

    @Test
    void freePlanReservationsNeverPassTheLimitUnderConcurrency() {
        String user = user();
        String token = client.login(user, "free");
        storeChatsThisMonth(user, 24);
        AI.planner = q -> AiReply.slow(List.of("a", "b", "c"), Duration.ofMillis(200));
        List<CompletableFuture<Integer>> requests = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            String body = "{\"message\":\"parallel " + i + "\"}";
            requests.add(CompletableFuture.supplyAsync(() -> client.post(token, "/api/v1/chat/new", body)
                    .returnResult(Map.class).getStatus().value()));
        }
        List<Integer> statuses = requests.stream().map(CompletableFuture::join).toList();
        assertThat(statuses).containsExactlyInAnyOrder(202, 429, 429, 429, 429);
        Map<String, Object> problem = client.json(client.post(token, "/api/v1/chat/new", "{\"message\":\"more\"}"), 429);
        assertThat(problem).as(String.valueOf(problem)).containsEntry("code", "quota_exceeded").containsKey("quota");
        assertThat((Map<Object, Object>) problem.get("quota")).containsEntry("limit", 25).containsKeys("used", "reserved", "resetsAt");
        await().atMost(Duration.ofSeconds(10)).until(() -> used(token) == 25);
        Map<String, Object> quota = client.json(client.get(token, "/api/v1/quota"), 200);
        assertThat(quota).containsEntry("used", 25).containsEntry("reserved", 0).containsEntry("limit", 25)
                .containsEntry("plan", "free");
        client.json(client.post(token, "/api/v1/chat/new", "{\"message\":\"over\"}"), 429);
    }

    /** Contract section 4: {@code chatRequestCount} grows for completed free-plan replies only. */
    @Test
    void proPlanIsNeitherLimitedNorCounted() {
        String user = user();
        String token = client.login(user, "pro");
        storeChatsThisMonth(user, 500);
        List<Emitted> events = awaitEnd((String) client.ask(token, "{\"message\":\"pro\"}").get("streamId"));
        Emitted last = events.get(events.size() - 1);
        assertThat(last.event()).isEqualTo("chat-stream-complete");
        @SuppressWarnings("unchecked")
        Map<String, Object> completeQuota = (Map<String, Object>) last.get("quota");
        assertThat(completeQuota).containsEntry("plan", "pro").containsEntry("used", 500L).containsEntry("limit", null);
        Map<String, Object> quota = client.json(client.get(token, "/api/v1/quota"), 200);
        assertThat(quota).containsEntry("plan", "pro").containsEntry("used", 500).containsEntry("limit", null)
                .containsEntry("resetsAt", null);
        Document stored = mongo.getCollection("users").flatMap(c -> Mono.from(c.find(new Document("_id", user)).first()))
                .block(Duration.ofSeconds(5));
        assertThat(stored.get("chatRequestCount")).isEqualTo(500);
        assertThat(stored.get("charged")).isNull();
    }

    @Test
    void retryWithoutStreamIdAddsAVersionOfTheLastAnswer() {
        String token = client.login(user(), "free");
        AI.planner = q -> AiReply.answer(List.of("first"));
        Map<String, Object> accepted = client.ask(token, "{\"message\":\"question\"}");
        awaitEnd((String) accepted.get("streamId"));
        String sessionId = (String) accepted.get("sessionId");
        AI.planner = q -> AiReply.answer(List.of("second"));
        Map<String, Object> retry = client.json(client.post(token, "/api/v1/chat/sessions/" + sessionId + "/retry",
                "{\"clientRequestId\":\"r1\"}"), 202);
        assertThat(retry).containsEntry("sessionId", sessionId).containsEntry("clientRequestId", "r1");
        List<Emitted> events = awaitEnd((String) retry.get("streamId"));
        assertThat(events.get(events.size() - 1).event()).isEqualTo("chat-stream-complete");
        assertThat(AI.lastCallFor("question").body.get("chat_history").size()).isZero();
        List<Document> messages = ChatService.messages(session(sessionId));
        assertThat(messages).hasSize(2);
        assertThat(messages.get(1).getString("content")).isEqualTo("second");
        assertThat(messages.get(1).getList("versions", Document.class)).extracting(v -> v.getString("content"))
                .containsExactly("first", "second");
        assertThat(used(token)).isEqualTo(2);
    }

    @Test
    void retryOfAFailedStreamStoresANewExchangeAndOfAStoppedOneANewVersion() {
        String token = client.login(user(), "pro");
        AI.planner = q -> AiReply.fault(Fault.ERROR_EVENT, List.of("x"));
        Map<String, Object> failed = client.ask(token, "{\"message\":\"will fail\"}");
        awaitEnd((String) failed.get("streamId"));
        String sessionId = (String) failed.get("sessionId");
        AI.planner = q -> AiReply.answer(List.of("fixed"));
        Map<String, Object> retry = client.json(client.post(token, "/api/v1/chat/sessions/" + sessionId + "/retry",
                "{\"streamId\":\"" + failed.get("streamId") + "\"}"), 202);
        awaitEnd((String) retry.get("streamId"));
        List<Document> messages = ChatService.messages(session(sessionId));
        assertThat(messages).extracting(m -> m.getString("content")).containsExactly("will fail", "fixed");
        // A completed stream cannot be retried by id.
        client.json(client.post(token, "/api/v1/chat/sessions/" + sessionId + "/retry",
                "{\"streamId\":\"" + retry.get("streamId") + "\"}"), 404);

        AI.planner = q -> AiReply.slow(IntStream.range(0, 100).mapToObj(i -> "s" + i).toList(), Duration.ofMillis(30));
        Map<String, Object> stopped = client.ask(token, "{\"message\":\"stop me\",\"sessionId\":\"" + sessionId + "\"}");
        String stoppedId = (String) stopped.get("streamId");
        await().atMost(Duration.ofSeconds(5)).until(() -> seqsOf(RecordedEvents.ofStream(stoppedId)).size() >= 2);
        client.post(token, "/api/v1/chat/streams/" + stoppedId + "/stop", null).expectStatus().isAccepted();
        awaitEnd(stoppedId);
        AI.planner = q -> AiReply.answer(List.of("complete now"));
        Map<String, Object> again = client.json(client.post(token, "/api/v1/chat/sessions/" + sessionId + "/retry",
                "{\"streamId\":\"" + stoppedId + "\"}"), 202);
        awaitEnd((String) again.get("streamId"));
        messages = ChatService.messages(session(sessionId));
        assertThat(messages).hasSize(4);
        Document answer = messages.get(3);
        assertThat(answer.getString("content")).isEqualTo("complete now");
        assertThat(answer.getBoolean("stopped")).isFalse();
        List<Document> versions = answer.getList("versions", Document.class);
        assertThat(versions).hasSize(2);
        assertThat(versions.get(0).getBoolean("stopped")).isTrue();
    }

    @Test
    void deletingASessionStopsItsStreamAndNothingIsWrittenAfter() {
        String token = client.login(user(), "free");
        AI.planner = q -> AiReply.answer(List.of("saved"));
        Map<String, Object> first = client.ask(token, "{\"message\":\"one\"}");
        awaitEnd((String) first.get("streamId"));
        String sessionId = (String) first.get("sessionId");
        AI.planner = q -> AiReply.slow(IntStream.range(0, 100).mapToObj(i -> "d" + i).toList(), Duration.ofMillis(30));
        Map<String, Object> running = client.ask(token, "{\"message\":\"two\",\"sessionId\":\"" + sessionId + "\"}");
        String streamId = (String) running.get("streamId");
        await().atMost(Duration.ofSeconds(5)).until(() -> seqsOf(RecordedEvents.ofStream(streamId)).size() >= 2);
        client.delete(token, "/api/v1/chat/sessions/" + sessionId).expectStatus().isNoContent();
        List<Emitted> events = awaitEnd(streamId);
        assertThat(events.get(events.size() - 1).event()).isEqualTo("chat-stream-error");
        await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2)).until(() -> session(sessionId) == null);
        client.get(token, "/api/v1/chat/sessions/" + sessionId).expectStatus().isNotFound();
        assertThat(used(token)).isEqualTo(1);
    }

    @Test
    void sessionsListPagesRenameAndFeedback() {
        String token = client.login(user(), "pro");
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Map<String, Object> accepted = client.ask(token, "{\"message\":\"topic " + i + "\"}");
            awaitEnd((String) accepted.get("streamId"));
            ids.add((String) accepted.get("sessionId"));
        }
        List<Map<String, Object>> page = listSessions(token, "/api/v1/chat/sessions?limit=2");
        assertThat(page).extracting(m -> m.get("sessionId")).containsExactly(ids.get(2), ids.get(1));
        List<Map<String, Object>> next = listSessions(token, "/api/v1/chat/sessions?limit=2&before=" + page.get(1).get("updatedAt"));
        assertThat(next).extracting(m -> m.get("sessionId")).containsExactly(ids.get(0));
        client.get(token, "/api/v1/chat/sessions?limit=0").expectStatus().isBadRequest();
        client.get(token, "/api/v1/chat/sessions?limit=abc").expectStatus().isBadRequest();
        client.get(token, "/api/v1/chat/sessions?before=yesterday").expectStatus().isBadRequest();

        Map<String, Object> renamed = client.json(client.patch(token, "/api/v1/chat/sessions/" + ids.get(0), "{\"title\":\"Renamed\"}"), 200);
        assertThat(renamed).containsEntry("title", "Renamed");
        client.patch(token, "/api/v1/chat/sessions/" + ids.get(0), "{\"title\":7}").expectStatus().isBadRequest();

        Document saved = session(ids.get(0));
        String messageId = ChatService.messages(saved).get(1).getString("id");
        client.post(token, "/api/v1/chat/sessions/" + ids.get(0) + "/messages/" + messageId + "/feedback", "{\"rating\":\"up\"}")
                .expectStatus().isNoContent();
        assertThat(ChatService.messages(session(ids.get(0))).get(1).getString("feedback")).isEqualTo("up");
        client.post(token, "/api/v1/chat/sessions/" + ids.get(0) + "/messages/" + messageId + "/feedback", "{\"rating\":null}")
                .expectStatus().isNoContent();
        assertThat(ChatService.messages(session(ids.get(0))).get(1).get("feedback")).isNull();
        client.post(token, "/api/v1/chat/sessions/" + ids.get(0) + "/messages/" + messageId + "/feedback", "{\"rating\":\"meh\"}")
                .expectStatus().isBadRequest();
        client.post(token, "/api/v1/chat/sessions/" + ids.get(0) + "/messages/nosuch/feedback", "{\"rating\":\"down\"}")
                .expectStatus().isNotFound();
    }

    @SuppressWarnings("unchecked")
    private List<Map<String, Object>> listSessions(String token, String uri) {
        return client.get(token, uri).expectStatus().isOk().expectBody(List.class).returnResult().getResponseBody();
    }

    @Test
    void resumeFromRedisReplaysEverySeqOnceInOrderThenTheFinalEvent() {
        String user = user();
        String token = client.login(user, "pro");
        AI.planner = q -> AiReply.slow(IntStream.range(0, 30).mapToObj(i -> "r" + i + " ").toList(), Duration.ofMillis(20));
        Map<String, Object> accepted = client.ask(token, "{\"message\":\"resume me\"}");
        String streamId = (String) accepted.get("streamId");
        await().atMost(Duration.ofSeconds(5)).until(() -> seqsOf(RecordedEvents.ofStream(streamId)).size() >= 5);

        List<Object[]> midway = new ArrayList<>();
        StreamCommands.ResumeStatus[] ack = new StreamCommands.ResumeStatus[1];
        StreamCommands.ResumeStatus status = commands.resume(user, streamId, 2, s -> ack[0] = s,
                (event, payload) -> midway.add(new Object[] {event, payload})).block(Duration.ofSeconds(5));
        assertThat(status).isEqualTo(StreamCommands.ResumeStatus.RUNNING);
        assertThat(ack[0]).isEqualTo(StreamCommands.ResumeStatus.RUNNING);
        List<Long> midwaySeqs = midway.stream().map(e -> ((Number) RecordedEvents.asMap(e[1]).get("seq")).longValue()).toList();
        assertThat(midwaySeqs).isNotEmpty().startsWith(3L);
        assertThat(midwaySeqs).containsExactlyElementsOf(LongStreamRange(3, 2 + midwaySeqs.size()));

        List<Emitted> live = awaitEnd(streamId);
        List<Object[]> replay = new ArrayList<>();
        BiConsumer<String, Object> collect = (event, payload) -> replay.add(new Object[] {event, payload});
        assertThat(commands.resume(user, streamId, 4, s -> { }, collect).block(Duration.ofSeconds(5)))
                .isEqualTo(StreamCommands.ResumeStatus.COMPLETE);
        List<Object[]> tokenEvents = replay.subList(0, replay.size() - 1);
        assertThat(tokenEvents).allMatch(e -> e[0].equals("chat-stream-token"));
        assertThat(tokenEvents.stream().map(e -> ((Number) RecordedEvents.asMap(e[1]).get("seq")).longValue()).toList())
                .containsExactlyElementsOf(LongStreamRange(5, 30));
        // Identical payloads to the live ones.
        Map<?, ?> liveSeven = live.stream().filter(e -> Long.valueOf(7).equals(toLong(e.get("seq")))).findFirst().orElseThrow().payload();
        Map<?, ?> replayedSeven = RecordedEvents.asMap(tokenEvents.get(2)[1]);
        assertThat(replayedSeven.get("token")).isEqualTo(liveSeven.get("token"));
        assertThat(replayedSeven.get("sessionId")).isEqualTo(liveSeven.get("sessionId"));
        Object[] fin = replay.get(replay.size() - 1);
        assertThat(fin[0]).isEqualTo("chat-stream-complete");
        assertThat(RecordedEvents.asMap(fin[1]).get("content")).isEqualTo(tokensOf(live));

        // Nobody else can resume it.
        assertThat(commands.resume(user(), streamId, 0, s -> { }, (e, p) -> { }).block(Duration.ofSeconds(5)))
                .isEqualTo(StreamCommands.ResumeStatus.UNKNOWN);
        assertThat(commands.stop(user(), streamId).block(Duration.ofSeconds(5))).isEqualTo(StreamCommands.StopResult.NOT_FOUND);
    }

    private static Long toLong(Object value) {
        return value == null ? null : ((Number) value).longValue();
    }

    private static List<Long> LongStreamRange(long from, long to) {
        List<Long> out = new ArrayList<>();
        for (long i = from; i <= to; i++) {
            out.add(i);
        }
        return out;
    }

    @Test
    void documentsAreForwardedAndDocumentReadyFollows() {
        String user = user();
        String token = client.login(user, "pro");
        var upload = new org.springframework.http.client.MultipartBodyBuilder();
        upload.part("file", new org.springframework.core.io.ByteArrayResource("hello".getBytes()) {
            @Override
            public String getFilename() {
                return "notes.md";
            }
        });
        @SuppressWarnings("unchecked")
        Map<String, Object> accepted = client.http.post().uri("/api/v1/documents")
                .header("Authorization", "Bearer " + token)
                .body(org.springframework.web.reactive.function.BodyInserters.fromMultipartData(upload.build()))
                .exchange().expectStatus().isAccepted().expectBody(Map.class).returnResult().getResponseBody();
        String docId = (String) accepted.get("docId");
        await().atMost(Duration.ofSeconds(10)).until(() -> RecordedEvents.ofUser(user).stream()
                .anyMatch(e -> e.event().equals("document-ready") && docId.equals(e.get("docId"))
                        && "ready".equals(e.get("status"))));

        var wrongType = new org.springframework.http.client.MultipartBodyBuilder();
        wrongType.part("file", new org.springframework.core.io.ByteArrayResource("MZ".getBytes()) {
            @Override
            public String getFilename() {
                return "virus.exe";
            }
        });
        client.http.post().uri("/api/v1/documents").header("Authorization", "Bearer " + token)
                .body(org.springframework.web.reactive.function.BodyInserters.fromMultipartData(wrongType.build()))
                .exchange().expectStatus().isEqualTo(415)
                .expectBody(Map.class).value(body -> assertThat(body).containsEntry("code", "unsupported_media_type"));

        var tooBig = new org.springframework.http.client.MultipartBodyBuilder();
        tooBig.part("file", new org.springframework.core.io.ByteArrayResource(new byte[11 * 1024 * 1024]) {
            @Override
            public String getFilename() {
                return "big.txt";
            }
        });
        client.http.post().uri("/api/v1/documents").header("Authorization", "Bearer " + token)
                .body(org.springframework.web.reactive.function.BodyInserters.fromMultipartData(tooBig.build()))
                .exchange().expectStatus().isEqualTo(413)
                .expectBody(Map.class).value(body -> assertThat(body).containsEntry("code", "payload_too_large"));

        client.get(token, "/api/v1/documents/" + docId).expectStatus().isOk();
        client.delete(token, "/api/v1/documents/" + docId).expectStatus().isNoContent();
        client.get(token, "/api/v1/documents/" + docId).expectStatus().isNotFound();
    }

    @Test
    void anUploadPastTheDocumentLimitIsAConflictWithItsCode() {
        String user = user();
        String token = client.login(user, "pro");
        AI.documentsPerUser = 1;
        var upload = new org.springframework.http.client.MultipartBodyBuilder();
        upload.part("file", new org.springframework.core.io.ByteArrayResource("hello".getBytes()) {
            @Override
            public String getFilename() {
                return "notes.md";
            }
        });
        client.http.post().uri("/api/v1/documents").header("Authorization", "Bearer " + token)
                .body(org.springframework.web.reactive.function.BodyInserters.fromMultipartData(upload.build()))
                .exchange().expectStatus().isAccepted();

        client.http.post().uri("/api/v1/documents").header("Authorization", "Bearer " + token)
                .body(org.springframework.web.reactive.function.BodyInserters.fromMultipartData(upload.build()))
                .exchange().expectStatus().isEqualTo(409)
                .expectHeader().contentTypeCompatibleWith("application/problem+json")
                .expectBody(Map.class).value(body -> assertThat(body).containsEntry("code", "document_limit"));
        // Another user is not affected by this user's library.
        client.http.post().uri("/api/v1/documents").header("Authorization", "Bearer " + client.login(user(), "pro"))
                .body(org.springframework.web.reactive.function.BodyInserters.fromMultipartData(upload.build()))
                .exchange().expectStatus().isAccepted();
    }
}
