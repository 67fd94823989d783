package dev.streamchat.ai.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import dev.streamchat.ai.config.EmbeddedStores;
import dev.streamchat.infra.EmbeddedMongo;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The offline provider on the whole ai-service over the real sample library (loaded at startup into its own
 * MongoDB-wire server), read through real HTTP/SSE: questions about the library itself answered from every document
 * with citations (the fixture table {@code rag/library-questions.json}), and Deep Research done extractively.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "AI_SERVICE_API_KEY=" + LocalProviderIT.KEY,
        "ai.model.provider=local",
        "ai.local.tokens-per-second=5000",
        "ai.research.max-iterations=5"})
class LocalProviderIT {

    static final String KEY = "local-provider-it-key";
    static final EmbeddedMongo MONGO = EmbeddedMongo.inMemory();
    static final Path LIBRARY_QUESTIONS = Path.of("src/test/resources/rag/library-questions.json");
    private static final Pattern QUOTE = Pattern.compile("\"([^\"]{20,})\" \\[(\\d+)]");

    @DynamicPropertySource
    static void stores(DynamicPropertyRegistry registry) {
        registry.add("spring.mongodb.uri", () -> MONGO.uri("chat"));
        registry.add("spring.data.redis.url", EmbeddedStores::redisUrl);
    }

    @LocalServerPort
    int port;

    @Autowired
    JsonMapper json;

    private List<JsonNode> ask(String query, Map<String, Object> extra) throws Exception {
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("user_id", "newcomer");
        request.put("user_query", query);
        request.put("chat_history", List.of());
        request.putAll(extra);
        try (SseClient client = SseClient.open(port, "/api/v1/semantic_search_stream", KEY, json.writeValueAsString(request))) {
            assertThat(client.status()).isEqualTo(200);
            await().atMost(Duration.ofSeconds(60)).until(client::ended);
            List<JsonNode> events = new ArrayList<>();
            client.data().forEach(data -> events.add(json.readTree(data)));
            return events;
        }
    }

    private static String text(List<JsonNode> events) {
        StringBuilder out = new StringBuilder();
        events.stream().filter(e -> e.get("type").asString().equals("token")).forEach(e -> out.append(e.get("content").asString()));
        return out.toString();
    }

    private static JsonNode done(List<JsonNode> events) {
        JsonNode last = events.get(events.size() - 1);
        assertThat(last.get("type").asString()).as(last.toString()).isEqualTo("done");
        return last;
    }

    /** Every quotation is verbatim from the passage its marker cites (the citation's quote starts that passage). */
    private static void quotesAreFromTheirCitations(String text, JsonNode done) {
        Matcher quote = QUOTE.matcher(text);
        while (quote.find()) {
            int n = Integer.parseInt(quote.group(2));
            assertThat(n).isBetween(1, done.get("citations").size());
            assertThat(done.get("citations").get(n - 1).get("number").asInt()).isEqualTo(n);
        }
    }

    @Test
    void questionsAboutTheLibraryAreAnsweredFromEveryDocumentWithCitations() throws Exception {
        JsonNode table = JsonMapper.builder().build().readTree(Files.readString(LIBRARY_QUESTIONS));
        List<String> required = new ArrayList<>();
        table.get("requiredCitations").forEach(id -> required.add(id.asString()));
        for (JsonNode fixture : table.get("questions")) {
            String question = fixture.get("question").asString();

            List<JsonNode> events = ask(question, Map.of());

            JsonNode done = done(events);
            String text = text(events);
            assertThat(done.get("route").asString()).as(question).isEqualTo("library_overview");
            assertThat(done.get("provider").asString()).isEqualTo("local");
            assertThat(done.get("model").isNull()).isTrue();
            assertThat(text).as(question).doesNotContain("couldn't find");
            Set<String> cited = new LinkedHashSet<>();
            done.get("citations").forEach(c -> cited.add(c.get("docId").asString()));
            assertThat(cited).as(question).containsExactlyInAnyOrderElementsOf(required);
            // Numbers run [1]..[n] in order of first use.
            Matcher marker = Pattern.compile("\\[(\\d+)]").matcher(text);
            int highest = 0;
            while (marker.find()) {
                int n = Integer.parseInt(marker.group(1));
                assertThat(n).as(text).isLessThanOrEqualTo(highest + 1);
                highest = Math.max(highest, n);
            }
            assertThat(highest).isEqualTo(done.get("citations").size());
            quotesAreFromTheirCitations(text, done);
        }
    }

    @Test
    void deepResearchIsExtractiveAndSaysWhatItDidNotFind() throws Exception {
        List<JsonNode> events = ask("[DEEP RESEARCH] What does the mitral valve do, how is cardiac output calculated, "
                + "and who wrote War and Peace?", Map.of());

        List<String> progress = events.stream().filter(e -> e.get("type").asString().equals("progress"))
                .map(e -> e.get("iteration").asInt() + "/" + e.get("of").asInt() + " " + e.get("phase").asString()
                        + ": " + e.get("title").asString()).toList();
        assertThat(progress).containsExactly(
                "1/5 plan: Research plan",
                "2/5 research: What does the mitral valve do?",
                "3/5 research: How is cardiac output calculated?",
                "4/5 research: Who wrote War and Peace?",
                "5/5 conclusion: Conclusion");
        JsonNode done = done(events);
        String text = text(events);
        assertThat(done.get("route").asString()).isEqualTo("deep_research");
        assertThat(done.get("citations").size()).isGreaterThanOrEqualTo(2);
        assertThat(text).startsWith("## Research plan\n\nI will look in your sources for each part of the question:\n\n"
                + "1. What does the mitral valve do?\n2. How is cardiac output calculated?\n3. Who wrote War and Peace?");
        String warAndPeace = text.substring(text.indexOf("## Who wrote War and Peace?"), text.indexOf("## Conclusion"));
        assertThat(warAndPeace).contains("Your sources don't answer this").doesNotContainPattern("\\[\\d+]");
        String conclusion = text.substring(text.indexOf("## Conclusion"));
        assertThat(conclusion).contains("Your sources answer 2 of the 3 parts of the question.",
                "Found in the sources:", "- What does the mitral valve do? \"", "Not found in the sources:\n- Who wrote War and Peace?");
        quotesAreFromTheirCitations(text, done);
        Set<String> docs = new LinkedHashSet<>();
        done.get("citations").forEach(c -> docs.add(c.get("docId").asString()));
        assertThat(docs).contains("sample-heart-anatomy", "sample-heartbeat");
    }
}
