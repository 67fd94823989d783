package dev.streamchat.ai.model.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.PartialResponse;
import dev.langchain4j.model.chat.response.PartialResponseContext;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.output.FinishReason;
import dev.streamchat.ai.chat.ChatTurn;
import dev.streamchat.ai.rag.Passage;
import dev.streamchat.ai.route.PromptBuilder;
import dev.streamchat.ai.route.Route;

class LocalStreamingChatModelTests {

    private static final String CHAMBERS = "The Heart: Anatomy, Chambers and Valves\n\nThe four chambers\n\n"
            + "The heart has four chambers: two upper atria and two lower ventricles. The right atrium receives "
            + "deoxygenated blood from the body through the superior vena cava, the inferior vena cava and the coronary "
            + "sinus. The left atrium receives oxygenated blood from the lungs through four pulmonary veins.";
    private static final String CONDUCTION = "The conduction system\n\nThe sinoatrial (SA) node, a small mass of "
            + "autorhythmic cells in the wall of the right atrium near the opening of the superior vena cava, is the "
            + "natural pacemaker of the heart. Its cells depolarise faster than any other cardiac tissue, about 60 to 100 "
            + "times per minute at rest, so the SA node sets the heart rate. A rhythm driven by the SA node is called a "
            + "sinus rhythm.\n\nThe impulse from the SA node spreads across both atria, causing them to contract, and "
            + "reaches the atrioventricular (AV) node in the lower part of the interatrial septum. The AV node delays "
            + "the impulse by about 0.1 second.";
    private static final String CYCLE = "The cardiac cycle\n\nThe cardiac cycle is the sequence of events in one "
            + "complete heartbeat. Systole is the phase of contraction and diastole is the phase of relaxation. At a "
            + "resting heart rate of 75 beats per minute, one cycle lasts about 0.8 second.";

    private static final List<Passage> PASSAGES = List.of(
            new Passage("heartbeat:3", "sample-heartbeat", "The Heartbeat", 2, CONDUCTION, 0.69),
            new Passage("heart:3", "sample-heart-anatomy", "The Heart: Anatomy, Chambers and Valves", null, CHAMBERS, 0.55),
            new Passage("heartbeat:9", "sample-heartbeat", "The Heartbeat", 4, CYCLE, 0.41));

    private final PromptBuilder prompts = new PromptBuilder();

    /** What a handler saw: tokens (with the thread they arrived on), the final response, an error. */
    static final class Recorder implements StreamingChatResponseHandler {
        final List<String> tokens = new CopyOnWriteArrayList<>();
        final List<String> threads = new CopyOnWriteArrayList<>();
        final CompletableFuture<ChatResponse> done = new CompletableFuture<>();
        final AtomicInteger terminals = new AtomicInteger();
        final int cancelAfter;

        Recorder(int cancelAfter) {
            this.cancelAfter = cancelAfter;
        }

        @Override
        public void onPartialResponse(PartialResponse partial, PartialResponseContext context) {
            tokens.add(partial.text());
            threads.add(Thread.currentThread().getName());
            if (tokens.size() == cancelAfter) {
                context.streamingHandle().cancel();
            }
        }

        @Override
        public void onCompleteResponse(ChatResponse response) {
            terminals.incrementAndGet();
            done.complete(response);
        }

        @Override
        public void onError(Throwable error) {
            terminals.incrementAndGet();
            done.completeExceptionally(error);
        }

        String text() {
            return String.join("", tokens);
        }
    }

    private ChatRequest request(Route route, String question, List<ChatTurn> history, List<Passage> passages) {
        List<ChatMessage> messages = prompts.build(route, question, history, passages);
        return ChatRequest.builder().messages(messages).build();
    }

    private Recorder run(ChatRequest request) throws Exception {
        Recorder recorder = new Recorder(-1);
        new LocalStreamingChatModel(2000).chat(request, recorder);
        recorder.done.get(10, TimeUnit.SECONDS);
        return recorder;
    }

    @Test
    void answersByQuotingASentenceOfTheBestPassageVerbatimWithItsCitation() throws Exception {
        Recorder recorder = run(request(Route.GENERAL_QA, "What is the natural pacemaker of the heart?", List.of(), PASSAGES));

        String answer = recorder.text();
        assertThat(answer).contains("\"The sinoatrial (SA) node, a small mass of autorhythmic cells in the wall of the "
                + "right atrium near the opening of the superior vena cava, is the natural pacemaker of the heart.");
        assertThat(answer).contains("[1]");
        assertThat(answer).startsWith("According to \"The Heartbeat\" (page 2):");
        assertQuotesAreVerbatimFromTheCitedSource(answer);
        ChatResponse response = recorder.done.get();
        assertThat(response.aiMessage().text()).isEqualTo(answer);
        assertThat(response.finishReason()).isEqualTo(FinishReason.STOP);
        assertThat(response.tokenUsage().outputTokenCount()).isEqualTo(recorder.tokens.size());
        assertThat(response.tokenUsage().inputTokenCount()).isGreaterThan(100);
    }

