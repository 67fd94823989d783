package dev.streamchat.gateway.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.bson.Document;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.data.mongodb.core.ReactiveMongoTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import dev.streamchat.gateway.chat.RecordedEvents.Emitted;
import dev.streamchat.gateway.config.TestBackends;
import dev.streamchat.gateway.testing.GatewayClient;
import dev.streamchat.infra.EmbeddedMongo;
import dev.streamchat.infra.EmbeddedRedis;

/**
 * One end-to-end run through the real ai-service: its exec jar runs as a subprocess on a free port with the
 * synthetic provider, both services on the same embedded Redis and MongoDB. Skipped (with a message) only when
 * the jar has not been built.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "JWT_SECRET=" + TestBackends.JWT_SECRET,
        "AI_SERVICE_API_KEY=" + RealAiServiceIT.KEY,
})
@Import(RecordedEvents.Wiring.class)
@SuppressWarnings("unchecked")
class RealAiServiceIT {

    static final String KEY = "e2e-ai-key-0123456789";
    static final Path JAR = findJar();
    static EmbeddedRedis redis;
    static EmbeddedMongo mongoServer;
    static Process aiService;
    static int aiPort;

    static Path findJar() {
        Path target = Path.of("..", "ai-service", "target");
        if (!Files.isDirectory(target)) {
            return null;
        }
        try (DirectoryStream<Path> jars = Files.newDirectoryStream(target, "ai-service-*-exec.jar")) {
            for (Path jar : jars) {
                return jar;
            }
        } catch (IOException e) {
            return null;
        }
        return null;
    }

    @DynamicPropertySource
    static void backends(DynamicPropertyRegistry registry) throws Exception {
        redis = EmbeddedRedis.start(0);
        mongoServer = EmbeddedMongo.inMemory();
        aiPort = TestBackends.freePort();
        if (JAR != null) {
            startAiService();
        }
        registry.add("spring.data.redis.url", redis::url);
        registry.add("spring.mongodb.uri", () -> mongoServer.uri("chat"));
        registry.add("gateway.socket.port", TestBackends::freePort);
        registry.add("gateway.socket.host", () -> "127.0.0.1");
        registry.add("gateway.ai.url", () -> "http://127.0.0.1:" + aiPort);
    }

    static void startAiService() throws Exception {
        File log = Path.of("target", "real-ai-service.log").toFile();
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx768m", "-jar", JAR.toAbsolutePath().toString())
                .redirectErrorStream(true)
                .redirectOutput(log);
        Map<String, String> env = builder.environment();
        env.put("AI_PROVIDER", "synthetic");
        env.put("AI_SERVICE_PORT", Integer.toString(aiPort));
        env.put("AI_SERVICE_API_KEY", KEY);
        env.put("REDIS_URL", redis.url());
        env.put("MONGODB_URI", mongoServer.uri("chat"));
        env.put("SYNTHETIC_TOKENS", "40");
        env.put("SYNTHETIC_TOKENS_PER_SECOND", "200");
        env.put("AI_MODELS", "synthetic,local");
        env.put("LOCAL_TOKENS_PER_SECOND", "1000");
        aiService = builder.start();
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(500)).until(() -> {
            if (!aiService.isAlive()) {
                throw new IllegalStateException("the ai-service exited; see " + log);
            }
            try {
                HttpResponse<String> health = http.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + aiPort + "/actuator/health")).timeout(Duration.ofSeconds(2)).build(),
                        HttpResponse.BodyHandlers.ofString());
                return health.statusCode() == 200;
            } catch (IOException e) {
                return false;
            }
        });
    }

    @AfterAll
    static void stopAll() throws InterruptedException {
        if (aiService != null) {
            aiService.destroy();
            if (!aiService.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)) {
                aiService.destroyForcibly();
            }
        }
        mongoServer.close();
        redis.close();
    }

    @LocalServerPort
    int port;

    @Autowired
    ReactiveMongoTemplate mongo;

    @Test
    void aQuestionStreamsThroughTheRealAiServiceAndIsSavedAndCounted() {
        assumeTrue(JAR != null, "ai-service/target/ai-service-*-exec.jar is missing: build the ai-service module first "
                + "(mvn -pl ai-service package) to run the end-to-end test");
        GatewayClient client = new GatewayClient(port);
        String token = client.login("e2e-user", "free");
        Map<String, Object> accepted = client.ask(token, "{\"message\":\"What is retrieval augmented generation?\"}");
        String streamId = (String) accepted.get("streamId");
        await().atMost(Duration.ofSeconds(60)).until(() -> RecordedEvents.ended(streamId));
        List<Emitted> events = RecordedEvents.ofStream(streamId);
        Emitted last = events.get(events.size() - 1);
        assertThat(last.event()).as(String.valueOf(last.payload())).isEqualTo("chat-stream-complete");
        String relayed = events.stream().filter(e -> e.event().equals("chat-stream-token"))
                .map(e -> (String) e.get("token")).collect(Collectors.joining());
        assertThat(relayed).isNotBlank();
        assertThat(last.get("content")).isEqualTo(relayed);
        assertThat(((Map<?, ?>) last.get("quota")).get("used")).isEqualTo(1L);

        Document session = mongo.findById(accepted.get("sessionId"), Document.class, "chat_sessions")
                .block(Duration.ofSeconds(5));
        List<Document> messages = ChatService.messages(session);
        assertThat(messages).hasSize(2);
        assertThat(messages.get(1).getString("content")).isEqualTo(relayed);
        assertThat(messages.get(1).getList("versions", Document.class).get(0).getString("provider")).isEqualTo("synthetic");
    }

    @Test
    void theGatewayOffersTheAiServicesModelsAndTheChosenOneWritesTheReply() {
        assumeTrue(JAR != null, "ai-service/target/ai-service-*-exec.jar is missing: build the ai-service module first "
                + "(mvn -pl ai-service package) to run the end-to-end test");
        GatewayClient client = new GatewayClient(port);
        String token = client.login("e2e-models-user", "pro");

        Map<String, Object> offered = client.json(client.get(token, "/api/v1/models"), 200);
        assertThat(offered.get("default")).isEqualTo("synthetic");
        assertThat((List<Map<String, Object>>) offered.get("models")).extracting(m -> m.get("id"), m -> m.get("model"))
                .containsExactly(org.assertj.core.groups.Tuple.tuple("synthetic", null),
                        org.assertj.core.groups.Tuple.tuple("local", null));
        assertThat(client.json(client.post(token, "/api/v1/chat/new",
                "{\"message\":\"hello\",\"model\":\"openai:gpt-4o\"}"), 400)).containsEntry("code", "bad_request");

        Map<String, Object> accepted = client.ask(token, "{\"message\":\"What does the heart do?\",\"model\":\"local\"}");
        String streamId = (String) accepted.get("streamId");
        await().atMost(Duration.ofSeconds(60)).until(() -> RecordedEvents.ended(streamId));
        List<Emitted> events = RecordedEvents.ofStream(streamId);
        Emitted last = events.get(events.size() - 1);
        assertThat(last.event()).as(String.valueOf(last.payload())).isEqualTo("chat-stream-complete");
        assertThat(last.payload()).containsEntry("provider", "local").containsEntry("model", null);
        Document session = mongo.findById(accepted.get("sessionId"), Document.class, "chat_sessions")
                .block(Duration.ofSeconds(5));
        Document version = ChatService.messages(session).get(1).getList("versions", Document.class).get(0);
        assertThat(version.getString("provider")).isEqualTo("local");
        assertThat(version.containsKey("model")).isTrue();
    }
}
