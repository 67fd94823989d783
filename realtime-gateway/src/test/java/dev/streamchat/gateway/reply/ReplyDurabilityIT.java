package dev.streamchat.gateway.reply;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.springframework.data.mongodb.core.ReactiveMongoTemplate;
import org.springframework.http.HttpHeaders;

import com.mongodb.client.model.Filters;

import dev.streamchat.gateway.testing.FakeAiService;
import dev.streamchat.gateway.testing.MultiNodeTest;
import dev.streamchat.gateway.testing.UserSocket;
import dev.streamchat.gateway.testing.AiReply;
import dev.streamchat.gateway.config.GatewayCluster;
import dev.streamchat.gateway.persistence.StoredReply;
import io.socket.client.IO;
import io.socket.client.Socket;
import reactor.core.publisher.Mono;

/**
 * Nothing lost on save, with a real MongoDB-wire server stopped and restarted: a reply that finishes while MongoDB is
 * down is answered {@code persisted: false}, kept in Redis, written once when MongoDB is back (by either node) with
 * {@code chat-session-saved}, and charged once; repeating the write and the charge changes nothing.
 */
@MultiNodeTest.Nodes(value = 2, properties = {"gateway.reply.save-window=2s", "gateway.reply.replay-interval=500ms"})
class ReplyDurabilityIT extends MultiNodeTest {

    static Document session(String sessionId) {
        return cluster.node(0).bean(ReactiveMongoTemplate.class).getCollection("chat_sessions")
                .flatMap(c -> Mono.from(c.find(Filters.eq("_id", sessionId)).first()))
                .block(Duration.ofSeconds(10));
    }

    static Document user(String userId) {
        return cluster.node(0).bean(ReactiveMongoTemplate.class).getCollection("users")
                .flatMap(c -> Mono.from(c.find(Filters.eq("_id", userId)).first()))
                .block(Duration.ofSeconds(10));
    }

    /** {@code users.chatRequestCount} (0 while there is none). */
    static long chargedCount(String userId) {
        Document user = user(userId);
        return user != null && user.get("chatRequestCount") instanceof Number n ? n.longValue() : 0;
    }

    static long pendingInRedis() {
        return withRedis(redis -> redis.zcard(PendingReplies.INDEX));
    }

