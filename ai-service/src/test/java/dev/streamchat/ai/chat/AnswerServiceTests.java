package dev.streamchat.ai.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyLong;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.spy;
import static org.mockito.Mockito.timeout;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;

import org.junit.jupiter.api.Test;
import org.mockito.ArgumentCaptor;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.exception.HttpException;
import dev.langchain4j.exception.InvalidRequestException;
import dev.langchain4j.exception.RateLimitException;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.PartialResponse;
import dev.langchain4j.model.chat.response.PartialResponseContext;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.chat.response.StreamingHandle;
import dev.langchain4j.model.output.TokenUsage;
import dev.streamchat.ai.error.ErrorCode;
import dev.streamchat.ai.model.ChatProvider;
import dev.streamchat.ai.model.Provider;
import dev.streamchat.ai.rag.Passage;
import dev.streamchat.ai.rag.Retriever;
import dev.streamchat.ai.rag.SearchScope;
import dev.streamchat.ai.route.PromptBuilder;
import dev.streamchat.ai.route.Route;
import dev.streamchat.ai.route.RouteDetector;
import dev.streamchat.ai.stream.ChatEvent;
import dev.streamchat.ai.stream.StreamMetrics;
import dev.streamchat.ai.stream.StreamProperties;
import dev.streamchat.ai.stream.TokenStreamBridge;
import dev.streamchat.ai.tpm.PromptTokenEstimator;
import dev.streamchat.ai.tpm.RateLimitedException;
import dev.streamchat.ai.tpm.Reservation;
import dev.streamchat.ai.tpm.TokenRateLimiter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

class AnswerServiceTests {

    private static final List<Passage> PASSAGES = List.of(
            new Passage("c1", "d1", "Cells", 1, "A cell is the smallest unit of life.", 0.9),
            new Passage("c2", "d2", "Mitosis", null, "Mitosis divides one nucleus into two.", 0.8),
            new Passage("c3", "d3", "Membranes", 4, "The membrane controls what enters the cell.", 0.7));

    private static final List<ChatTurn> HISTORY = List.of(
            new ChatTurn("user", "first question"), new ChatTurn("assistant", "first answer"),
            new ChatTurn("user", "second question"), new ChatTurn("assistant", "x".repeat(1500)));

    /** A model that plays one script per call; each script drives the handler. */
    static final class ScriptedModel implements StreamingChatModel {
        final Queue<BiConsumer<StreamingChatResponseHandler, PartialResponseContext>> scripts = new ConcurrentLinkedQueue<>();
        final AtomicInteger calls = new AtomicInteger();
        final AtomicBoolean cancelled = new AtomicBoolean();
        final StreamingHandle handle = new StreamingHandle() {
            @Override
            public void cancel() {
                cancelled.set(true);
            }

            @Override
            public boolean isCancelled() {
                return cancelled.get();
            }
        };

        ScriptedModel then(BiConsumer<StreamingChatResponseHandler, PartialResponseContext> script) {
            scripts.add(script);
            return this;
        }

        @Override
        public void doChat(ChatRequest request, StreamingChatResponseHandler handler) {
            calls.incrementAndGet();
            BiConsumer<StreamingChatResponseHandler, PartialResponseContext> script = scripts.poll();
            if (script != null) {
                script.accept(handler, new PartialResponseContext(handle));
            }
        }
    }

    static BiConsumer<StreamingChatResponseHandler, PartialResponseContext> answers(TokenUsage usage, String... tokens) {
        return (handler, context) -> {
            StringBuilder text = new StringBuilder();
            for (String token : tokens) {
                text.append(token);
                handler.onPartialResponse(new PartialResponse(token), context);
            }
            handler.onCompleteResponse(ChatResponse.builder().aiMessage(AiMessage.from(text.toString()))
                    .tokenUsage(usage).build());
        };
    }

    static BiConsumer<StreamingChatResponseHandler, PartialResponseContext> failsAfter(Throwable error, String... tokens) {
        return (handler, context) -> {
            for (String token : tokens) {
                handler.onPartialResponse(new PartialResponse(token), context);
            }
            handler.onError(error);
        };
    }

    private final RouteDetector routes = mock(RouteDetector.class);
    private final PromptBuilder prompts = mock(PromptBuilder.class);
    private final TokenRateLimiter limiter = mock(TokenRateLimiter.class);
    private final PromptTokenEstimator estimator = spy(new PromptTokenEstimator("gpt-4o-mini"));
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private Retriever retriever = (scope, query) -> Mono.just(PASSAGES);

