package dev.streamchat.ai.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
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
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import dev.streamchat.ai.config.BlockingCalls;
import dev.streamchat.ai.config.EmbeddedStores;
import dev.streamchat.ai.model.FakeOpenAiServer;
import dev.streamchat.ai.model.FakeOpenAiServer.Reply;
import dev.streamchat.ai.rag.Passage;
import dev.streamchat.ai.rag.Retriever;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Deep Research on the whole ai-service with the real LangChain4j OpenAI client against a fake OpenAI server: the
 * requests of each phase (plan, one update per sub-question with its own retrieval, conclusion), the one SSE stream
 * with its progress events, tokens and one {@code done} whose citations span every phase, early completion, and a
 * client disconnect closing the model connection mid-research.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "AI_SERVICE_API_KEY=" + DeepResearchIT.KEY,
        "ai.model.provider=openai",
        "ai.model.openai.api-key=sk-test",
        "ai.model.openai.max-tokens=256",
        "ai.model.models=openai:gpt-4o-mini,openai:gpt-4o",
        "ai.research.max-iterations=5",
        "ai.rag.sample-library=false",
        "ai.tpm.limit=1000000"})
class DeepResearchIT {

    static final String KEY = "deep-research-it-key";
    static final java.nio.file.Path FIXTURE = java.nio.file.Path.of("..", "docs", "protocol", "ai-stream-deep-research.sse");

    static {
        BlockingCalls.install();
    }

    static final FakeOpenAiServer FAKE = FakeOpenAiServer.start();

    static final Passage HEART = new Passage("c-heart", "d-heart", "The Heart", 2,
            "The heart pumps blood through two circuits.", 0.9);
    static final Passage BLOOD = new Passage("c-blood", "d-blood", "Blood", null,
            "Blood is mostly plasma, a watery fluid.", 0.8);
    static final Passage VESSELS = new Passage("c-vessels", "d-vessels", "Vessels", null,
            "Arteries carry blood away from the heart.", 0.7);

