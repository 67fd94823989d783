package dev.streamchat.gateway.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.stream.IntStream;

import org.bson.Document;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.annotation.Import;
import org.springframework.data.mongodb.core.ReactiveMongoTemplate;
import org.springframework.test.context.TestPropertySource;

import dev.streamchat.gateway.chat.RecordedEvents.Emitted;
import dev.streamchat.gateway.testing.AiReply;
import dev.streamchat.gateway.testing.GatewayClient;
import dev.streamchat.gateway.testing.GatewayStackTest;
import reactor.core.publisher.Mono;

/**
 * Ways a client could get answers it is not charged for, hold more than its share of streams, or grow a session
 * without bound, against the whole gateway (embedded Redis and MongoDB, the fake ai-service at the HTTP level).
 */
@TestPropertySource(properties = {
        "gateway.stream.idle-timeout=3s",
        "gateway.ratelimit.chat-per-minute=200",
        "gateway.quota.free-chats-per-month=5",
        "gateway.chat.max-concurrent-streams-per-user=2",
        "gateway.chat.max-session-messages=6",
        "gateway.chat.max-session-bytes=64KB",
})
@Import(RecordedEvents.Wiring.class)
@SuppressWarnings("unchecked")
class ChatAbuseIT extends GatewayStackTest {

    @Autowired
    ReactiveMongoTemplate mongo;

    GatewayClient client;

    @BeforeAll
    static void warmUp(@Autowired ReactiveMongoTemplate mongo) {
        // The first MongoDB call of a cold JVM can take longer than the gateway's 2 s store timeout on a busy machine.
        mongo.findById("warm-up", Document.class, "users").block(Duration.ofSeconds(30));
    }

    @BeforeEach
    void setUp() {
        client = new GatewayClient(port);
    }

    static String user() {
        return "a" + UUID.randomUUID().toString().substring(0, 8);
    }

    static List<Emitted> awaitEnd(String streamId) {
        await().atMost(Duration.ofSeconds(20)).until(() -> RecordedEvents.ended(streamId));
        return RecordedEvents.ofStream(streamId);
    }

    static String last(List<Emitted> events) {
        return events.get(events.size() - 1).event();
    }

    static String tokensOf(List<Emitted> events) {
        StringBuilder out = new StringBuilder();
        events.stream().filter(e -> e.event().equals("chat-stream-token")).forEach(e -> out.append(e.get("token")));
        return out.toString();
    }

    long used(String token) {
        return ((Number) client.json(client.get(token, "/api/v1/quota"), 200).get("used")).longValue();
    }

    void setStored(String userId, Document fields) {
        mongo.getCollection("users").flatMap(c -> Mono.from(c.updateOne(new Document("_id", userId),
                new Document("$set", fields)))).block(Duration.ofSeconds(5));
    }

    // --- 2. unlimited free answers -------------------------------------------------------------------------------

    @Test
    void retryingTheStreamOfADeletedSessionIs404AndRunsNothing() {
        String token = client.login(user(), "free");
        List<String> answer = IntStream.range(0, 60).mapToObj(i -> "w" + i + " ").toList();
        for (int round = 0; round < 2; round++) {
            // The answer waits after its first token until the session is gone, so the delete lands mid-stream.
            CountDownLatch restOfTheAnswer = new CountDownLatch(1);
            AI.planner = q -> AiReply.answer(answer).holdingAfter(1, restOfTheAnswer);
            Map<String, Object> accepted = client.ask(token, "{\"message\":\"free answer " + round + "\"}");
            String streamId = (String) accepted.get("streamId");
            String sessionId = (String) accepted.get("sessionId");
            try {
                await().atMost(Duration.ofSeconds(10))
                        .until(() -> RecordedEvents.ofStream(streamId).stream().anyMatch(e -> e.event().equals("chat-stream-token")));
                client.delete(token, "/api/v1/chat/sessions/" + sessionId).expectStatus().isNoContent();
                assertThat(last(awaitEnd(streamId))).isEqualTo("chat-stream-error");
            } finally {
                restOfTheAnswer.countDown();
            }

            AI.planner = q -> AiReply.answer(answer);
            int callsBefore = AI.streamRequests.get();
            Map<String, Object> refused = client.json(client.post(token, "/api/v1/chat/sessions/" + sessionId + "/retry",
                    "{\"streamId\":\"" + streamId + "\"}"), 404);
            assertThat(refused.get("code")).isEqualTo("not_found");
            assertThat(AI.streamRequests.get()).as("the ai-service was not called").isEqualTo(callsBefore);
            // A new question into the deleted session is refused the same way.
            client.json(client.post(token, "/api/v1/chat/new",
                    "{\"message\":\"again\",\"sessionId\":\"" + sessionId + "\"}"), 404);
            assertThat(AI.streamRequests.get()).isEqualTo(callsBefore);
        }
        assertThat(used(token)).isZero();
    }