    @Test
    void picksTheSourceThatAnswersEvenWhenItIsNotRankedFirst() throws Exception {
        String answer = run(request(Route.GENERAL_QA, "How many chambers does the heart have?", List.of(), PASSAGES)).text();

        assertThat(answer).contains("\"The heart has four chambers: two upper atria and two lower ventricles.");
        assertThat(answer).contains("[2]");
        assertQuotesAreVerbatimFromTheCitedSource(answer);
    }

    @Test
    void quoteFindingListsVerbatimQuotationsWithCitations() throws Exception {
        String answer = run(request(Route.QUOTE_FINDING, "Find me a quote about how the SA node sets the heart rate",
                List.of(), PASSAGES)).text();

        List<String> items = answer.lines().filter(l -> l.matches("\\d+\\. .*")).toList();
        assertThat(items).isNotEmpty().hasSizeLessThanOrEqualTo(5);
        for (String item : items) {
            assertThat(item).matches("\\d+\\. \"[^\"]+\" \\[\\d]");
        }
        assertThat(items.get(0)).contains("so the SA node sets the heart rate.");
        assertQuotesAreVerbatimFromTheCitedSource(answer);
    }

    @Test
    void studyGuideIsAHeadedMarkdownListWithCitations() throws Exception {
        String answer = run(request(Route.GENERATE_STUDY_GUIDE, "Make me a study guide on the heartbeat", List.of(),
                PASSAGES)).text();

        assertThat(answer).startsWith("## Study guide: the heartbeat\n");
        assertThat(answer).contains("\n### Key concepts\n- ", "\n### Check your understanding\n- ");
        List<String> bullets = answer.lines().filter(l -> l.startsWith("- ")).toList();
        assertThat(bullets).hasSizeGreaterThanOrEqualTo(6).allSatisfy(b -> assertThat(b).matches("- .+ \\[\\d]"));
        assertThat(answer).contains("- What is the cardiac cycle? [3]");
        List<String> questions = answer.substring(answer.indexOf("### Check your understanding")).lines()
                .filter(l -> l.startsWith("- ")).toList();
        assertThat(questions).hasSizeBetween(3, 4).doesNotHaveDuplicates();
    }

    @Test
    void clozeBlanksTheFinalTermOfAShortSentence() {
        assertThat(ExtractiveAnswerer.cloze("The AV node delays the impulse by about 0.1 second."))
                .isEqualTo("The AV node delays the impulse by about 0.1 _____.");
        assertThat(ExtractiveAnswerer.cloze("Plasma is about 90 percent water.")).isEqualTo("Plasma is about 90 percent _____.");
        assertThat(ExtractiveAnswerer.cloze("It ends with 42.")).isNull();
    }

    @Test
    void saysHonestlyWhenThereAreNoSources() throws Exception {
        for (Route route : Route.values()) {
            String answer = run(request(route, "What is the capital of France?", List.of(), List.of())).text();

            assertThat(answer).as(route.wireName()).containsIgnoringCase("couldn't find").doesNotContain("[1]");
        }
    }

    @Test
    void saysHonestlyWhenTheSourcesDoNotAnswerTheQuestion() throws Exception {
        String answer = run(request(Route.GENERAL_QA, "Who painted the Mona Lisa?", List.of(), PASSAGES)).text();

        assertThat(answer).startsWith("Your sources don't seem to answer this directly.");
        assertQuotesAreVerbatimFromTheCitedSource(answer);
    }

    @Test
    void aSharedWordIsNotAnAnswerWhenTheQuestionNamesSomethingTheSourcesNeverMention() throws Exception {
        String answer = run(request(Route.GENERAL_QA, "Where does the Calvin cycle happen?", List.of(), PASSAGES)).text();
        assertThat(answer).startsWith("Your sources don't seem to answer this directly.");

        String quotes = run(request(Route.QUOTE_FINDING, "Quote the passage about the Calvin cycle", List.of(), PASSAGES)).text();
        assertThat(quotes).startsWith("No sentence in your sources matches that request").doesNotContain("[1]");

        String guide = run(request(Route.GENERATE_STUDY_GUIDE, "Make a study guide on the Krebs cycle", List.of(), PASSAGES)).text();
        assertThat(guide).startsWith("## Study guide: the Krebs cycle\n\nYour sources never mention Krebs");
    }

