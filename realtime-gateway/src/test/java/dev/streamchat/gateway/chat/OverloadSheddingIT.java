package dev.streamchat.gateway.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpHeaders;
import org.springframework.test.context.TestPropertySource;
import org.springframework.test.web.reactive.server.EntityExchangeResult;

import dev.streamchat.gateway.testing.AiReply;
import dev.streamchat.gateway.testing.FakeAiService;
import dev.streamchat.gateway.testing.GatewayClient;
import dev.streamchat.gateway.testing.GatewayStackTest;

/**
 * Shedding at the door through real HTTP: with the streams-per-core limit set so low that one running stream is
 * "overloaded", a second {@code /chat/new} (and a {@code /retry}) gets a 503 {@code unavailable} problem with
 * {@code Retry-After} at once, without the ai-service being asked; once the running stream has ended, the same
 * request is admitted again. The pressure is induced deterministically (a stream held open by the fake ai-service),
 * not by loading the machine.
 */
@TestPropertySource(properties = {
        "gateway.overload.max-streams-per-core=0.001",
        "gateway.overload.retry-after=3s",
})
class OverloadSheddingIT extends GatewayStackTest {

    @AfterAll
    static void resetFake() {
        AI.reset();
    }

    @Test
    void aBusyNodeRefusesNewStreamsFastWithRetryAfterAndAdmitsThemWhenThePressureIsGone() {
        GatewayClient client = new GatewayClient(port);
        AI.planner = query -> query.startsWith("hold")
                ? AiReply.slow(List.of("one", " two", " three", " four"), Duration.ofMillis(400))
                : AiReply.answer(FakeAiService.defaultTokens(query));
        String busyUser = login(client, "busy-");
        String otherUser = login(client, "other-");

        client.ask(busyUser, "{\"message\":\"hold the line\"}");
        int asked = AI.streamRequests.get();

        EntityExchangeResult<Map> refused = client.post(otherUser, "/api/v1/chat/new", "{\"message\":\"hello\"}")
                .expectStatus().isEqualTo(503)
                .expectHeader().valueEquals(HttpHeaders.RETRY_AFTER, "3")
                .expectBody(Map.class).returnResult();
        assertThat(refused.getResponseHeaders().getContentType()).hasToString("application/problem+json");
        assertThat(refused.getResponseBody()).containsEntry("code", "unavailable");
        client.post(otherUser, "/api/v1/chat/sessions/any-session/retry", "{}")
                .expectStatus().isEqualTo(503)
                .expectHeader().valueEquals(HttpHeaders.RETRY_AFTER, "3");
        assertThat(AI.streamRequests.get()).as("a refused request never reaches the ai-service").isEqualTo(asked);

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> client.get(busyUser, "/api/v1/chat/streams/active")
                .expectStatus().isOk().expectBody().json("[]"));
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(
                client.post(otherUser, "/api/v1/chat/new", "{\"message\":\"hello again\"}").returnResult(String.class)
                        .getStatus().value()).isEqualTo(202));
    }

    /** Dev-login, retried while a loaded machine makes the first MongoDB calls time out (503). */
    private static String login(GatewayClient client, String prefix) {
        String userId = prefix + UUID.randomUUID().toString().substring(0, 8);
        String[] token = new String[1];
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> token[0] = client.login(userId, "pro"));
        return token[0];
    }
}