    AnswerServiceTests() {
        when(routes.detect(any(), any())).thenReturn(Route.GENERAL_QA);
        when(routes.retrievalQuery(any(), any(), any())).thenAnswer(call -> call.getArgument(1));
        when(prompts.build(any(), any(), any(), any()))
                .thenAnswer(call -> List.<ChatMessage>of(UserMessage.from((String) call.getArgument(1))));
        when(limiter.reserve(anyLong())).thenReturn(Mono.just(Reservation.none()));
    }

    private AnswerService service(Provider provider, StreamingChatModel model) {
        return service(provider, model, Duration.ofSeconds(120), Schedulers.parallel());
    }

    private AnswerService service(Provider provider, StreamingChatModel model, Duration maxDuration,
            reactor.core.scheduler.Scheduler timer) {
        return new AnswerService(routes, retriever, prompts, new ChatProvider(provider, model, 100), limiter, estimator,
                new TokenStreamBridge(64, Schedulers.boundedElastic()),
                new StreamProperties(Duration.ofSeconds(10), maxDuration, 64), new StreamMetrics(meters), timer, null, null);
    }

    private static Question question(Route route) {
        return new Question("r1", new SearchScope("u1", null, null), "What is a cell?", HISTORY, route);
    }

    private static String text(List<ChatEvent> events) {
        StringBuilder out = new StringBuilder();
        events.stream().filter(ChatEvent.Token.class::isInstance).forEach(e -> out.append(((ChatEvent.Token) e).content()));
        return out.toString();
    }

