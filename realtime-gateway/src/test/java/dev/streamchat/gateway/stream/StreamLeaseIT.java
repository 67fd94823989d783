package dev.streamchat.gateway.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.lettuce.core.SetArgs;

import org.junit.jupiter.api.Test;
import org.springframework.test.context.TestPropertySource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

import dev.streamchat.gateway.testing.GatewayStackTest;
import dev.streamchat.gateway.socket.StreamCommands;
import dev.streamchat.gateway.persistence.RedisConfiguration.GatewayRedis;
import reactor.core.publisher.Mono;

/**
 * A gateway node that dies mid-stream leaves its stream "running" in Redis with nobody to finish it. Its
 * liveness lease lapses within {@code lease-ttl}; from then on the session takes a new question (no 409),
 * {@code chat-resume} reports the stream as {@code error} and it can be retried by id like a failed stream.
 * The dead node is simulated by writing exactly what a node leaves behind when it dies mid-stream.
 */
@TestPropertySource(properties = {
        "gateway.ratelimit.chat-per-minute=100",
})
@SuppressWarnings("unchecked")
class StreamLeaseIT extends GatewayStackTest {

    @Autowired
    GatewayRedis redis;

    @Autowired
    StreamCommands commands;

    @Autowired
    StreamProperties properties;



    private WebTestClient.BodySpec<Map, ?> post(String token, String uri, String json) {
        return http().post().uri(uri).header(HttpHeaders.AUTHORIZATION, "Bearer " + token)
                .contentType(MediaType.APPLICATION_JSON).bodyValue(json).exchange().expectBody(Map.class);
    }

    private List<Map<String, Object>> active(String token) {
        return http().get().uri("/api/v1/chat/streams/active").header(HttpHeaders.AUTHORIZATION, "Bearer " + token)
                .exchange().expectStatus().isOk().expectBody(List.class).returnResult().getResponseBody();
    }

    private List<Map<String, Object>> messages(String token, String sessionId) {
        Map<String, Object> session = http().get().uri("/api/v1/chat/sessions/" + sessionId)
                .header(HttpHeaders.AUTHORIZATION, "Bearer " + token).exchange().expectStatus().isOk()
                .expectBody(Map.class).returnResult().getResponseBody();
        return (List<Map<String, Object>>) session.get("messages");
    }

    /** What a node leaves in Redis when it dies while relaying: a running stream, the session lock, a lease it no longer renews. */
    private void leaveDeadStream(String userId, String sessionId, String streamId, String question, Duration leaseLeft) {
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("uid", userId);
        meta.put("sess", sessionId);
        meta.put("msg", "m" + streamId);
        meta.put("umsg", "u" + streamId);
        meta.put("q", question);
        meta.put("kind", StreamSpec.Kind.NEW_EXCHANGE.wireName());
        meta.put("crid", "");
        meta.put("status", StreamStore.STATUS_RUNNING);
        meta.put("top", "0");
        meta.put("stop", "0");
        meta.put("startedAt", Instant.now().toString());
        long running = Duration.ofSeconds(300).toMillis();
        redis.commands().flatMap(r -> Mono.when(
                        r.hset(StreamStore.metaKey(streamId), meta),
                        r.pexpire(StreamStore.metaKey(streamId), running),
                        r.set("chat:stream:" + userId + ":" + sessionId + ":" + System.currentTimeMillis(),
                                "{\"status\":\"in_progress\"}", SetArgs.Builder.px(running)),
                        r.sadd(StreamStore.userStreamsKey(userId), streamId),
                        r.set(StreamStore.sessionLockKey(sessionId), streamId, SetArgs.Builder.px(running)),
                        r.set(StreamStore.leaseKey(streamId), "1", SetArgs.Builder.px(leaseLeft.toMillis()))))
                .block(Duration.ofSeconds(5));
    }

    @Test
    void aStreamWhoseNodeDiedStopsBlockingItsSessionOnceItsLeaseLapsesAndReadsAsFailed() {
        assertThat(properties.leaseTtl()).isEqualTo(Duration.ofSeconds(15));
        String userId = "lease-" + UUID.randomUUID().toString().substring(0, 8);
        String token = login(userId);
        Map<String, Object> first = post(token, "/api/v1/chat/new", "{\"message\":\"first\"}")
                .returnResult().getResponseBody();
        String sessionId = (String) first.get("sessionId");
        await().atMost(Duration.ofSeconds(15)).until(() -> messages(token, sessionId).size() == 2);

        String deadStreamId = UUID.randomUUID().toString().replace("-", "");
        leaveDeadStream(userId, sessionId, deadStreamId, "lost question", Duration.ofSeconds(6));

        // While its lease lives the stream counts as running: 409, listed as active, resume says running.
        Map<String, Object> conflict = post(token, "/api/v1/chat/new",
                "{\"message\":\"too early\",\"sessionId\":\"" + sessionId + "\"}").returnResult().getResponseBody();
        assertThat(conflict).containsEntry("code", "stream_active");
        assertThat(active(token)).extracting(s -> s.get("streamId")).containsExactly(deadStreamId);
        assertThat(resume(userId, deadStreamId).status()).isEqualTo(StreamCommands.ResumeStatus.RUNNING);

        // Nobody renews it: well within the lease time the session takes a new question.
        long[] accepted = {0};
        String[] nextStream = {null};
        await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(250)).until(() -> {
            var result = post(token, "/api/v1/chat/new",
                    "{\"message\":\"after the crash\",\"sessionId\":\"" + sessionId + "\"}").returnResult();
            if (result.getStatus().value() == 202) {
                accepted[0]++;
                nextStream[0] = (String) result.getResponseBody().get("streamId");
                return true;
            }
            assertThat(result.getStatus().value()).isEqualTo(409);
            return false;
        });
        assertThat(accepted[0]).isEqualTo(1);

        Resumed dead = resume(userId, deadStreamId);
        assertThat(dead.status()).isEqualTo(StreamCommands.ResumeStatus.ERROR);
        assertThat(dead.events()).as("nothing new is emitted for a dead stream").isEmpty();
        await().atMost(Duration.ofSeconds(15)).until(() -> messages(token, sessionId).size() == 4);
        assertThat(active(token)).isEmpty();

        // Retried by id like a failed stream: its question is asked again as a new exchange.
        Map<String, Object> retry = post(token, "/api/v1/chat/sessions/" + sessionId + "/retry",
                "{\"streamId\":\"" + deadStreamId + "\"}").returnResult().getResponseBody();
        assertThat(retry).containsKey("streamId").doesNotContainKey("code");
        await().atMost(Duration.ofSeconds(15)).until(() -> messages(token, sessionId).size() == 6);
        assertThat(messages(token, sessionId)).extracting(m -> m.get("content"))
                .startsWith("first").contains("after the crash", "lost question");
    }

    record Resumed(StreamCommands.ResumeStatus status, List<String> events) {
    }

    private Resumed resume(String userId, String streamId) {
        List<String> sent = new ArrayList<>();
        StreamCommands.ResumeStatus status = commands.resume(userId, streamId, 0, s -> { }, (event, payload) -> {
            synchronized (sent) {
                sent.add(event);
            }
        }).block(Duration.ofSeconds(10));
        synchronized (sent) {
            return new Resumed(status, List.copyOf(sent));
        }
    }
}