    @Test
    void aWholeAnswerIsChargedWhenTheSessionIsDeletedBeforeItStarted() {
        String userId = user();
        String token = client.login(userId, "free");
        AI.planner = q -> AiReply.answer(List.of("first"));
        Map<String, Object> first = client.ask(token, "{\"message\":\"one\"}");
        assertThat(last(awaitEnd((String) first.get("streamId")))).isEqualTo("chat-stream-complete");
        String sessionId = (String) first.get("sessionId");
        assertThat(used(token)).isEqualTo(1);

        // The ai-service answers 503 first: the gateway retries one second later, and the session is deleted in
        // between, after admission and before the stream starts.
        String second = "two of " + userId;
        List<String> answer = IntStream.range(0, 20).mapToObj(i -> "t" + i + " ").toList();
        AI.onQuestion(second, AiReply.status(503), AiReply.answer(answer));
        CompletableFuture<Integer> ask = CompletableFuture.supplyAsync(() -> client.post(token, "/api/v1/chat/new",
                "{\"message\":\"" + second + "\",\"sessionId\":\"" + sessionId + "\"}").returnResult(String.class).getStatus().value());
        await().atMost(Duration.ofSeconds(5)).until(() -> AI.lastCallFor(second) != null);
        client.delete(token, "/api/v1/chat/sessions/" + sessionId).expectStatus().isNoContent();
        int status = ask.join();
        assertThat(status).isIn(202, 404);
        if (status == 202) {
            await().atMost(Duration.ofSeconds(10)).until(() -> RecordedEvents.ofUser(userId).stream()
                    .filter(e -> sessionId.equals(e.get("sessionId")) && !first.get("streamId").equals(e.get("streamId")))
                    .anyMatch(e -> e.event().equals("chat-stream-complete") || e.event().equals("chat-stream-error")));
        }
        String full = String.join("", answer);
        String delivered = RecordedEvents.ofUser(userId).stream()
                .filter(e -> e.event().equals("chat-stream-token") && sessionId.equals(e.get("sessionId"))
                        && !first.get("streamId").equals(e.get("streamId")))
                .map(e -> (String) e.get("token")).reduce("", String::concat);
        if (delivered.equals(full)) {
            assertThat(used(token)).as("a whole answer was delivered, so it is charged").isEqualTo(2);
        } else {
            assertThat(delivered.length()).as("a partial answer ended like a stop").isLessThan(full.length());
            assertThat(used(token)).isEqualTo(1);
        }
        assertThat(mongo.findById(sessionId, Document.class, "chat_sessions").block(Duration.ofSeconds(5))).isNull();
    }

    // --- 4. the stored plan is in force --------------------------------------------------------------------------

    @Test
    void aDowngradeToFreeTakesEffectOnTheNextRequestDespiteAProToken() {
        String userId = user();
        String proToken = client.login(userId, "pro");
        setStored(userId, new Document("plan", "free").append("chatRequestCount", 5));
        Map<String, Object> refused = client.json(client.post(proToken, "/api/v1/chat/new", "{\"message\":\"hi\"}"), 429);
        assertThat(refused.get("code")).isEqualTo("quota_exceeded");
        Map<String, Object> quota = client.json(client.get(proToken, "/api/v1/quota"), 200);
        assertThat(quota.get("plan")).isEqualTo("free");
        assertThat(quota.get("limit")).isEqualTo(5);

        // And an upgrade lifts the limit for a token that still says free.
        String freeUser = user();
        String freeToken = client.login(freeUser, "free");
        setStored(freeUser, new Document("plan", "pro").append("chatRequestCount", 5));
        Map<String, Object> accepted = client.ask(freeToken, "{\"message\":\"upgraded\"}");
        assertThat(last(awaitEnd((String) accepted.get("streamId")))).isEqualTo("chat-stream-complete");
        assertThat(client.json(client.get(freeToken, "/api/v1/quota"), 200).get("limit")).isNull();
    }

    // --- 5. concurrent streams per user --------------------------------------------------------------------------

