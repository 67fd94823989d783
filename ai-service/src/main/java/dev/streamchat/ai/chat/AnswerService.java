package dev.streamchat.ai.chat;

import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Service;

import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.exception.RateLimitException;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.output.TokenUsage;
import dev.streamchat.ai.error.ErrorCode;
import dev.streamchat.ai.model.ChatProvider;
import dev.streamchat.ai.model.ModelErrors;
import dev.streamchat.ai.rag.LibraryOverview;
import dev.streamchat.ai.rag.Passage;
import dev.streamchat.ai.rag.Retriever;
import dev.streamchat.ai.route.PromptBuilder;
import dev.streamchat.ai.route.Route;
import dev.streamchat.ai.route.RouteDetector;
import dev.streamchat.ai.stream.ChatEvent;
import dev.streamchat.ai.stream.CitationRenumberer;
import dev.streamchat.ai.stream.ModelCallException;
import dev.streamchat.ai.stream.ModelOutput;
import dev.streamchat.ai.stream.StreamFailureException;
import dev.streamchat.ai.stream.StreamMetrics;
import dev.streamchat.ai.stream.StreamProperties;
import dev.streamchat.ai.stream.TokenStreamBridge;
import dev.streamchat.ai.tpm.PromptTokenEstimator;
import dev.streamchat.ai.tpm.Reservation;
import dev.streamchat.ai.tpm.TokenRateLimiter;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.SignalType;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * Answers one question as a stream of {@link ChatEvent}s: route (the caller's or detected), retrieval, prompt, token
 * reservation (OpenAI only), the model's tokens with citations renumbered on the fly, then {@code done}. The flux never
 * errors: every failure becomes a final {@code error} event, and an upstream failure after tokens is never followed by
 * {@code done}. The whole stream is bounded by {@code STREAM_MAX_DURATION_S}. Cancelling the flux (a client disconnect)
 * cancels the model call.
 * <p>
 * When the model rejects the prompt as too long, it is rebuilt once with less history and fewer passages, and
 * {@code done} says {@code contextTrimmed: true}.
 * <p>
 * The request's {@code model} (else the deployment's default) answers, and {@code done} names it. A question about
 * the library itself ({@code library_overview}) is answered from the opening passages of every document in scope;
 * a Deep Research question is handed to {@link DeepResearch}, under the same deadline and error handling.
 */
@Service
public class AnswerService {

    private static final Logger log = LoggerFactory.getLogger(AnswerService.class);

    /**
     * The trimmed retry keeps the last exchange of the history, each turn cut to this many characters, and the
     * better half of the passages (they come best first).
     */
    static final int TRIMMED_HISTORY_TURNS = 2;
    static final int TRIMMED_TURN_CHARS = 1000;
    private static final int HEADING_MAX_CHARS = 80;

    /** Citation quotes are cut to about this many characters, at a word boundary. */
    static final int QUOTE_CHARS = 300;

    private final RouteDetector routeDetector;
    private final Retriever retriever;
    private final PromptBuilder promptBuilder;
    private final ChatProvider provider;
    private final TokenRateLimiter limiter;
    private final PromptTokenEstimator estimator;
    private final TokenStreamBridge bridge;
    private final StreamProperties streamProperties;
    private final StreamMetrics metrics;
    private final Scheduler timer;
    private final LibraryOverview library;
    private final DeepResearch deepResearch;

    @Autowired
    public AnswerService(RouteDetector routeDetector, Retriever retriever, PromptBuilder promptBuilder,
            ChatProvider provider, TokenRateLimiter limiter, PromptTokenEstimator estimator, TokenStreamBridge bridge,
            StreamProperties streamProperties, StreamMetrics metrics, LibraryOverview library,
            DeepResearch deepResearch) {
        this(routeDetector, retriever, promptBuilder, provider, limiter, estimator, bridge, streamProperties, metrics,
                Schedulers.parallel(), library, deepResearch);
    }