    /** Each question gets the passages whose keyword it contains, in table order: retrieval differs per sub-question. */
    @TestConfiguration
    static class KeywordRetrieval {
        @Bean
        @Primary
        Retriever keywordRetriever() {
            return (scope, query) -> {
                String q = query.toLowerCase(Locale.ROOT);
                List<Passage> found = new ArrayList<>();
                if (q.contains("heart")) {
                    found.add(HEART);
                }
                if (q.contains("blood")) {
                    found.add(BLOOD);
                }
                if (q.contains("arter")) {
                    found.add(VESSELS);
                }
                return Mono.just(found);
            };
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

    @BeforeEach
    void resetFake() {
        FAKE.reset();
    }

    private String body(String query, Map<String, Object> extra) {
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("user_id", "u1");
        request.put("user_query", query);
        request.put("chat_history", List.of());
        request.putAll(extra);
        return json.writeValueAsString(request);
    }

    private List<JsonNode> events(SseClient client) {
        List<JsonNode> events = new ArrayList<>();
        client.data().forEach(data -> events.add(json.readTree(data)));
        return events;
    }

    private static String type(JsonNode event) {
        return event.get("type").asString();
    }

    private static String tokens(List<JsonNode> events) {
        StringBuilder text = new StringBuilder();
        events.stream().filter(e -> type(e).equals("token")).forEach(e -> text.append(e.get("content").asString()));
        return text.toString();
    }

    private static String progress(JsonNode e) {
        return e.get("iteration").asInt() + "/" + e.get("of").asInt() + " " + e.get("phase").asString() + ": "
                + e.get("title").asString();
    }

    private JsonNode request(int i) {
        return json.readTree(FAKE.requestBodies().get(i));
    }

    private static String system(JsonNode request) {
        return request.get("messages").get(0).get("content").asString();
    }

    private static String lastUserMessage(JsonNode request) {
        JsonNode messages = request.get("messages");
        return messages.get(messages.size() - 1).get("content").asString();
    }

    @Test
    void plansResearchesEachSubQuestionWithItsOwnSourcesAndConcludesInOneStream() throws Exception {
        FAKE.enqueue(Reply.tokens("I will research two things:\n", "1. How does the heart pump?\n", "2. What is in blood?"));
        FAKE.enqueue(Reply.tokens("The heart pumps", " blood [", "1]."));
        FAKE.enqueue(Reply.tokens("Blood is mostly", " plasma [1]", " [7]."));
        FAKE.enqueue(Reply.tokens("The heart pumps [1]", " and blood is plasma [2]."));

        try (SseClient client = SseClient.open(port, "/api/v1/semantic_search_stream", KEY,
                body("How does the heart pump blood, and what is in blood?", Map.of("mode", "deep_research")))) {
            assertThat(client.status()).isEqualTo(200);
            await().atMost(Duration.ofSeconds(30)).until(client::ended);
            List<JsonNode> events = events(client);

            assertThat(events.stream().filter(e -> type(e).equals("progress")).map(DeepResearchIT::progress)).containsExactly(
                    "1/5 plan: Research plan",
                    "2/4 research: How does the heart pump?",
                    "3/4 research: What is in blood?",
                    "4/4 conclusion: Conclusion");
            // Each progress event comes before its phase's tokens: the first token after it is the phase's heading.
            for (int i = 0; i < events.size() - 1; i++) {
                if (type(events.get(i)).equals("progress")) {
                    assertThat(type(events.get(i + 1))).isEqualTo("token");
                    assertThat(events.get(i + 1).get("content").asString()).contains("## ");
                }
            }
            assertThat(tokens(events)).isEqualTo("## Research plan\n\n"
                    + "I will research two things:\n1. How does the heart pump?\n2. What is in blood?"
                    + "\n\n## How does the heart pump?\n\nThe heart pumps blood [1]."
                    + "\n\n## What is in blood?\n\nBlood is mostly plasma [2] ."
                    + "\n\n## Conclusion\n\nThe heart pumps [1] and blood is plasma [2].");
            JsonNode done = events.get(events.size() - 1);
            assertThat(type(done)).isEqualTo("done");
            assertThat(events.stream().filter(e -> type(e).equals("done"))).hasSize(1);
            assertThat(done.get("route").asString()).isEqualTo("deep_research");
            assertThat(done.get("provider").asString()).isEqualTo("openai");
            assertThat(done.get("model").asString()).isEqualTo("gpt-4o-mini");
            assertThat(done.get("citations")).hasSize(2);
            assertThat(done.get("citations").get(0).get("docId").asString()).isEqualTo("d-heart");
            assertThat(done.get("citations").get(0).get("page").asInt()).isEqualTo(2);
            assertThat(done.get("citations").get(1).get("docId").asString()).isEqualTo("d-blood");
            assertThat(done.get("chunkReferences").get(1).get("chunkId").asString()).isEqualTo("c-blood");
            assertThat(done.get("usage").get("promptTokens").asInt()).isEqualTo(4 * 11);
            // The recorded fixture the gateway side builds on is exactly what the service sends.
            assertThat(client.data()).isEqualTo(java.nio.file.Files.readAllLines(FIXTURE).stream()
                    .filter(line -> line.startsWith("data: ")).map(line -> line.substring("data: ".length())).toList());
        }

        assertThat(FAKE.requestBodies()).hasSize(4);
        for (int i = 0; i < 4; i++) {
            assertThat(request(i).get("model").asString()).isEqualTo("gpt-4o-mini");
        }
        assertThat(system(request(0))).startsWith("Task: research_plan.").contains("at most 3 focused sub-questions",
                HEART.text(), BLOOD.text());
        assertThat(lastUserMessage(request(0))).isEqualTo("How does the heart pump blood, and what is in blood?");
        // The first step retrieved for its own sub-question: the heart passage alone, as source [1].
        assertThat(system(request(1))).startsWith("Task: research_update.").contains(
                "<source id=\"1\" title=\"The Heart\" page=\"2\">", "(none yet)").doesNotContain(BLOOD.text());
        assertThat(lastUserMessage(request(1))).isEqualTo("How does the heart pump?");
        assertThat(system(request(2))).contains("<source id=\"1\" title=\"Blood\">", "answered=\"yes\"",
                "The heart pumps blood [1].").doesNotContain(HEART.text());
        assertThat(lastUserMessage(request(2))).isEqualTo("What is in blood?");
        // The conclusion's sources carry the numbers the answer gave them.
        assertThat(system(request(3))).startsWith("Task: research_conclusion.").contains(
                "<source id=\"1\" title=\"The Heart\" page=\"2\">\n" + HEART.text(),
                "<source id=\"2\" title=\"Blood\">\n" + BLOOD.text(),
                "<finding question=\"What is in blood?\" answered=\"yes\">\nBlood is mostly plasma [2] .");
    }

    @Test
    void theSeedsPrefixAsksForDeepResearchAndAnUpdateCanConcludeEarly() throws Exception {
        FAKE.enqueue(Reply.tokens("Plan:\n1. How do arteries work?\n2. What does the heart do?\n3. What is blood?"));
        FAKE.enqueue(Reply.tokens("Arteries carry blood away [1].\n\nThis concludes our research."));
        FAKE.enqueue(Reply.tokens("Arteries carry blood away from the heart [1]."));

        try (SseClient client = SseClient.open(port, "/api/v1/semantic_search_stream", KEY,
                body("[DEEP RESEARCH] How do arteries work?", Map.of("model", "openai:gpt-4o")))) {
            await().atMost(Duration.ofSeconds(30)).until(client::ended);
            List<JsonNode> events = events(client);

            assertThat(events.stream().filter(e -> type(e).equals("progress")).map(DeepResearchIT::progress)).containsExactly(
                    "1/5 plan: Research plan",
                    "2/5 research: How do arteries work?",
                    "3/3 conclusion: Conclusion");
            JsonNode done = events.get(events.size() - 1);
            assertThat(done.get("model").asString()).isEqualTo("gpt-4o");
            assertThat(done.get("citations")).hasSize(1);
            assertThat(tokens(events)).endsWith("## Conclusion\n\nArteries carry blood away from the heart [1].");
        }
        assertThat(FAKE.requestBodies()).hasSize(3);
        assertThat(request(0).get("model").asString()).isEqualTo("gpt-4o");
        assertThat(lastUserMessage(request(0))).isEqualTo("How do arteries work?");
        assertThat(system(request(2))).startsWith("Task: research_conclusion.");
    }

    @Test
    void theBlockingEndpointGivesTheWholeReportAsOneAnswer() throws Exception {
        FAKE.enqueue(Reply.tokens("1. What is blood?"));
        FAKE.enqueue(Reply.tokens("Plasma [1]."));
        FAKE.enqueue(Reply.tokens("Blood is plasma [1]."));

        java.net.http.HttpResponse<String> response = java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + port + "/api/v1/semantic_search"))
                        .header("Content-Type", "application/json").header("X-API-Key", KEY)
                        .POST(java.net.http.HttpRequest.BodyPublishers.ofString(
                                body("What is blood?", Map.of("mode", "deep_research")))).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode answer = json.readTree(response.body());
        assertThat(answer.get("answer").asString()).isEqualTo("## Research plan\n\n1. What is blood?"
                + "\n\n## What is blood?\n\nPlasma [1].\n\n## Conclusion\n\nBlood is plasma [1].");
        assertThat(answer.get("route").asString()).isEqualTo("deep_research");
        assertThat(answer.get("citations")).hasSize(1);
    }

