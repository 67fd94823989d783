package dev.streamchat.ai.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Primary;
import org.springframework.core.io.ClassPathResource;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import dev.streamchat.ai.config.BlockingCalls;
import dev.streamchat.ai.config.EmbeddedStores;
import dev.streamchat.ai.model.FakeOpenAiServer;
import dev.streamchat.ai.model.FakeOpenAiServer.Reply;
import dev.streamchat.ai.rag.Passage;
import dev.streamchat.ai.rag.Retriever;
import dev.streamchat.ai.route.Route;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The whole ai-service on a random port, with the real {@code OpenAiStreamingChatModel} talking to a fake OpenAI
 * server, embedded Redis and MongoDB-wire servers, read back through a real HTTP client.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "AI_SERVICE_API_KEY=" + SemanticSearchIT.KEY,
        "ai.model.provider=openai",
        "ai.model.openai.api-key=sk-test",
        "ai.model.openai.max-tokens=256",
        "ai.model.models=openai:gpt-4o-mini,openai:gpt-4o,local",
        "ai.local.tokens-per-second=1000",
        "ai.stream.keepalive=300ms",
        "ai.rag.sample-library=false",
        "ai.tpm.limit=1000000"})
class SemanticSearchIT {

    static final String KEY = "it-service-key";

    static {
        BlockingCalls.install();
    }

    static final FakeOpenAiServer FAKE = FakeOpenAiServer.start();

    static final List<Passage> PASSAGES = List.of(
            new Passage("c1", "d1", "Cells", 1, "A cell is the smallest unit of life.", 0.91),
            new Passage("c2", "d2", "Mitosis", null, "Mitosis divides one nucleus into two identical nuclei.", 0.82));

    /** Retrieval answers at once, except for a question containing "hold retrieval", which waits for the test. */
    static volatile Sinks.One<Boolean> retrievalGate = Sinks.one();

    @TestConfiguration
    static class FixedRetrieval {
        @Bean
        @Primary
        Retriever fixedRetriever() {
            return (scope, query) -> query.contains("hold retrieval")
                    ? retrievalGate.asMono().thenReturn(PASSAGES)
                    : Mono.just(PASSAGES);
        }
    }

    @DynamicPropertySource
    static void stores(DynamicPropertyRegistry registry) {
        registry.add("ai.model.openai.base-url", FAKE::baseUrl);
        registry.add("spring.data.redis.url", EmbeddedStores::redisUrl);
        registry.add("spring.mongodb.uri", EmbeddedStores::mongoUri);
    }

    @AfterAll
    static void stopFakeAndCheckNothingBlocked() {
        FAKE.close();
        assertThat(BlockingCalls.found()).as("blocking calls on non-blocking threads").isEmpty();
    }

    @LocalServerPort
    int port;

    @Autowired
    JsonMapper json;

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeEach
    void resetFake() {
        FAKE.reset();
        retrievalGate = Sinks.one();
    }

    private String body(String query) {
        return body(query, null, List.of());
    }

    private String body(String query, String route, List<Map<String, String>> history) {
        Map<String, Object> request = new java.util.LinkedHashMap<>();
        request.put("user_id", "u1");
        request.put("class_name", null);
        request.put("doc_id", null);
        request.put("user_query", query);
        request.put("chat_history", history);
        request.put("source", "main_app");
        request.put("route", route);
        return json.writeValueAsString(request);
    }

