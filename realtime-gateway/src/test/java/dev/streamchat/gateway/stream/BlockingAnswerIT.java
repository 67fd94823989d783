package dev.streamchat.gateway.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.test.context.TestPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

import dev.streamchat.gateway.socket.StreamCommands;
import dev.streamchat.gateway.testing.AiReply;
import dev.streamchat.gateway.testing.GatewayStackTest;
import dev.streamchat.gateway.testing.NonBlockingCheckedTest.BlockingCallsNotChecked;
import dev.streamchat.gateway.testing.Payloads;

/**
 * {@code ENABLE_STREAMING=false}: the 202 of {@code /chat/new} comes once the ai-service's blocking route
 * answered with a status (contract section 2), not after its whole body; the body then arrives as one token.
 * The fake ai-service sends status and headers at once and holds the body behind a gate.
 */
@TestPropertySource(properties = {
        "gateway.ratelimit.chat-per-minute=100",
        "gateway.stream.enable-streaming=false",
        "gateway.stream.lease-ttl=2s",
})
@BlockingCallsNotChecked("dominated by brief library-internal lock waits on request threads; ChatRelayIT covers the relay")
class BlockingAnswerIT extends GatewayStackTest {

    private static final CountDownLatch OPEN = new CountDownLatch(0);

    /** What the blocking route answers to a question, once the gates open. */
    private static AiReply wholeAnswer(String question, CountDownLatch status, CountDownLatch body) {
        return AiReply.answer(List.of("Whole answer to " + question)).holdingBlockingAnswer(status, body);
    }

    @Autowired
    StreamCommands commands;




    private List<Map.Entry<String, Object>> replay(String userId, String streamId) {
        List<Map.Entry<String, Object>> sent = new ArrayList<>();
        commands.resume(userId, streamId, 0, status -> { }, (event, payload) -> {
            synchronized (sent) {
                sent.add(Map.entry(event, payload));
            }
        }).block(Duration.ofSeconds(10));
        synchronized (sent) {
            return List.copyOf(sent);
        }
    }

    @SuppressWarnings("unchecked")
    private void assertOneTokenThenComplete(String userId, String streamId, String answer) {
        await().atMost(Duration.ofSeconds(15)).until(() -> replay(userId, streamId).stream()
                .anyMatch(e -> e.getKey().equals("chat-stream-complete")));
        List<Map.Entry<String, Object>> events = replay(userId, streamId);
        assertThat(events).extracting(Map.Entry::getKey).containsExactly("chat-stream-token", "chat-stream-complete");
        assertThat(Payloads.asMap(events.get(0).getValue())).containsEntry("token", answer);
        assertThat(((Number) Payloads.asMap(events.get(0).getValue()).get("seq")).longValue()).isEqualTo(1L);
        assertThat(Payloads.asMap(events.get(1).getValue())).containsEntry("content", answer);
    }

    @Test
    @SuppressWarnings("unchecked")
    void answers202OnTheStatusBeforeTheBodyArrivesThenSendsTheWholeAnswerAsOneToken() {
        String userId = "blocking-" + UUID.randomUUID().toString().substring(0, 8);
        String token = login(userId);
        CountDownLatch gate = new CountDownLatch(1);
        AI.planner = q -> wholeAnswer(q, OPEN, gate);
        String streamId = ask(token, "slow body");
        assertThat(gate.getCount()).as("the 202 came before the body was released").isEqualTo(1);
        gate.countDown();
        assertOneTokenThenComplete(userId, streamId, "Whole answer to slow body");
    }

    @Test
    void retriesA503TwiceThenAcceptsOnTheStatus() {
        String userId = "blocking-" + UUID.randomUUID().toString().substring(0, 8);
        String token = login(userId);
        CountDownLatch gate = new CountDownLatch(1);
        int before = AI.calls.size();
        AI.onQuestion("after two 503s", AiReply.status(503), AiReply.status(503), wholeAnswer("after two 503s", OPEN, gate));
        String streamId = ask(token, "after two 503s");
        assertThat(gate.getCount()).isEqualTo(1);
        assertThat(AI.calls.size() - before).isEqualTo(3);
        gate.countDown();
        assertOneTokenThenComplete(userId, streamId, "Whole answer to after two 503s");
    }

    private Map<String, Object> post(String token, String json) {
        return http().post().uri("/api/v1/chat/new").header(HttpHeaders.AUTHORIZATION, "Bearer " + token)
                .contentType(MediaType.APPLICATION_JSON).bodyValue(json).exchange()
                .expectBody(Map.class).returnResult().getResponseBody();
    }

    @Test
    void aStreamWaitingLongerThanItsLeaseForTheStatusKeepsItsSessionLockedAndCompletes() {
        String userId = "blocking-" + UUID.randomUUID().toString().substring(0, 8);
        String token = login(userId);
        AI.planner = q -> wholeAnswer(q, OPEN, OPEN);
        Map<String, Object> first = post(token, "{\"message\":\"first\"}");
        String sessionId = (String) first.get("sessionId");
        assertOneTokenThenComplete(userId, (String) first.get("streamId"), "Whole answer to first");

        CountDownLatch status = new CountDownLatch(1);
        AI.planner = q -> wholeAnswer(q, status, OPEN);
        int before = AI.calls.size();
        java.util.concurrent.CompletableFuture<Map<String, Object>> accepted = java.util.concurrent.CompletableFuture
                .supplyAsync(() -> post(token, "{\"message\":\"status comes late\",\"sessionId\":\"" + sessionId + "\"}"));
        await().atMost(Duration.ofSeconds(10)).until(() -> AI.calls.size() > before);
        // Hold the status for two lease lifetimes (lease-ttl=2s): the waiting node keeps renewing the lease,
        // so the session stays locked.
        await().pollDelay(Duration.ofSeconds(4)).atMost(Duration.ofSeconds(6)).until(() -> !accepted.isDone());
        Map<String, Object> conflict = post(token, "{\"message\":\"meanwhile\",\"sessionId\":\"" + sessionId + "\"}");
        status.countDown();
        assertThat(conflict).containsEntry("code", "stream_active");
        String streamId = (String) accepted.join().get("streamId");
        assertOneTokenThenComplete(userId, streamId, "Whole answer to status comes late");
    }
}
