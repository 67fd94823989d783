package dev.streamchat.ai.rag;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.streamchat.ai.model.local.LocalStreamingChatModel;
import dev.streamchat.ai.route.PromptBuilder;
import dev.streamchat.ai.route.Route;

/**
 * The offline provider over the real sample library: every fixture question, retrieved for real, gets a direct answer
 * that quotes its sources verbatim with their numbers; off-topic questions get the honest "couldn't find".
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SampleLibraryAnswersTests {

    private RagTestSupport rag;
    private final PromptBuilder prompts = new PromptBuilder();
    private final LocalStreamingChatModel model = new LocalStreamingChatModel(100_000);

    @BeforeAll
    void load() {
        rag = RagTestSupport.shared();
    }


    static java.util.stream.Stream<org.junit.jupiter.params.provider.Arguments> fixtures() throws java.io.IOException {
        return SampleLibraryRetrievalTests.fixtures();
    }

    private String answer(Route route, String question, List<Passage> passages) throws Exception {
        CompletableFuture<ChatResponse> done = new CompletableFuture<>();
        model.chat(ChatRequest.builder().messages(prompts.build(route, question, List.of(), passages)).build(),
                new StreamingChatResponseHandler() {
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
    void answersEveryFixtureFromItsSourcesOrSaysItCannot(SampleLibraryRetrievalTests.Fixture fixture) throws Exception {
        List<Passage> passages = rag.retriever.retrieve(new SearchScope("student", null, null), fixture.question()).block();

        String answer = answer(Route.GENERAL_QA, fixture.question(), passages);

        if (fixture.docId() == null) {
            assertThat(answer).startsWith("I couldn't find anything about this");
            return;
        }
        assertThat(answer).startsWith("According to ");
        Matcher quote = Pattern.compile("\"([^\"]+)\" \\[(\\d)]").matcher(answer);
        assertThat(quote.find()).as(answer).isTrue();
        Passage cited = passages.get(Integer.parseInt(quote.group(2)) - 1);
        assertThat(cited.text().replaceAll("\\s+", " ")).contains(quote.group(1));
    }
}