    @Test
    void aReplyFinishingWhileMongoIsDownIsSavedOnceWhenItIsBackAndChargedOnce() throws Exception {
        GatewayCluster.Node a = cluster.node(0);
        String userId = "dur-" + Long.toHexString(System.nanoTime());
        String token = login(a, userId, "free");
        List<String> tokens = IntStream.range(0, 40).mapToObj(i -> "t" + i + " ").toList();
        ai.planner = q -> AiReply.slow(tokens, Duration.ofMillis(50));
        List<Object[]> events = new java.util.concurrent.CopyOnWriteArrayList<>();
        // The user's tab is on the other node: the later chat-session-saved must reach it too.
        Socket tab = IO.socket(java.net.URI.create(cluster.node(1).socketUrl()), UserSocket.onSharedHttp(IO.Options.builder()
                .setForceNew(true).setReconnection(false).setTransports(new String[] {"websocket"})
                .setAuth(Map.of("token", token)).build()));
        for (String event : List.of("chat-stream-complete", "chat-session-saved", "chat-stream-error")) {
            tab.on(event, args -> events.add(new Object[] {event, args[0]}));
        }
        tab.connect();
        try {
            await().atMost(Duration.ofSeconds(15)).until(tab::connected);
            Map<?, ?> accepted = ask(a, token, "saved across an outage");
            String sessionId = (String) accepted.get("sessionId");
            String streamId = (String) accepted.get("streamId");
            FakeAiService.Call call = ai.lastCallFor("saved across an outage");
            await().atMost(Duration.ofSeconds(10)).until(() -> call.tokensWritten.get() >= 5);
            cluster.stopMongo();

            await().atMost(Duration.ofSeconds(30)).until(() -> events.stream().anyMatch(e -> e[0].equals("chat-stream-complete")));
            org.json.JSONObject complete = (org.json.JSONObject) events.stream()
                    .filter(e -> e[0].equals("chat-stream-complete")).findFirst().orElseThrow()[1];
            assertThat(complete.getBoolean("persisted")).isFalse();
            assertThat(complete.getString("content")).isEqualTo(String.join("", tokens));
            assertThat(pendingInRedis()).isEqualTo(1);

            cluster.startMongo();
            await().atMost(Duration.ofSeconds(30)).until(() -> events.stream().anyMatch(e -> e[0].equals("chat-session-saved")));
            org.json.JSONObject saved = (org.json.JSONObject) events.stream()
                    .filter(e -> e[0].equals("chat-session-saved")).findFirst().orElseThrow()[1];
            assertThat(saved.getString("sessionId")).isEqualTo(sessionId);
            assertThat(saved.getString("streamId")).isEqualTo(streamId);

            Document session = session(sessionId);
            @SuppressWarnings("unchecked")
            List<Document> messages = (List<Document>) session.get("messages");
            assertThat(messages).hasSize(2);
            assertThat(messages.get(1).getString("content")).isEqualTo(String.join("", tokens));
            assertThat(((Number) user(userId).get("chatRequestCount")).longValue()).isEqualTo(1);
            await().atMost(Duration.ofSeconds(10)).until(() -> pendingInRedis() == 0);
            assertThat(events.stream().filter(e -> e[0].equals("chat-session-saved"))).hasSize(1);
            assertThat(events.stream().filter(e -> e[0].equals("chat-stream-error"))).isEmpty();

            // The quota the user sees counts it once.
            Map<?, ?> quota = http(a).get().uri("/api/v1/quota").header(HttpHeaders.AUTHORIZATION, "Bearer " + token)
                    .exchange().expectStatus().isOk().expectBody(Map.class).returnResult().getResponseBody();
            assertThat(((Number) quota.get("used")).longValue()).isEqualTo(1);
            assertThat(((Number) quota.get("reserved")).longValue()).isZero();
        } finally {
            tab.close();
            cluster.startMongoIfStopped();
        }
    }

    /**
     * A whole answer whose session was deleted as it ended (the delete's mark landed, the stream was not cut) is owed
     * a charge; with MongoDB down at that moment the charge must wait in Redis and be made once MongoDB is back,
     * exactly once, like every other charge, not be given up (which made the answer free).
     */
    @Test
    void aDeletedSessionsWholeAnswerIsChargedOnceEvenWhenMongoIsDownAtItsEnd() throws Exception {
        GatewayCluster.Node a = cluster.node(0);
        String userId = newUser("delcharge");
        String token = login(a, userId, "free");
        List<String> tokens = tokens("d", 40);
        ai.planner = q -> AiReply.slow(tokens, Duration.ofMillis(50));
        try (UserSocket tab = connectedTab(cluster.node(1), token)) {
            awaitSubscribed(cluster.node(1), userId);
            Map<?, ?> accepted = ask(a, token, "deleted as it ends");
            String sessionId = (String) accepted.get("sessionId");
            String streamId = (String) accepted.get("streamId");
            FakeAiService.Call call = ai.lastCallFor("deleted as it ends");
            await().atMost(Duration.ofSeconds(10)).until(() -> call.tokensWritten.get() >= 5);
            // The delete's mark (what DELETE /sessions/{id} sets on every node first) lands while the answer ends.
            withRedis(redis -> redis.setex("chat:session:{" + sessionId + "}:deleted", 600, "1"));
            cluster.stopMongo();
            try {
                await().atMost(Duration.ofSeconds(30)).until(() -> tab.finalOf(streamId) != null);
                assertThat(tab.finalOf(streamId).event()).isEqualTo("chat-stream-error");
            } finally {
                cluster.startMongo();
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> chargedCount(userId) == 1);
            await().atMost(Duration.ofSeconds(10)).until(() -> pendingInRedis() == 0);
            Map<?, ?> quota = http(a).get().uri("/api/v1/quota").header(HttpHeaders.AUTHORIZATION, "Bearer " + token)
                    .exchange().expectStatus().isOk().expectBody(Map.class).returnResult().getResponseBody();
            assertThat(((Number) quota.get("used")).longValue()).isEqualTo(1);
            assertThat(((Number) quota.get("reserved")).longValue()).isZero();
            assertThat(session(sessionId)).as("nothing written into the deleted session").isNull();
            assertThat(tab.received.stream().filter(e -> e.event().equals("chat-session-saved"))).isEmpty();
        }
    }

