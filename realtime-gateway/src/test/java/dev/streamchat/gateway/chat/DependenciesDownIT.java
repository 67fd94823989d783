package dev.streamchat.gateway.chat;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

import dev.streamchat.gateway.config.TestBackends;
import dev.streamchat.gateway.testing.FakeAiService;
import dev.streamchat.gateway.testing.GatewayClient;
import dev.streamchat.infra.EmbeddedMongo;
import dev.streamchat.infra.EmbeddedRedis;

/**
 * A dead ai-service, then MongoDB, then Redis going away under a running gateway: every request answers a
 * problem+json 503 {@code unavailable} fast (5 s for the ai-service with its two retries, 2 s for the stores),
 * never a hang. This class owns its Redis and MongoDB so it can stop them.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "JWT_SECRET=" + TestBackends.JWT_SECRET,
        "AI_SERVICE_API_KEY=" + FakeAiService.API_KEY,
})
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DependenciesDownIT {

    static final EmbeddedRedis REDIS = EmbeddedRedis.start(0);
    static final EmbeddedMongo MONGO = EmbeddedMongo.inMemory();
    static final int DEAD_PORT = deadPort();

    @DynamicPropertySource
    static void backends(DynamicPropertyRegistry registry) {
        registry.add("spring.data.redis.url", REDIS::url);
        registry.add("spring.mongodb.uri", () -> MONGO.uri("chat"));
        registry.add("gateway.socket.port", TestBackends::freePort);
        registry.add("gateway.socket.host", () -> "127.0.0.1");
        registry.add("gateway.ai.url", () -> "http://127.0.0.1:" + DEAD_PORT);
    }

    @AfterAll
    static void cleanUp() {
        try {
            REDIS.close();
        } catch (RuntimeException ignored) {
            // already stopped by the test
        }
        MONGO.close();
    }

    /** Nothing listens there: this JVM never hands it out again, and no bind(0) or connection on the machine takes it. */
    static int deadPort() {
        return TestBackends.freePort();
    }

    @LocalServerPort
    int port;

    static String token;

    private long timed(Runnable call) {
        long begin = System.nanoTime();
        call.run();
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - begin);
    }

    private void expect503(WebTestClient.ResponseSpec response) {
        response.expectStatus().isEqualTo(503)
                .expectHeader().exists("Retry-After")
                .expectBody(Map.class).value(body -> assertThat(body).containsEntry("code", "unavailable"));
    }

    @Test
    @Order(1)
    void aDeadAiServiceIs503WithinFiveSecondsAndGivesTheReservationBack() {
        GatewayClient client = new GatewayClient(port);
        token = client.login("down-user", "free");
        long tookMs = timed(() -> expect503(client.post(token, "/api/v1/chat/new", "{\"message\":\"hello?\"}")));
        assertThat(tookMs).isBetween(1500L, 5000L);
        Map<String, Object> quota = client.json(client.get(token, "/api/v1/quota"), 200);
        assertThat(quota).containsEntry("used", 0).containsEntry("reserved", 0);
        assertThat(client.get(token, "/api/v1/chat/streams/active").expectStatus().isOk()
                .expectBody(List.class).returnResult().getResponseBody()).isEmpty();
    }

    @Test
    @Order(1)
    void theModelListAndAModelChoiceAre503FastWhileTheAiServiceIsDown() {
        GatewayClient client = new GatewayClient(port);
        String user = client.login("models-down-user", "free");
        assertThat(timed(() -> expect503(client.get(user, "/api/v1/models")))).isLessThan(2500);
        // Whether a model is offered cannot be told: 503, and nothing is reserved.
        assertThat(timed(() -> expect503(client.post(user, "/api/v1/chat/new",
                "{\"message\":\"hello?\",\"model\":\"openai:gpt-4o\"}")))).isLessThan(2500);
        assertThat(client.json(client.get(user, "/api/v1/quota"), 200)).containsEntry("reserved", 0);
    }

    @Test
    @Order(2)
    void mongoDownIs503WithinTwoSecondsAndAQuestionKeepsNothing() {
        GatewayClient client = new GatewayClient(port);
        String user = client.login("mongo-down-user", "pro");
        MONGO.close();
        // The plan in force cannot be read: 503, and no stream is left claimed.
        assertThat(timed(() -> expect503(client.post(user, "/api/v1/chat/new", "{\"message\":\"hello?\"}"))))
                .isLessThan(2500);
        assertThat(client.get(user, "/api/v1/chat/streams/active").expectStatus().isOk()
                .expectBody(List.class).returnResult().getResponseBody()).isEmpty();
        assertThat(timed(() -> client.get(token, "/api/v1/chat/sessions").expectStatus().isEqualTo(503)
                .expectBody(Map.class).value(body -> assertThat(body).containsEntry("code", "unavailable"))))
                .isLessThan(2500);
        assertThat(timed(() -> client.get(token, "/api/v1/chat/sessions/abc").expectStatus().isEqualTo(503)))
                .isLessThan(2500);
    }

    @Test
    @Order(3)
    void redisDownIs503WithinTwoSeconds() {
        GatewayClient client = new GatewayClient(port);
        REDIS.close();
        assertThat(timed(() -> expect503(client.post(token, "/api/v1/chat/new", "{\"message\":\"hello?\"}"))))
                .isLessThan(2500);
        assertThat(timed(() -> expect503(client.get(token, "/api/v1/quota")))).isLessThan(2500);
        assertThat(timed(() -> expect503(client.get(token, "/api/v1/chat/streams/active")))).isLessThan(2500);
        assertThat(timed(() -> expect503(client.post(token, "/api/v1/chat/streams/abc/stop", null)))).isLessThan(2500);
    }
}