    @Test
    void aUserMayRunOnlyTheConfiguredNumberOfStreamsAtOnce() {
        String token = client.login(user(), "pro");
        // A "slow" stream runs until it is stopped: it waits before its first token (keepalives keep it alive).
        CountDownLatch heldOpen = new CountDownLatch(1);
        AI.planner = q -> q.startsWith("slow") ? AiReply.tokens("s").holdingAfter(0, heldOpen) : AiReply.answer(List.of("quick"));
        try {
            String one = (String) client.ask(token, "{\"message\":\"slow one\"}").get("streamId");
            String two = (String) client.ask(token, "{\"message\":\"slow two\"}").get("streamId");
            int callsBefore = AI.streamRequests.get();
            Map<String, Object> refused = client.json(client.post(token, "/api/v1/chat/new", "{\"message\":\"slow three\"}"), 429);
            assertThat(refused.get("code")).isEqualTo("too_many_streams");
            assertThat(AI.streamRequests.get()).isEqualTo(callsBefore);

            client.post(token, "/api/v1/chat/streams/" + one + "/stop", null).expectStatus().isAccepted();
            awaitEnd(one);
            // The slot comes back when a stream ends.
            String three = (String) client.ask(token, "{\"message\":\"slow three\"}").get("streamId");
            client.json(client.post(token, "/api/v1/chat/new", "{\"message\":\"quick\"}"), 429);
            client.post(token, "/api/v1/chat/streams/" + two + "/stop", null).expectStatus().isAccepted();
            client.post(token, "/api/v1/chat/streams/" + three + "/stop", null).expectStatus().isAccepted();
            awaitEnd(two);
            awaitEnd(three);
        } finally {
            heldOpen.countDown();
        }
        Map<String, Object> quick = client.ask(token, "{\"message\":\"quick\"}");
        assertThat(last(awaitEnd((String) quick.get("streamId")))).isEqualTo("chat-stream-complete");
    }

    // --- 6. a session's size is bounded --------------------------------------------------------------------------

    @Test
    void aFullSessionRefusesNewQuestionsWith409SessionFull() {
        String token = client.login(user(), "pro");
        AI.planner = q -> AiReply.answer(List.of("ok"));
        Map<String, Object> first = client.ask(token, "{\"message\":\"q0\"}");
        awaitEnd((String) first.get("streamId"));
        String sessionId = (String) first.get("sessionId");
        for (int i = 1; i < 3; i++) {
            Map<String, Object> next = client.ask(token, "{\"message\":\"q" + i + "\",\"sessionId\":\"" + sessionId + "\"}");
            assertThat(last(awaitEnd((String) next.get("streamId")))).isEqualTo("chat-stream-complete");
        }
        int callsBefore = AI.streamRequests.get();
        Map<String, Object> full = client.json(client.post(token, "/api/v1/chat/new",
                "{\"message\":\"q3\",\"sessionId\":\"" + sessionId + "\"}"), 409);
        assertThat(full.get("code")).isEqualTo("session_full");
        client.json(client.post(token, "/api/v1/chat/sessions/" + sessionId + "/retry", "{}"), 409);
        assertThat(AI.streamRequests.get()).isEqualTo(callsBefore);
        Document stored = mongo.findById(sessionId, Document.class, "chat_sessions").block(Duration.ofSeconds(5));
        assertThat(stored.getList("messages", Document.class)).hasSize(6);
    }

    @Test
    void aSessionOverTheByteBoundRefusesNewQuestions() {
        String token = client.login(user(), "pro");
        String big = "x".repeat(7000);
        AI.planner = q -> AiReply.answer(IntStream.range(0, 5).mapToObj(i -> "y".repeat(5000)).toList());
        Map<String, Object> first = client.ask(token, "{\"message\":\"" + big + "\"}");
        awaitEnd((String) first.get("streamId"));
        String sessionId = (String) first.get("sessionId");
        Map<String, Object> second = client.ask(token, "{\"message\":\"" + big + "\",\"sessionId\":\"" + sessionId + "\"}");
        awaitEnd((String) second.get("streamId"));
        // About 2 x (7 KB + 2 x 25 KB) stored: over 64 KB.
        Map<String, Object> full = client.json(client.post(token, "/api/v1/chat/new",
                "{\"message\":\"more\",\"sessionId\":\"" + sessionId + "\"}"), 409);
        assertThat(full.get("code")).isEqualTo("session_full");
    }
}
