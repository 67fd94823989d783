package dev.streamchat.ai.rag;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.streamchat.ai.model.local.LocalStreamingChatModel;
import dev.streamchat.ai.route.PromptBuilder;
import dev.streamchat.ai.route.Route;
import dev.streamchat.ai.route.RouteDetector;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Questions about the library itself (the fixture table {@code rag/library-questions.json}) over the real sample
 * library: they are routed to {@code library_overview}, the overview passages hold every ready document of the scope,
 * and the offline model's answer cites every document and quotes only what its cited passages say.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LibraryOverviewAnswersTests {

    static final Path FIXTURES = Path.of("src/test/resources/rag/library-questions.json");

    record Fixture(String question, boolean studyGuide) {
        @Override
        public String toString() {
            return question;
        }
    }

    private RagTestSupport rag;
    private LibraryOverview overview;
    private final PromptBuilder prompts = new PromptBuilder();
    private final LocalStreamingChatModel model = new LocalStreamingChatModel(100_000);

    @BeforeAll
    void load() {
        rag = RagTestSupport.shared();
        overview = new LibraryOverview(rag.documents, rag.chunks);
    }

    static JsonNode table() throws IOException {
        return JsonMapper.builder().build().readTree(Files.readString(FIXTURES));
    }

    static Stream<Arguments> fixtures() throws IOException {
        List<Arguments> fixtures = new ArrayList<>();
        for (JsonNode q : table().get("questions")) {
            fixtures.add(Arguments.of(new Fixture(q.get("question").asString(), q.get("studyGuide").asBoolean())));
        }
        return fixtures.stream();
    }

    static List<String> requiredCitations() throws IOException {
        List<String> ids = new ArrayList<>();
        table().get("requiredCitations").forEach(id -> ids.add(id.asString()));
        return ids;
    }

    private String answer(String question, List<Passage> passages) throws Exception {
        CompletableFuture<ChatResponse> done = new CompletableFuture<>();
        model.chat(ChatRequest.builder().messages(prompts.build(Route.LIBRARY_OVERVIEW, question, List.of(), passages))
                .build(), new StreamingChatResponseHandler() {
                    @Override
                    public void onCompleteResponse(ChatResponse response) {
                        done.complete(response);
                    }

                    @Override
                    public void onError(Throwable error) {
                        done.completeExceptionally(error);
                    }
                });
        return done.get(10, TimeUnit.SECONDS).aiMessage().text();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void answersFromEveryDocumentWithCitations(Fixture fixture) throws Exception {
        assertThat(new RouteDetector().detect(fixture.question(), List.of())).isEqualTo(Route.LIBRARY_OVERVIEW);
        List<Passage> passages = overview.passages(new SearchScope("library-newcomer", null, null)).block();

        String answer = answer(fixture.question(), passages);

        assertThat(answer).doesNotContain("couldn't find");
        if (fixture.studyGuide()) {
            assertThat(answer).startsWith("## Study guide").contains("### Check your understanding");
        }
        Set<String> cited = new LinkedHashSet<>();
        Matcher marker = Pattern.compile("\\[(\\d+)]").matcher(answer);
        while (marker.find()) {
            int n = Integer.parseInt(marker.group(1));
            assertThat(n).as("marker [%d] names a source", n).isBetween(1, passages.size());
            cited.add(passages.get(n - 1).docId());
        }
        assertThat(cited).containsExactlyInAnyOrderElementsOf(requiredCitations());
        // Every quotation is verbatim from the source it cites.
        Matcher quote = Pattern.compile("\"([^\"]{20,})\" \\[(\\d+)]").matcher(answer);
        int quotes = 0;
        while (quote.find()) {
            quotes++;
            Passage source = passages.get(Integer.parseInt(quote.group(2)) - 1);
            assertThat(source.text().replaceAll("\\s+", " ")).contains(quote.group(1));
        }
        assertThat(quotes + (fixture.studyGuide() ? 1 : 0)).isPositive();
    }

    @Test
    void aModelProviderIsPromptedWithEveryDocumentNumberedAsASource() throws Exception {
        List<Passage> passages = overview.passages(new SearchScope("library-newcomer", null, null)).block();

        String system = ((dev.langchain4j.data.message.SystemMessage) prompts.build(Route.LIBRARY_OVERVIEW,
                "What do the sample documents cover?", List.of(), passages).get(0)).text();

        assertThat(system).startsWith("Task: library_overview.").contains("an opening passage of one document");
        for (String title : List.of("The Heart: Anatomy, Chambers and Valves",
                "The Heartbeat: Conduction System, ECG and Cardiac Cycle", "Blood Vessels and the Circuits of Circulation",
                "Blood: Composition, Functions and Clotting", "Blood Pressure and Its Regulation",
                "Cardiovascular Disease and Heart Health")) {
            assertThat(system).contains("title=\"" + title + "\"");
        }
        assertThat(system).contains("<source id=\"" + passages.size() + "\"");
        // The shared library comes in its manifest's order.
        assertThat(passages.get(0).docId()).isEqualTo("sample-heart-anatomy");
    }

    @Test
    void aSingleDocumentScopeGetsSeveralOfItsPassagesAndAnEmptyLibraryNone() {
        List<Passage> one = overview.passages(new SearchScope("library-newcomer", null, "sample-blood")).block();
        assertThat(one).hasSizeGreaterThan(1).allSatisfy(p -> assertThat(p.docId()).isEqualTo("sample-blood"));

        List<Passage> all = overview.passages(new SearchScope("library-newcomer", null, null)).block();
        assertThat(all).extracting(Passage::docId).containsAll(List.of("sample-heart-anatomy", "sample-blood"));
        assertThat(all).hasSizeLessThanOrEqualTo(LibraryOverview.MAX_PASSAGES);

        assertThat(overview.passages(new SearchScope("library-newcomer", null, "no-such-doc")).block()).isEmpty();
    }
}