    private HttpResponse<String> post(String path, String apiKey, String body, String accept)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Content-Type", "application/json")
                .header("Accept", accept)
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (apiKey != null) {
            request.header("X-API-Key", apiKey);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private List<JsonNode> events(SseClient client) {
        List<JsonNode> events = new ArrayList<>();
        client.data().forEach(data -> events.add(json.readTree(data)));
        return events;
    }

    private static String tokens(List<JsonNode> events) {
        StringBuilder text = new StringBuilder();
        events.stream().filter(e -> e.get("type").asString().equals("token"))
                .forEach(e -> text.append(e.get("content").asString()));
        return text.toString();
    }

    @Test
    void streamsEachTokenAsTheModelProducesItAndEndsWithDone() throws Exception {
        CountDownLatch lastToken = new CountDownLatch(1);
        FAKE.enqueue(Reply.tokens("Mitosis", " splits", " nuclei", " [2]", " and", " cells", " grow", " [1].")
                .usage(321, 8).holdLastTokenUntil(lastToken));

        try (SseClient client = SseClient.open(port, "/api/v1/semantic_search_stream", KEY, body("What is mitosis?"))) {
            assertThat(client.status()).isEqualTo(200);
            assertThat(client.headers().firstValue("Content-Type")).hasValueSatisfying(
                    type -> assertThat(type).startsWith("text/event-stream"));
            assertThat(client.headers().firstValue("Cache-Control")).hasValue("no-cache");
            assertThat(client.headers().firstValue("X-Accel-Buffering")).hasValue("no");
            assertThat(client.headers().firstValue("Content-Encoding")).isEmpty();

            // The model holds its last token back until the client has seen the first one: only a response that
            // streams token by token (no buffering anywhere) gets past this.
            await().atMost(Duration.ofSeconds(15)).until(() -> client.data().stream().anyMatch(d -> d.contains("\"token\"")));
            assertThat(FAKE.lastTokenWrittenAtNanos()).isEmpty();
            lastToken.countDown();
            await().atMost(Duration.ofSeconds(15)).until(client::ended);

            List<JsonNode> events = events(client);
            assertThat(events).filteredOn(e -> e.get("type").asString().equals("token")).hasSize(8);
            assertThat(tokens(events)).isEqualTo("Mitosis splits nuclei [1] and cells grow [2].");
            JsonNode done = events.get(events.size() - 1);
            assertThat(done.get("type").asString()).isEqualTo("done");
            assertThat(done.get("route").asString()).isEqualTo("general_qa");
            assertThat(done.get("provider").asString()).isEqualTo("openai");
            assertThat(done.get("usage").get("promptTokens").asInt()).isEqualTo(321);
            assertThat(done.get("usage").get("completionTokens").asInt()).isEqualTo(8);
            assertThat(done.get("contextTrimmed").asBoolean()).isFalse();
            assertThat(done.get("citations")).hasSize(2);
            assertThat(done.get("citations").get(0).get("number").asInt()).isEqualTo(1);
            assertThat(done.get("citations").get(0).get("docId").asString()).isEqualTo("d2");
            assertThat(done.get("citations").get(0).get("page").isNull()).isTrue();
            assertThat(done.get("citations").get(1).get("page").asInt()).isEqualTo(1);
            assertThat(done.get("chunkReferences").get(0).get("chunkId").asString()).isEqualTo("c2");
            assertThat(done.get("chunkReferences").get(1).get("score").asDouble()).isEqualTo(0.91);
        }
        // every event is one data line followed by a blank line
        assertThat(FAKE.requestBodies()).hasSize(1);
    }

    @Test
    void writesOneDataLineAndABlankLinePerEvent() throws Exception {
        FAKE.enqueue(Reply.tokens("One", " two"));

        try (SseClient client = SseClient.open(port, "/api/v1/semantic_search_stream", KEY, body("Count"))) {
            await().atMost(Duration.ofSeconds(15)).until(client::ended);
            List<String> raw = client.lines().stream().map(SseClient.Line::text).toList();
            assertThat(raw.get(0)).isEqualTo(": keepalive");
            for (int i = 0; i < raw.size(); i++) {
                if (raw.get(i).startsWith("data:") || raw.get(i).startsWith(":")) {
                    assertThat(raw.get(i + 1)).as("line after " + raw.get(i)).isEmpty();
                }
            }
            assertThat(client.data()).hasSize(3);
        }
    }

    @Test
    void theBlockingEndpointReturnsTheSameAnswerAsOneObject() throws Exception {
        FAKE.enqueue(Reply.tokens("Cells", " are", " small", " [1]."));
        String streamed;
        try (SseClient client = SseClient.open(port, "/api/v1/semantic_search_stream", KEY, body("What is a cell?"))) {
            await().atMost(Duration.ofSeconds(15)).until(client::ended);
            streamed = tokens(events(client));
        }
        FAKE.enqueue(Reply.tokens("Cells", " are", " small", " [1]."));

        HttpResponse<String> response = post("/api/v1/semantic_search", KEY, body("What is a cell?"), "application/json");

        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode answer = json.readTree(response.body());
        assertThat(answer.get("answer").asString()).isEqualTo("Cells are small [1].").isEqualTo(streamed);
        assertThat(answer.get("provider").asString()).isEqualTo("openai");
        assertThat(answer.get("citations").get(0).get("title").asString()).isEqualTo("Cells");
        assertThat(answer.has("chunkReferences")).isTrue();
        assertThat(answer.has("usage")).isTrue();
        assertThat(answer.get("contextTrimmed").asBoolean()).isFalse();
    }

    @Test
    void anUpstreamFailureMidStreamBecomesAnErrorEventAndNeverDone() throws Exception {
        FAKE.enqueue(Reply.tokens("Half", " an", " answer").pace(Duration.ofMillis(150)).abortAfter(2));

        try (SseClient client = SseClient.open(port, "/api/v1/semantic_search_stream", KEY, body("Break please"))) {
            await().atMost(Duration.ofSeconds(15)).until(client::ended);
            List<JsonNode> events = events(client);
            assertThat(tokens(events)).isEqualTo("Half an");
            JsonNode last = events.get(events.size() - 1);
            assertThat(last.get("type").asString()).isEqualTo("error");
            assertThat(last.get("code").asString()).isEqualTo("upstream_error");
            assertThat(last.get("message").asString()).isNotBlank();
            assertThat(events).noneMatch(e -> e.get("type").asString().equals("done"));
        }
    }

    @Test
    void theBlockingEndpointAnswersAnUpstreamFailureWithAProblem() throws Exception {
        FAKE.enqueue(Reply.tokens("Half", " an", " answer").errorChunkAfter(1));

        HttpResponse<String> response = post("/api/v1/semantic_search", KEY, body("Break please"), "application/json");

        assertThat(response.statusCode()).isEqualTo(502);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        assertThat(json.readTree(response.body()).get("code").asString()).isEqualTo("upstream_error");
    }

    @Test
    void aPromptTheModelRefusesAsTooLongIsRetriedOnceTrimmed() throws Exception {
        FAKE.enqueue(Reply.httpError(400, "{\"error\":{\"message\":\"This model's maximum context length is 8192 tokens.\","
                + "\"type\":\"invalid_request_error\",\"param\":\"messages\",\"code\":\"context_length_exceeded\"}}"));
        FAKE.enqueue(Reply.tokens("Trimmed", " answer", " [1]."));
        List<Map<String, String>> history = List.of(
                Map.of("role", "user", "content", "one"), Map.of("role", "assistant", "content", "two"),
                Map.of("role", "user", "content", "three"), Map.of("role", "assistant", "content", "four"));

        try (SseClient client = SseClient.open(port, "/api/v1/semantic_search_stream", KEY,
                body("A long conversation", null, history))) {
            await().atMost(Duration.ofSeconds(15)).until(client::ended);
            List<JsonNode> events = events(client);
            assertThat(tokens(events)).isEqualTo("Trimmed answer [1].");
            JsonNode done = events.get(events.size() - 1);
            assertThat(done.get("type").asString()).isEqualTo("done");
            assertThat(done.get("contextTrimmed").asBoolean()).isTrue();
        }
        assertThat(FAKE.requestBodies()).hasSize(2);
        JsonNode first = json.readTree(FAKE.requestBodies().get(0)).get("messages");
        JsonNode retry = json.readTree(FAKE.requestBodies().get(1)).get("messages");
        assertThat(retry.size()).isLessThan(first.size());
        assertThat(retry.get(0).get("content").asString()).contains("A cell is the smallest unit of life.")
                .doesNotContain("Mitosis divides one nucleus");
    }

    @Test
    void aSlowModelGetsKeepalivesWhileNothingElseIsSent() throws Exception {
        FAKE.enqueue(Reply.tokens("Finally").firstTokenAfter(Duration.ofMillis(1500)));

        try (SseClient client = SseClient.open(port, "/api/v1/semantic_search_stream", KEY, body("Take your time"))) {
            await().atMost(Duration.ofSeconds(15)).until(client::ended);
            List<String> raw = client.lines().stream().map(SseClient.Line::text).filter(line -> !line.isEmpty()).toList();
            int firstData = raw.indexOf(raw.stream().filter(line -> line.startsWith("data:")).findFirst().orElseThrow());
            // the opening comment plus one per 300 ms of the 1.5 s silence (generous margin for a busy machine)
            assertThat(raw.subList(0, firstData)).allMatch(": keepalive"::equals).hasSizeGreaterThanOrEqualTo(3);
            assertThat(tokens(events(client))).isEqualTo("Finally");
        }
    }

    @Test
    void statusAndHeadersGoOutBeforeRetrievalFinishes() throws Exception {
        FAKE.enqueue(Reply.tokens("Done"));

        try (SseClient client = SseClient.open(port, "/api/v1/semantic_search_stream", KEY, body("hold retrieval now"))) {
            // SseClient.open returned: status and headers are in while retrieval is still held
            assertThat(client.status()).isEqualTo(200);
            await().atMost(Duration.ofSeconds(5)).until(() -> client.keepalives() >= 1);
            assertThat(client.data()).isEmpty();
            assertThat(FAKE.requestBodies()).isEmpty();

            retrievalGate.tryEmitValue(true);
            await().atMost(Duration.ofSeconds(15)).until(client::ended);
            assertThat(tokens(events(client))).isEqualTo("Done");
        }
    }

    @Test
    void aClientDisconnectClosesTheConnectionToTheModel() throws Exception {
        String[] many = new String[500];
        java.util.Arrays.fill(many, " more");
        FAKE.enqueue(Reply.tokens(many).pace(Duration.ofMillis(20)));

        SseClient client = SseClient.open(port, "/api/v1/semantic_search_stream", KEY, body("Go on forever"));
        await().atMost(Duration.ofSeconds(15)).until(() -> client.data().size() >= 3);
        long closedAt = System.nanoTime();
        client.close();

        await().atMost(Duration.ofSeconds(5)).until(() -> !FAKE.clientClosedAtNanos().isEmpty());
        long delayMs = TimeUnit.NANOSECONDS.toMillis(FAKE.clientClosedAtNanos().get(0) - closedAt);
        assertThat(delayMs).as("model connection closed %d ms after the client left", delayMs).isLessThan(2000);
    }

    @Test
    void eachRoutesPromptTemplateReachesTheModel() throws Exception {
        for (Route route : Route.values()) {
            FAKE.reset();
            FAKE.enqueue(Reply.tokens("ok"));
            String template = new ClassPathResource("prompts/" + route.wireName() + ".txt")
                    .getContentAsString(StandardCharsets.UTF_8).replace("\r\n", "\n");
            String[] around = template.split("\\{\\{sources}}", 2);

            HttpResponse<String> response = post("/api/v1/semantic_search", KEY,
                    body("Question for " + route.wireName(), route.wireName(),
                            List.of(Map.of("role", "user", "content", "earlier"), Map.of("role", "assistant", "content", "reply"))),
                    "application/json");

            assertThat(response.statusCode()).as(route.wireName()).isEqualTo(200);
            assertThat(json.readTree(response.body()).get("route").asString()).isEqualTo(route.wireName());
            JsonNode sent = json.readTree(FAKE.requestBodies().get(0));
            JsonNode messages = sent.get("messages");
            assertThat(messages.get(0).get("role").asString()).isEqualTo("system");
            String system = messages.get(0).get("content").asString();
            assertThat(system).as(route.wireName()).contains(around[0].strip());
            if (around.length > 1 && !around[1].isBlank()) {
                assertThat(system).contains(around[1].strip());
            }
            if (route == Route.LIBRARY_OVERVIEW) {
                // Answered from the library's documents, not the similarity search; this test's library is empty.
                assertThat(system).contains("(no sources matched this question)");
            } else {
                assertThat(system).contains("A cell is the smallest unit of life.", "Mitosis divides one nucleus");
            }
            assertThat(messages.get(messages.size() - 1).get("content").asString()).isEqualTo("Question for " + route.wireName());
            assertThat(messages.toString()).contains("earlier", "reply");
        }
    }

    @Test
    void everyApiCallNeedsTheKey() throws Exception {
        HttpResponse<String> missing = post("/api/v1/semantic_search_stream", null, body("hi"), "text/event-stream");
        HttpResponse<String> wrong = post("/api/v1/semantic_search", "nope", body("hi"), "application/json");

        for (HttpResponse<String> response : List.of(missing, wrong)) {
            assertThat(response.statusCode()).isEqualTo(401);
            assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
            JsonNode problem = json.readTree(response.body());
            assertThat(problem.get("code").asString()).isEqualTo("unauthorized");
            assertThat(problem.get("status").asInt()).isEqualTo(401);
        }
        assertThat(FAKE.requestBodies()).isEmpty();
    }

    @Test
    void healthNeedsNoKey() throws Exception {
        HttpResponse<String> health = get("/actuator/health");

        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(health.body()).contains("\"status\"");
    }

    @Test
    void badInputIsA400ProblemBeforeAnyStreaming() throws Exception {
        String history = json.writeValueAsString(Map.of("user_id", "u1", "user_query", "ok",
                "chat_history", List.of(Map.of("role", "user", "content", "x".repeat(32_001)))));
        List<String> bodies = List.of(
                "{\"user_id\":\"u1\",\"user_query\":",                 // malformed JSON
                body(""),                                                // empty query
                body("   "),                                             // blank query
                body("q".repeat(8_001)),                                 // query too long
                history,                                                 // history too long
                body("ok", "no_such_route", List.of()));                 // unknown route

        for (String bad : bodies) {
            for (String accept : List.of("text/event-stream", "*/*")) {
                HttpResponse<String> response = post("/api/v1/semantic_search_stream", KEY, bad, accept);
                assertThat(response.statusCode()).as(bad.length() > 80 ? bad.substring(0, 80) : bad).isEqualTo(400);
                assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
                JsonNode problem = json.readTree(response.body());
                assertThat(problem.get("code").asString()).isEqualTo("bad_request");
                assertThat(problem.get("detail").asString()).doesNotContain("Exception");
            }
        }
        HttpResponse<String> blocking = post("/api/v1/semantic_search", KEY, body(""), "application/json");
        assertThat(blocking.statusCode()).isEqualTo(400);
        assertThat(FAKE.requestBodies()).isEmpty();
    }

    private String bodyWith(String query, Map<String, Object> extra) {
        Map<String, Object> request = new java.util.LinkedHashMap<>();
        request.put("user_id", "u1");
        request.put("user_query", query);
        request.put("chat_history", List.of());
        request.putAll(extra);
        return json.writeValueAsString(request);
    }

    @Test
    void listsTheOfferedModelsExactlyAsTheContractShowsThem() throws Exception {
        HttpResponse<String> noKey = get("/api/v1/models");
        HttpResponse<String> models = http.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port + "/api/v1/models")).header("X-API-Key", KEY).GET().build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(noKey.statusCode()).isEqualTo(401);
        assertThat(models.statusCode()).isEqualTo(200);
        assertThat(models.headers().firstValue("Content-Type")).hasValue("application/json");
        assertThat(models.body()).isEqualTo("{\"default\":\"openai:gpt-4o-mini\",\"models\":["
                + "{\"id\":\"openai:gpt-4o-mini\",\"provider\":\"openai\",\"model\":\"gpt-4o-mini\"},"
                + "{\"id\":\"openai:gpt-4o\",\"provider\":\"openai\",\"model\":\"gpt-4o\"},"
                + "{\"id\":\"local\",\"provider\":\"local\",\"model\":null}]}")
                .isEqualTo(java.nio.file.Files.readString(java.nio.file.Path.of("..", "docs", "protocol", "ai-models.json")).strip());
    }

    @Test
    void theChosenModelAnswersAndDoneNamesIt() throws Exception {
        FAKE.enqueue(Reply.tokens("Big", " model", " [1]."));
        try (SseClient client = SseClient.open(port, "/api/v1/semantic_search_stream", KEY,
                bodyWith("What is a cell?", Map.of("model", "openai:gpt-4o")))) {
            await().atMost(Duration.ofSeconds(15)).until(client::ended);
            JsonNode done = events(client).get(events(client).size() - 1);
            assertThat(done.get("type").asString()).isEqualTo("done");
            assertThat(done.get("provider").asString()).isEqualTo("openai");
            assertThat(done.get("model").asString()).isEqualTo("gpt-4o");
        }
        assertThat(json.readTree(FAKE.requestBodies().get(0)).get("model").asString()).isEqualTo("gpt-4o");

        // Without "model": the default, on the same OpenAI-compatible server.
        FAKE.enqueue(Reply.tokens("Small", " model."));
        HttpResponse<String> byDefault = post("/api/v1/semantic_search", KEY, bodyWith("What is a cell?", Map.of()),
                "application/json");
        assertThat(json.readTree(byDefault.body()).get("model").asString()).isEqualTo("gpt-4o-mini");
        assertThat(json.readTree(FAKE.requestBodies().get(1)).get("model").asString()).isEqualTo("gpt-4o-mini");

        // The offline model never reaches the server; done says so with a null model.
        HttpResponse<String> local = post("/api/v1/semantic_search", KEY,
                bodyWith("What is a cell?", Map.of("model", "local")), "application/json");
        JsonNode answer = json.readTree(local.body());
        assertThat(answer.get("provider").asString()).isEqualTo("local");
        assertThat(answer.has("model")).isTrue();
        assertThat(answer.get("model").isNull()).isTrue();
        assertThat(answer.get("answer").asString()).contains("A cell is the smallest unit of life.");
        assertThat(FAKE.requestBodies()).hasSize(2);
    }

    @Test
    void anUnknownModelOrModeIsA400ProblemAndReachesNoModel() throws Exception {
        for (Map<String, Object> bad : List.<Map<String, Object>>of(Map.of("model", "openai:gpt-5-turbo"),
                Map.of("model", "gemini:pro"), Map.of("model", ""), Map.of("mode", "deeper"))) {
            for (String path : List.of("/api/v1/semantic_search_stream", "/api/v1/semantic_search")) {
                HttpResponse<String> response = post(path, KEY, bodyWith("Hi", bad), "*/*");
                assertThat(response.statusCode()).as("%s %s", path, bad).isEqualTo(400);
                assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
                assertThat(json.readTree(response.body()).get("code").asString()).isEqualTo("bad_request");
            }
        }
        assertThat(FAKE.requestBodies()).isEmpty();
    }

    @Test
    void queryAndHistoryAtTheirLimitsAreAccepted() throws Exception {
        FAKE.enqueue(Reply.tokens("ok"));
        String atLimits = json.writeValueAsString(Map.of("user_id", "u1", "user_query", "q".repeat(8_000),
                "chat_history", List.of(Map.of("role", "user", "content", "x".repeat(16_000)),
                        Map.of("role", "assistant", "content", "y".repeat(16_000)))));

        HttpResponse<String> response = post("/api/v1/semantic_search", KEY, atLimits, "application/json");

        assertThat(response.statusCode()).isEqualTo(200);
    }

    @Test
    void publishesStreamMetricsWithHistograms() throws Exception {
        FAKE.enqueue(Reply.tokens("metered"));
        post("/api/v1/semantic_search", KEY, body("Count me"), "application/json");

        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            // Every path but the health probes needs the key, the metrics too.
            String metrics = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/actuator/prometheus"))
                    .header("X-API-Key", KEY).GET().build(), HttpResponse.BodyHandlers.ofString()).body();
            assertThat(metrics).contains("ai_stream_started_total", "ai_stream_finished_total{",
                    "outcome=\"complete\"", "ai_stream_duration_seconds_bucket", "ai_stream_first_token_seconds_bucket");
        });
    }
}