    /**
     * A reply MongoDB takes at once has its write-ahead removed after the save and the charge, before the final event
     * goes out: nothing of it is left by the time the user hears of the end, so the replayer has nothing to redo.
     */
    @Test
    void aReplySavedAtOnceLeavesNoWriteAheadBehindWhenTheUserHearsOfTheEnd() {
        GatewayCluster.Node a = cluster.node(0);
        String token = login(a, newUser("settled"), "free");
        ai.planner = q -> AiReply.answer(List.of("saved ", "at once"));
        try (UserSocket tab = connectedTab(a, token)) {
            String streamId = (String) ask(a, token, "saved at once").get("streamId");
            await().atMost(Duration.ofSeconds(15)).until(() -> tab.finalOf(streamId) != null);
            assertThat(tab.finalOf(streamId).event()).isEqualTo("chat-stream-complete");
            Long writeAheadKeys = withRedis(redis -> redis.exists(PendingReplies.key(streamId)));
            Double dueAt = withRedis(redis -> redis.zscore(PendingReplies.INDEX, streamId));
            assertThat(writeAheadKeys).isZero();
            assertThat(dueAt).isNull();
        }
    }

    @Test
    void writingAndChargingTheSameReplyAgainChangesNothing() {
        GatewayCluster.Node a = cluster.node(0);
        String userId = "idem-" + Long.toHexString(System.nanoTime());
        login(a, userId, "free");
        ReplyWriter writer = a.bean(ReplyWriter.class);
        StoredReply stored = new StoredReply("an answer", List.of(), List.of(), null, "general_qa", "local", false, false);
        PendingReply reply = new PendingReply("stream-" + userId, "session-" + userId, userId, "free", false,
                "m-" + userId, "u-" + userId, "a question", stored, System.currentTimeMillis(), true);
        for (int i = 0; i < 3; i++) {
            writer.write(reply).block(Duration.ofSeconds(10));
            writer.charge(reply).block(Duration.ofSeconds(10));
        }
        @SuppressWarnings("unchecked")
        List<Document> messages = (List<Document>) session(reply.sessionId()).get("messages");
        assertThat(messages).hasSize(2);
        assertThat(((Number) user(userId).get("chatRequestCount")).longValue()).isEqualTo(1);

        // A new version keyed by another stream is added once, however often it is written.
        PendingReply version = new PendingReply("stream2-" + userId, reply.sessionId(), userId, "free", true,
                reply.messageId(), null, "a question", new StoredReply("another answer", List.of(), List.of(), null,
                "general_qa", "local", false, false), System.currentTimeMillis(), true);
        for (int i = 0; i < 3; i++) {
            writer.write(version).block(Duration.ofSeconds(10));
            writer.charge(version).block(Duration.ofSeconds(10));
        }
        @SuppressWarnings("unchecked")
        List<Document> after = (List<Document>) session(reply.sessionId()).get("messages");
        @SuppressWarnings("unchecked")
        List<Document> versions = (List<Document>) after.get(1).get("versions");
        assertThat(versions).hasSize(2);
        assertThat(after.get(1).getString("content")).isEqualTo("another answer");
        assertThat(((Number) user(userId).get("chatRequestCount")).longValue()).isEqualTo(2);
    }
}