    AnswerService(RouteDetector routeDetector, Retriever retriever, PromptBuilder promptBuilder,
            ChatProvider provider, TokenRateLimiter limiter, PromptTokenEstimator estimator, TokenStreamBridge bridge,
            StreamProperties streamProperties, StreamMetrics metrics, Scheduler timer, LibraryOverview library,
            DeepResearch deepResearch) {
        this.library = library;
        this.deepResearch = deepResearch;
        this.routeDetector = routeDetector;
        this.retriever = retriever;
        this.promptBuilder = promptBuilder;
        this.provider = provider;
        this.limiter = limiter;
        this.estimator = estimator;
        this.bridge = bridge;
        this.streamProperties = streamProperties;
        this.metrics = metrics;
        this.timer = timer;
    }

    /** A cold flux: tokens, then exactly one {@code done} or {@code error}. */
    public Flux<ChatEvent> answer(Question question) {
        return Flux.defer(() -> {
            ChatProvider model = question.model() != null ? question.model() : provider;
            StreamMetrics.Recorder recorder = metrics.start(question.requestId(), model.provider().wireName());
            return Flux.defer(() -> question.mode() == AnswerMode.DEEP_RESEARCH
                            ? deepResearch(question, model, recorder) : pipeline(question, model, recorder))
                    .transform(this::withDeadline)
                    .onErrorResume(error -> Mono.just(failure(question, error)))
                    .doOnNext(recorder::observe)
                    .doFinally(signal -> recorder.finish());
        });
    }

    private Flux<ChatEvent> deepResearch(Question question, ChatProvider model, StreamMetrics.Recorder recorder) {
        recorder.route(DeepResearch.ROUTE);
        return deepResearch.research(question, model);
    }

    private Flux<ChatEvent> pipeline(Question question, ChatProvider model, StreamMetrics.Recorder recorder) {
        Route route = question.route() != null ? question.route()
                : routeDetector.detect(question.query(), question.history());
        recorder.route(route.wireName());
        // A follow-up's own words rarely name the topic: search with what the detector says to search. A question
        // about the library itself is answered from every document's opening passages, not from the nearest ones.
        String searchFor = routeDetector.retrievalQuery(route, question.query(), question.history());
        Mono<List<Passage>> retrieval = route == Route.LIBRARY_OVERVIEW ? library.passages(question.scope())
                : retriever.retrieve(question.scope(), searchFor);
        return retrieval
                .defaultIfEmpty(List.of())
                .onErrorMap(error -> {
                    log.warn("retrieval failed requestId={} error={}", question.requestId(), error.toString());
                    return new StreamFailureException(ErrorCode.INTERNAL, "retrieval failed");
                })
                .flatMapMany(passages -> attempt(question, model, route, passages, false));
    }

    private Flux<ChatEvent> attempt(Question question, ChatProvider provider, Route route, List<Passage> retrieved,
            boolean trimmed) {
        List<Passage> passages = trimmed ? trimPassages(retrieved) : retrieved;
        List<ChatTurn> history = trimmed ? trimHistory(question.history()) : question.history();
        List<ChatMessage> messages = promptBuilder.build(route, question.query(), history, passages);
        // Counting the prompt's tokens is a real tokenizer run: done only for a reservation, or for a usage the model
        // did not report.
        PromptEstimate promptEstimate = new PromptEstimate(estimator, messages);
        Mono<Reservation> reservation = provider.reservesTokens()
                ? Mono.fromSupplier(() -> promptEstimate.tokens() + (long) provider.maxOutputTokens())
                        .flatMap(limiter::reserve)
                : Mono.just(Reservation.none());
        return reservation.flatMapMany(reserved -> {
            Assembly assembly = new Assembly(provider, route, passages, promptEstimate, trimmed);
            // concatMapDelayError: an upstream error must not overtake tokens still queued in this operator, or a
            // slow reader would lose the last tokens before the error event.
            return bridge.stream(provider.model(), ChatRequest.builder().messages(messages).build())
                    .concatMapDelayError(output -> Flux.fromIterable(assembly.onOutput(output)), true, 32)
                    .doFinally(signal -> limiter.settle(reserved, assembly.usedTokens(signal)))
                    .onErrorResume(error -> !trimmed && assembly.modelTokens == 0 && ModelErrors.isPromptTooLong(error),
                            error -> {
                                log.info("prompt too long requestId={}: retrying once with trimmed history and sources",
                                        question.requestId());
                                return attempt(question, provider, route, retrieved, true);
                            });
        });
    }