    @Test
    void aClientDisconnectMidResearchClosesTheModelConnectionAndStartsNoOtherPhase() throws Exception {
        FAKE.enqueue(Reply.tokens("1. What does the heart do?\n2. What is blood?"));
        String[] many = new String[500];
        java.util.Arrays.fill(many, " beat");
        FAKE.enqueue(Reply.tokens(many).pace(Duration.ofMillis(20)));

        SseClient client = SseClient.open(port, "/api/v1/semantic_search_stream", KEY,
                body("What does the heart do and what is blood?", Map.of("mode", "deep_research")));
        await().atMost(Duration.ofSeconds(30)).until(() -> client.data().stream()
                .filter(d -> d.contains("\"content\":\" beat\"")).count() >= 3);
        assertThat(client.data()).anyMatch(d -> d.contains("\"phase\":\"research\""));
        long closedAt = System.nanoTime();
        client.close();

        await().atMost(Duration.ofSeconds(5)).until(() -> !FAKE.clientClosedAtNanos().isEmpty());
        long delayMs = TimeUnit.NANOSECONDS.toMillis(FAKE.clientClosedAtNanos().get(0) - closedAt);
        assertThat(delayMs).as("model connection closed %d ms after the client left", delayMs).isLessThan(1000);
        assertThat(FAKE.requestBodies()).as("no research step or conclusion after the disconnect").hasSize(2);
    }
}