    /** The outcome is recorded in doFinally, just after the last event reached the subscriber. */
    private void awaitOutcome(String outcome) {
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(
                meters.get("ai.stream.finished").tag("outcome", outcome).counter().count()).isEqualTo(1));
    }

    private static ChatEvent last(List<ChatEvent> events) {
        return events.get(events.size() - 1);
    }

    @Test
    void streamsTokensThenDoneWithCitationsRenumberedInOrderOfUse() {
        ScriptedModel model = new ScriptedModel().then(answers(new TokenUsage(30, 6),
                "Cells [", "3", "] divide", " [1] and", " again [3]", ", not [9]."));

        List<ChatEvent> events = service(Provider.LOCAL, model).answer(question(null)).collectList().block();

        assertThat(text(events)).isEqualTo("Cells [1] divide [2] and again [1], not .");
        assertThat(events).filteredOn(ChatEvent.Token.class::isInstance).hasSizeGreaterThan(1);
        ChatEvent.Done done = (ChatEvent.Done) last(events);
        assertThat(done.route()).isEqualTo("general_qa");
        assertThat(done.provider()).isEqualTo("local");
        assertThat(done.citations()).containsExactly(
                new ChatEvent.Citation(1, "d3", "Membranes", 4, "The membrane controls what enters the cell."),
                new ChatEvent.Citation(2, "d1", "Cells", 1, "A cell is the smallest unit of life."));
        assertThat(done.chunkReferences()).containsExactly(
                new ChatEvent.ChunkReference(1, "c3", "d3", 0.7), new ChatEvent.ChunkReference(2, "c1", "d1", 0.9));
        assertThat(done.usage()).isEqualTo(new ChatEvent.Usage(30, 6));
        assertThat(done.contextTrimmed()).isFalse();
        assertThat(events).filteredOn(ChatEvent::terminal).hasSize(1);
        awaitOutcome("complete");
    }

    @Test
    void flushesAnUnclosedBracketBeforeDone() {
        ScriptedModel model = new ScriptedModel().then(answers(null, "Ends with [", "2"));

        List<ChatEvent> events = service(Provider.SYNTHETIC, model).answer(question(null)).collectList().block();

        assertThat(text(events)).isEqualTo("Ends with [2");
        ChatEvent.Done done = (ChatEvent.Done) last(events);
        assertThat(done.citations()).isEmpty();
        assertThat(done.usage().completionTokens()).isEqualTo(2); // estimated: the model reported no usage
        assertThat(done.usage().promptTokens()).isPositive();
    }

    @Test
    void usesTheCallersRouteInsteadOfDetectingOne() {
        ScriptedModel model = new ScriptedModel().then(answers(null, "\"quoted\" [1]"));

        List<ChatEvent> events = service(Provider.LOCAL, model).answer(question(Route.QUOTE_FINDING)).collectList().block();

        assertThat(((ChatEvent.Done) last(events)).route()).isEqualTo("quote_finding");
        verify(routes, never()).detect(any(), any());
        verify(prompts).build(eq(Route.QUOTE_FINDING), eq("What is a cell?"), eq(HISTORY), eq(PASSAGES));
    }

    @Test
    void anUpstreamFailureAfterTokensEndsWithErrorAndNeverDone() {
        ScriptedModel model = new ScriptedModel().then(failsAfter(new RuntimeException("connection reset"), "Hel", "lo"));

        List<ChatEvent> events = service(Provider.LOCAL, model).answer(question(null)).collectList().block();

        assertThat(text(events)).isEqualTo("Hello");
        assertThat(last(events)).isEqualTo(new ChatEvent.Failure(ErrorCode.UPSTREAM_ERROR, "the model provider failed"));
        assertThat(events).noneMatch(ChatEvent.Done.class::isInstance);
        awaitOutcome("upstream_error");
    }

    @Test
    void aSlowReaderStillGetsEveryTokenBeforeTheErrorEvent() {
        ScriptedModel model = new ScriptedModel().then(failsAfter(new RuntimeException("reset"), "a", "b", "c"));

        StepVerifier.create(service(Provider.LOCAL, model).answer(question(null)), 1)
                .expectNext(new ChatEvent.Token("a"))
                .thenRequest(1)
                .expectNext(new ChatEvent.Token("b"))
                .thenRequest(10)
                .expectNext(new ChatEvent.Token("c"))
                .expectNextMatches(event -> event instanceof ChatEvent.Failure failure
                        && failure.code() == ErrorCode.UPSTREAM_ERROR)
                .verifyComplete();
    }

    @Test
    void theProvidersRateLimitEndsWithRateLimited() {
        ScriptedModel model = new ScriptedModel().then(failsAfter(new RateLimitException("429")));

        List<ChatEvent> events = service(Provider.OPENAI, model).answer(question(null)).collectList().block();

        assertThat(events).singleElement().extracting(e -> ((ChatEvent.Failure) e).code()).isEqualTo(ErrorCode.RATE_LIMITED);
    }

    @Test
    void deepResearchIsBoundedByTheMaximumDurationAcrossItsPhases() {
        // The plan answers at once; the first research step never completes: the deadline covers the whole run.
        ScriptedModel model = new ScriptedModel()
                .then(answers(new TokenUsage(5, 2), "1. What is a cell?\n", "2. What is mitosis?"))
                .then((handler, context) -> handler.onPartialResponse(new PartialResponse("Cells"), context));
        DeepResearch research = new DeepResearch(retriever, new dev.streamchat.ai.route.ResearchPrompts(), limiter,
                estimator, new TokenStreamBridge(64, Schedulers.boundedElastic()), new ResearchProperties(5));
        AnswerService service = new AnswerService(routes, retriever, prompts, new ChatProvider(Provider.LOCAL, model, 100),
                limiter, estimator, new TokenStreamBridge(64, Schedulers.boundedElastic()),
                // 3 s: room for the plan on a loaded machine; the research step that never completes still hits it
                new StreamProperties(Duration.ofSeconds(10), Duration.ofSeconds(3), 64), new StreamMetrics(meters),
                Schedulers.parallel(), null, research);
        Question question = new Question("r1", new SearchScope("u1", null, null), "What are cells and mitosis?", List.of(),
                null, null, AnswerMode.DEEP_RESEARCH);

        List<ChatEvent> events = service.answer(question).collectList().block(Duration.ofSeconds(30));

        assertThat(events).filteredOn(ChatEvent.Progress.class::isInstance).extracting(e -> ((ChatEvent.Progress) e).phase())
                .containsExactly("plan", "research");
        assertThat(text(events)).endsWith("## What is a cell?\n\nCells");
        assertThat(last(events)).isInstanceOfSatisfying(ChatEvent.Failure.class,
                failure -> assertThat(failure.code()).isEqualTo(ErrorCode.TIMEOUT));
        assertThat(events).noneMatch(ChatEvent.Done.class::isInstance);
        assertThat(model.cancelled).isTrue();
        assertThat(model.calls).hasValue(2);
    }

    @Test
    void aStreamLongerThanTheMaximumEndsWithTimeoutAndCancelsTheModel() {
        // Real time with a short maximum: virtual time raced the bridge's own thread and could hang the build.
        ScriptedModel model = new ScriptedModel().then((handler, context) ->
                handler.onPartialResponse(new PartialResponse("slow"), context)); // and never completes
        AnswerService service = service(Provider.LOCAL, model, Duration.ofMillis(300), Schedulers.parallel());

        List<ChatEvent> events = service.answer(question(null)).collectList().block(Duration.ofSeconds(30));

        assertThat(events).first().isEqualTo(new ChatEvent.Token("slow"));
        assertThat(last(events)).isInstanceOfSatisfying(ChatEvent.Failure.class,
                failure -> assertThat(failure.code()).isEqualTo(ErrorCode.TIMEOUT));
        assertThat(events).noneMatch(ChatEvent.Done.class::isInstance);
        assertThat(model.cancelled).isTrue();
    }

    @Test
    void aPromptTooLongIsRetriedOnceWithTrimmedHistoryAndSources() {
        ScriptedModel model = new ScriptedModel()
                .then(failsAfter(new InvalidRequestException(new HttpException(400,
                        "{\"error\":{\"code\":\"context_length_exceeded\"}}"))))
                .then(answers(new TokenUsage(10, 2), "Short", " [2]"));

        List<ChatEvent> events = service(Provider.LOCAL, model).answer(question(null)).collectList().block();

        assertThat(model.calls).hasValue(2);
        ChatEvent.Done done = (ChatEvent.Done) last(events);
        assertThat(done.contextTrimmed()).isTrue();
        assertThat(text(events)).isEqualTo("Short [1]");
        assertThat(done.citations()).extracting(ChatEvent.Citation::docId).containsExactly("d2");
        @SuppressWarnings("unchecked")
        ArgumentCaptor<List<ChatTurn>> histories = ArgumentCaptor.forClass(List.class);
        @SuppressWarnings("unchecked")
        ArgumentCaptor<List<Passage>> sources = ArgumentCaptor.forClass(List.class);
        verify(prompts, times(2)).build(any(), any(), histories.capture(), sources.capture());
        assertThat(sources.getAllValues().get(1)).containsExactly(PASSAGES.get(0), PASSAGES.get(1));
        assertThat(histories.getAllValues().get(1)).hasSize(2);
        assertThat(histories.getAllValues().get(1).get(0)).isEqualTo(HISTORY.get(2));
        assertThat(histories.getAllValues().get(1).get(1).content()).hasSize(AnswerService.TRIMMED_TURN_CHARS);
    }

    @Test
    void citationQuotesStartAfterTheSectionHeading() {
        assertThat(AnswerService.quote("The conduction system\nThe SA node is the natural pacemaker."))
                .isEqualTo("The SA node is the natural pacemaker.");
        assertThat(AnswerService.quote("The SA node is the natural pacemaker.\nIt fires first."))
                .isEqualTo("The SA node is the natural pacemaker. It fires first.");
        assertThat(AnswerService.quote("A title only")).isEqualTo("A title only");
    }

    @Test
    void searchesTheDocumentsWithTheQueryTheRouteDetectorChooses() {
        when(routes.detect(any(), any())).thenReturn(Route.FOLLOW_UP);
        when(routes.retrievalQuery(Route.FOLLOW_UP, "What is a cell?", HISTORY)).thenReturn("previous question\nWhat is a cell?");
        java.util.concurrent.atomic.AtomicReference<String> searched = new java.util.concurrent.atomic.AtomicReference<>();
        retriever = (scope, query) -> {
            searched.set(query);
            return Mono.just(PASSAGES);
        };

        service(Provider.LOCAL, new ScriptedModel().then(answers(null, "A [1]"))).answer(question(null)).collectList().block();

        assertThat(searched).hasValue("previous question\nWhat is a cell?");
    }

    @Test
    void aPromptStillTooLongAfterTrimmingIsAnUpstreamError() {
        RuntimeException tooLong = new RuntimeException("This model's maximum context length is 8192 tokens");
        ScriptedModel model = new ScriptedModel().then(failsAfter(tooLong)).then(failsAfter(tooLong)).then(failsAfter(tooLong));

        List<ChatEvent> events = service(Provider.LOCAL, model).answer(question(null)).collectList().block();

        assertThat(model.calls).hasValue(2);
        assertThat(events).singleElement().extracting(e -> ((ChatEvent.Failure) e).code()).isEqualTo(ErrorCode.UPSTREAM_ERROR);
    }

    @Test
    void noRoomInTheTokenBudgetEndsWithRateLimitedWithoutCallingTheModel() {
        when(limiter.reserve(anyLong())).thenReturn(Mono.error(new RateLimitedException("budget spent")));
        ScriptedModel model = new ScriptedModel().then(answers(null, "never"));

        List<ChatEvent> events = service(Provider.OPENAI, model).answer(question(null)).collectList().block();

        assertThat(events).containsExactly(new ChatEvent.Failure(ErrorCode.RATE_LIMITED, "budget spent"));
        assertThat(model.calls).hasValue(0);
    }

    @Test
    void reservesPromptPlusMaxTokensForOpenAiAndSettlesWithTheRealUsage() {
        Reservation reservation = new Reservation(500, 123L);
        when(limiter.reserve(anyLong())).thenReturn(Mono.just(reservation));
        ScriptedModel model = new ScriptedModel().then(answers(new TokenUsage(40, 7), "ok"));

        service(Provider.OPENAI, model).answer(question(null)).collectList().block();

        ArgumentCaptor<Long> reserved = ArgumentCaptor.forClass(Long.class);
        verify(limiter).reserve(reserved.capture());
        assertThat(reserved.getValue()).isGreaterThan(100L); // the prompt estimate + maxOutputTokens (100)
        // settled in doFinally, just after done reached the subscriber
        verify(limiter, timeout(2000)).settle(reservation, 47L);
    }

    @Test
    void otherProvidersReserveNothing() {
        ScriptedModel model = new ScriptedModel().then(answers(null, "ok"));

        service(Provider.LOCAL, model).answer(question(null)).collectList().block();

        verify(limiter, never()).reserve(anyLong());
    }

    @Test
    void thePromptIsNotCountedWhenNothingIsReservedAndTheModelReportsItsUsage() {
        ScriptedModel model = new ScriptedModel().then(answers(new TokenUsage(30, 2), "o", "k"));

        List<ChatEvent> events = service(Provider.LOCAL, model).answer(question(null)).collectList().block();

        assertThat(((ChatEvent.Done) last(events)).usage()).isEqualTo(new ChatEvent.Usage(30, 2));
        awaitOutcome("complete");
        verify(estimator, never()).estimate(any());
    }

    @Test
    void aModelThatDoesNotReportUsageGetsThePromptCounted() {
        ScriptedModel model = new ScriptedModel().then(answers(null, "o", "k"));

        List<ChatEvent> events = service(Provider.LOCAL, model).answer(question(null)).collectList().block();

        ChatEvent.Usage usage = ((ChatEvent.Done) last(events)).usage();
        assertThat(usage.promptTokens()).isGreaterThan(0);
        assertThat(usage.completionTokens()).isEqualTo(2);
        verify(estimator, times(1)).estimate(any());
    }

    @Test
    void cancellingTheStreamCancelsTheModelCall() {
        List<ChatEvent> seen = new ArrayList<>();
        ScriptedModel model = new ScriptedModel().then((handler, context) ->
                handler.onPartialResponse(new PartialResponse("first"), context));

        var subscription = service(Provider.LOCAL, model).answer(question(null)).subscribe(seen::add);
        await().atMost(Duration.ofSeconds(5)).until(() -> !seen.isEmpty());
        subscription.dispose();

        assertThat(model.cancelled).isTrue();
        awaitOutcome("cancelled");
    }

    @Test
    void aRetrievalFailureEndsWithInternal() {
        retriever = (scope, query) -> Mono.error(new IllegalStateException("mongo down"));
        ScriptedModel model = new ScriptedModel();

        List<ChatEvent> events = service(Provider.LOCAL, model).answer(question(null)).collectList().block();

        assertThat(events).containsExactly(new ChatEvent.Failure(ErrorCode.INTERNAL, "retrieval failed"));
    }

    @Test
    void aBrokenRouteDetectorEndsWithInternalInsteadOfBreakingTheStream() {
        when(routes.detect(any(), any())).thenThrow(new IllegalStateException("bug"));

        StepVerifier.create(service(Provider.LOCAL, new ScriptedModel()).answer(question(null)))
                .expectNext(new ChatEvent.Failure(ErrorCode.INTERNAL, "internal error"))
                .verifyComplete();
    }

    @Test
    void quotesAreCutAtAWordBoundary() {
        String quote = AnswerService.quote("word ".repeat(100));

        assertThat(quote).endsWith("…").hasSizeLessThanOrEqualTo(AnswerService.QUOTE_CHARS + 1);
        assertThat(AnswerService.quote("  short\n text ")).isEqualTo("short text");
    }
}