    /** Bounds the whole stream: past the deadline the upstream (and so the model call) is cancelled. */
    private Flux<ChatEvent> withDeadline(Flux<ChatEvent> events) {
        Duration max = streamProperties.maxDuration();
        return Flux.defer(() -> {
            long deadline = timer.now(TimeUnit.MILLISECONDS) + max.toMillis();
            return events.timeout(Mono.delay(max, timer),
                    event -> Mono.delay(Duration.ofMillis(Math.max(0, deadline - timer.now(TimeUnit.MILLISECONDS))), timer),
                    Flux.error(() -> new StreamFailureException(ErrorCode.TIMEOUT,
                            "the answer took longer than " + max.toSeconds() + " s")));
        });
    }

    private ChatEvent.Failure failure(Question question, Throwable error) {
        if (error instanceof StreamFailureException failure) {
            return new ChatEvent.Failure(failure.code(), failure.getMessage());
        }
        if (error instanceof ModelCallException) {
            Throwable cause = error.getCause();
            log.warn("model call failed requestId={} error={}: {}", question.requestId(), cause.getClass().getName(),
                    abbreviate(cause.getMessage()));
            if (cause instanceof RateLimitException) {
                return new ChatEvent.Failure(ErrorCode.RATE_LIMITED, "the model provider is rate limiting requests");
            }
            if (cause instanceof dev.langchain4j.exception.TimeoutException || cause instanceof HttpTimeoutException) {
                return new ChatEvent.Failure(ErrorCode.TIMEOUT, "the model provider did not answer in time");
            }
            return new ChatEvent.Failure(ErrorCode.UPSTREAM_ERROR, "the model provider failed");
        }
        log.error("answer failed requestId={}", question.requestId(), error);
        return new ChatEvent.Failure(ErrorCode.INTERNAL, "internal error");
    }

    static List<Passage> trimPassages(List<Passage> passages) {
        return passages.subList(0, (passages.size() + 1) / 2);
    }

    static List<ChatTurn> trimHistory(List<ChatTurn> history) {
        List<ChatTurn> last = history.subList(Math.max(0, history.size() - TRIMMED_HISTORY_TURNS), history.size());
        List<ChatTurn> trimmed = new ArrayList<>(last.size());
        for (ChatTurn turn : last) {
            String content = turn.content();
            trimmed.add(content.length() <= TRIMMED_TURN_CHARS ? turn
                    : new ChatTurn(turn.role(), content.substring(0, TRIMMED_TURN_CHARS)));
        }
        return trimmed;
    }

    static String quote(String text) {
        if (text == null) {
            return null;
        }
        String flat = withoutLeadingHeadings(text).replaceAll("\\s+", " ");
        if (flat.length() <= QUOTE_CHARS) {
            return flat;
        }
        int cut = flat.lastIndexOf(' ', QUOTE_CHARS);
        return flat.substring(0, cut > QUOTE_CHARS / 2 ? cut : QUOTE_CHARS) + "…";
    }

    /**
     * Chunks start with the heading of their section ("The conduction system"); a citation quote should
     * start with the passage's first sentence instead. A heading is a short line with no closing punctuation
     * followed by a line that starts a sentence (a PDF line wrapped mid-sentence continues in lower case).
     */
    private static String withoutLeadingHeadings(String text) {
        String[] lines = text.strip().split("\\R");
        int first = 0;
        while (first < lines.length - 1 && isHeading(lines[first].strip())
                && startsSentence(lines[first + 1].strip())) {
            first++;
        }
        return String.join("\n", java.util.Arrays.copyOfRange(lines, first, lines.length)).strip();
    }