    @Test
    void followUpReadsTheEarlierQuestionAndDoesNotRepeatTheLastAnswer() throws Exception {
        List<ChatTurn> history = List.of(new ChatTurn("user", "What is the natural pacemaker of the heart?"),
                new ChatTurn("assistant", "According to \"The Heartbeat\" (page 2): \"The sinoatrial (SA) node, a small "
                        + "mass of autorhythmic cells in the wall of the right atrium near the opening of the superior "
                        + "vena cava, is the natural pacemaker of the heart.\" [1]"));

        String answer = run(request(Route.FOLLOW_UP, "How fast does it fire?", history, PASSAGES)).text();

        assertThat(answer).startsWith("Following up on that: ");
        assertThat(answer).contains("about 60 to 100 times per minute at rest").doesNotContain("is the natural pacemaker");
        assertQuotesAreVerbatimFromTheCitedSource(answer);
    }

    @Test
    void isDeterministic() throws Exception {
        ChatRequest request = request(Route.GENERATE_STUDY_GUIDE, "Study guide on the conduction system", List.of(), PASSAGES);

        assertThat(run(request).tokens).isEqualTo(run(request).tokens);
    }

    @Test
    void streamsWordSizedTokensOnASchedulerAtTheConfiguredRate() throws Exception {
        Recorder recorder = new Recorder(-1);
        ChatRequest request = request(Route.GENERAL_QA, "What is the natural pacemaker of the heart?", List.of(), PASSAGES);
        long started = System.nanoTime();

        new LocalStreamingChatModel(100).chat(request, recorder);

        // chat() hands the work to a scheduler: it returns while the (> 200 ms) stream is still running.
        assertThat(recorder.done).isNotDone();
        recorder.done.get(30, TimeUnit.SECONDS);
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        int n = recorder.tokens.size();
        assertThat(n).isGreaterThan(20);
        // n tokens at 100/s: the first at once, the rest 10 ms apart (generous margins, measured for real later).
        assertThat(took).isBetween(Duration.ofMillis((n - 1) * 10L * 8 / 10), Duration.ofMillis(n * 10L * 20 + 2000));
        assertThat(recorder.threads).doesNotContain(Thread.currentThread().getName());
        assertThat(recorder.tokens).allSatisfy(t -> assertThat(t.strip()).doesNotContainAnyWhitespaces());
    }

    @Test
    void cancelStopsTheTokensAndNeitherCompletesNorErrors() throws Exception {
        Recorder recorder = new Recorder(3);

        new LocalStreamingChatModel(200).chat(request(Route.GENERAL_QA, "What is the natural pacemaker of the heart?",
                List.of(), PASSAGES), recorder);

        Thread.sleep(500); // ~100 more ticks would have fired by now
        assertThat(recorder.tokens).hasSize(3);
        assertThat(recorder.terminals).hasValue(0);
    }

    @Test
    void maxOutputTokensCutsTheAnswerWithFinishReasonLength() throws Exception {
        ChatRequest request = request(Route.GENERAL_QA, "What is the natural pacemaker of the heart?", List.of(), PASSAGES)
                .toBuilder().maxOutputTokens(5).build();

        Recorder recorder = run(request);

        assertThat(recorder.tokens).hasSize(5);
        assertThat(recorder.done.get().finishReason()).isEqualTo(FinishReason.LENGTH);
    }

    @Test
    void tokensConcatenateToTheText() {
        String text = "  Hello,\n\n## world [1][2]  \n";
        assertThat(String.join("", LocalStreamingChatModel.tokens(text))).isEqualTo(text);
        assertThat(LocalStreamingChatModel.tokens(text)).containsExactly("  Hello,", "\n\n##", " world", " [1][2]  \n");
    }

    /** Every "quoted" span followed by [n] must appear word for word in source n. */
    private static void assertQuotesAreVerbatimFromTheCitedSource(String answer) {
        Matcher m = Pattern.compile("\"([^\"]+)\" \\[(\\d)]").matcher(answer);
        int found = 0;
        while (m.find()) {
            String source = PASSAGES.get(Integer.parseInt(m.group(2)) - 1).text().replaceAll("\\s+", " ");
            assertThat(source).as("source [%s]", m.group(2)).contains(m.group(1));
            found++;
        }
        assertThat(found).as("quotations in: %s", answer).isPositive();
    }
}