    private static boolean startsSentence(String line) {
        return !line.isEmpty() && Character.isUpperCase(line.charAt(0));
    }

    private static boolean isHeading(String line) {
        return line.isEmpty() || (line.length() <= HEADING_MAX_CHARS && !line.matches(".*[.!?:;\"\u201d)]$"));
    }

    private static String abbreviate(String message) {
        if (message == null) {
            return "";
        }
        return message.length() <= 300 ? message : message.substring(0, 300) + "…";
    }

    /** The per-attempt state: renumbering, counts, and the final {@code done}. Confined to the stream's signals. */
    private static final class Assembly {
        private final ChatProvider provider;
        private final Route route;
        private final List<Passage> passages;
        private final PromptEstimate promptEstimate;
        private final boolean trimmed;
        private final CitationRenumberer renumberer;
        private volatile int modelTokens;
        private volatile ChatEvent.Usage usage;

        Assembly(ChatProvider provider, Route route, List<Passage> passages, PromptEstimate promptEstimate,
                boolean trimmed) {
            this.provider = provider;
            this.route = route;
            this.passages = passages;
            this.promptEstimate = promptEstimate;
            this.trimmed = trimmed;
            this.renumberer = new CitationRenumberer(passages.size());
        }

        List<ChatEvent> onOutput(ModelOutput output) {
            if (output instanceof ModelOutput.Partial partial) {
                modelTokens++;
                String text = renumberer.accept(partial.text());
                return text.isEmpty() ? List.of() : List.of(new ChatEvent.Token(text));
            }
            ModelOutput.Completed completed = (ModelOutput.Completed) output;
            usage = usage(completed.response());
            String rest = renumberer.finish();
            List<ChatEvent.Citation> citations = new ArrayList<>();
            List<ChatEvent.ChunkReference> references = new ArrayList<>();
            List<Integer> cited = renumberer.citedSources();
            for (int i = 0; i < cited.size(); i++) {
                Passage passage = passages.get(cited.get(i) - 1);
                citations.add(new ChatEvent.Citation(i + 1, passage.docId(), passage.title(), passage.page(),
                        quote(passage.text())));
                references.add(new ChatEvent.ChunkReference(i + 1, passage.chunkId(), passage.docId(), passage.score()));
            }
            ChatEvent.Done done = new ChatEvent.Done(route.wireName(), provider.provider().wireName(),
                    provider.modelName(), List.copyOf(citations), List.copyOf(references), usage, trimmed);
            return rest.isEmpty() ? List.of(done) : List.of(new ChatEvent.Token(rest), done);
        }

        private ChatEvent.Usage usage(ChatResponse response) {
            TokenUsage reported = response == null ? null : response.tokenUsage();
            Integer prompt = reported == null ? null : reported.inputTokenCount();
            Integer completion = reported == null ? null : reported.outputTokenCount();
            return new ChatEvent.Usage(prompt != null ? prompt : promptEstimate.tokens(),
                    completion != null ? completion : modelTokens);
        }

        /** What the call cost, for reconciling the reservation: the real usage, else an estimate. */
        long usedTokens(SignalType signal) {
            ChatEvent.Usage known = usage;
            if (known != null) {
                return (long) known.promptTokens() + known.completionTokens();
            }
            if (modelTokens == 0 && signal == SignalType.ON_ERROR) {
                return 0; // refused before generating (e.g. prompt too long): nothing billed
            }
            return (long) promptEstimate.tokens() + modelTokens;
        }
    }

    /** The prompt's token count, counted the first time it is asked for. */
    private static final class PromptEstimate {
        private final PromptTokenEstimator estimator;
        private final List<ChatMessage> messages;
        private volatile int tokens = -1;

        PromptEstimate(PromptTokenEstimator estimator, List<ChatMessage> messages) {
            this.estimator = estimator;
            this.messages = messages;
        }

        int tokens() {
            int counted = tokens;
            if (counted < 0) {
                counted = estimator.estimate(messages); // a race only counts twice
                tokens = counted;
            }
            return counted;
        }
    }
}
