package dev.streamchat.ai.chat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Pattern;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.output.TokenUsage;
import dev.streamchat.ai.error.ErrorCode;
import dev.streamchat.ai.model.ChatProvider;
import dev.streamchat.ai.rag.Passage;
import dev.streamchat.ai.rag.Retriever;
import dev.streamchat.ai.route.PromptFormat.Finding;
import dev.streamchat.ai.route.ResearchPrompts;
import dev.streamchat.ai.stream.ChatEvent;
import dev.streamchat.ai.stream.CitationRenumberer;
import dev.streamchat.ai.stream.ModelOutput;
import dev.streamchat.ai.stream.StreamFailureException;
import dev.streamchat.ai.stream.TokenStreamBridge;
import dev.streamchat.ai.tpm.PromptTokenEstimator;
import dev.streamchat.ai.tpm.Reservation;
import dev.streamchat.ai.tpm.TokenRateLimiter;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.SignalType;

/**
 * Deep Research (CONTRACT.md section 6, after the seeds' multi-turn research): one stream of several model calls, one
 * after the other. A plan (sub-questions, from the question and passages retrieved for it), then one research update
 * per sub-question (each retrieves again, for its sub-question), then a conclusion over the findings; at most
 * {@code DEEP_RESEARCH_MAX_ITERATIONS} calls in all. A {@code progress} event and a Markdown heading token open each
 * phase. The research stops early when an update says the question is answered ("This concludes our research", or a
 * "## Conclusion" heading, the seeds' completion markers), or when the plan has no more sub-questions.
 * <p>
 * Citations: each phase's prompt numbers its own sources [1]..[k]; one {@link CitationRenumberer} over all the
 * passages of the run maps them to the answer's numbers, which run [1]..[n] in order of first use across the whole
 * text, so the one {@code done} lists the citations of every phase. The conclusion's sources are the passages cited
 * so far, numbered as the answer numbers them, so its markers agree with the findings it summarises.
 * <p>
 * Threading: the returned flux is cold; phases are chained with {@code concat}, so one model call runs at a time, and
 * cancelling the flux cancels the current call (its connection is closed) and starts no further one.
 */
@Component
class DeepResearch {

    static final String ROUTE = "deep_research";
    private static final Pattern CONCLUDED = Pattern.compile(
            "(?i)this concludes our research|(?m)^\\s*#{1,3}\\s*(final\\s+)?conclusion\\b");
    private static final Pattern CITATION = Pattern.compile("\\[\\d+(?:,\\s*\\d+)*]");
    private static final Logger log = LoggerFactory.getLogger(DeepResearch.class);

    private final Retriever retriever;
    private final ResearchPrompts prompts;
    private final TokenRateLimiter limiter;
    private final PromptTokenEstimator estimator;
    private final TokenStreamBridge bridge;
    private final ResearchProperties properties;

    DeepResearch(Retriever retriever, ResearchPrompts prompts, TokenRateLimiter limiter, PromptTokenEstimator estimator,
            TokenStreamBridge bridge, ResearchProperties properties) {
        this.retriever = retriever;
        this.prompts = prompts;
        this.limiter = limiter;
        this.estimator = estimator;
        this.bridge = bridge;
        this.properties = properties;
    }

    /** A cold flux: progress events and tokens of every phase, then one {@code done}; errors propagate. */
    Flux<ChatEvent> research(Question question, ChatProvider model) {
        return Flux.defer(() -> new Run(question, model).events());
    }

    /** The state of one run, confined to its stream's signals (phases run one after another). */
    private final class Run {
        private final Question question;
        private final ChatProvider model;
        private final List<Passage> passages = new ArrayList<>();
        private final Map<String, Integer> numberByChunk = new HashMap<>();
        private final CitationRenumberer renumberer = new CitationRenumberer(0);
        private final List<Finding> findings = new ArrayList<>();
        private List<String> subQuestions = List.of();
        private volatile boolean concluded;
        private int promptTokens;
        private int completionTokens;

        Run(Question question, ChatProvider model) {
            this.question = question;
            this.model = model;
        }

        Flux<ChatEvent> events() {
            int cap = properties.maxIterations();
            Flux<ChatEvent> plan = retrieve(question.query()).flatMapMany(found -> phase(
                    new ChatEvent.Progress(1, cap, "plan", "Research plan"), "## Research plan\n\n", found,
                    prompts.plan(question.query(), question.history(), found, properties.maxSubQuestions()),
                    text -> subQuestions = ResearchPlan.subQuestions(text, question.query(), properties.maxSubQuestions())));
            Flux<ChatEvent> research = Flux.defer(() -> Flux.range(0, subQuestions.size())
                    .concatMap(i -> Flux.defer(() -> concluded ? Flux.empty() : researchStep(i))));
            Flux<ChatEvent> conclusion = Flux.defer(this::conclusion);
            return Flux.concat(plan, research, conclusion, Mono.fromCallable(this::done));
        }

        private Flux<ChatEvent> researchStep(int index) {
            String subQuestion = subQuestions.get(index);
            int of = 2 + subQuestions.size();
            return retrieve(subQuestion).flatMapMany(found -> phase(
                    new ChatEvent.Progress(2 + index, of, "research", subQuestion),
                    "\n\n## " + subQuestion + "\n\n", found,
                    prompts.update(question.query(), subQuestion, List.copyOf(findings), found),
                    text -> {
                        findings.add(new Finding(subQuestion, CITATION.matcher(text).find(), text));
                        if (index + 1 < subQuestions.size() && CONCLUDED.matcher(text).find()) {
                            concluded = true;
                            log.debug("deep research concluded early requestId={} after {} of {} steps",
                                    question.requestId(), index + 1, subQuestions.size());
                        }
                    }));
        }

        private Flux<ChatEvent> conclusion() {
            int iteration = 2 + findings.size();
            // The passages cited so far, numbered as the answer numbers them: the findings' markers stay valid.
            List<Passage> cited = renumberer.citedSources().stream().map(n -> passages.get(n - 1)).toList();
            return phase(new ChatEvent.Progress(iteration, iteration, "conclusion", "Conclusion"),
                    "\n\n## Conclusion\n\n", cited, prompts.conclusion(question.query(), List.copyOf(findings), cited),
                    text -> { });
        }

        /** One phase: its progress event, its heading, then the model's tokens with citations mapped to the run's. */
        private Flux<ChatEvent> phase(ChatEvent.Progress progress, String heading, List<Passage> sources,
                List<ChatMessage> messages, Consumer<String> onText) {
            int[] numbers = register(sources);
            StringBuilder text = new StringBuilder();
            Flux<ChatEvent> body = Flux.defer(() -> {
                renumberer.useSources(numbers);
                return call(messages).concatMap(output -> {
                    if (output instanceof ModelOutput.Partial partial) {
                        String out = renumberer.accept(partial.text());
                        text.append(out);
                        return out.isEmpty() ? Flux.<ChatEvent>empty() : Flux.just(new ChatEvent.Token(out));
                    }
                    String rest = renumberer.finish();
                    text.append(rest);
                    onText.accept(text.toString());
                    return rest.isEmpty() ? Flux.<ChatEvent>empty() : Flux.just(new ChatEvent.Token(rest));
                });
            });
            return Flux.<ChatEvent>just(progress, new ChatEvent.Token(heading)).concatWith(body);
        }

        /** One model call under a token reservation (OpenAI only), its usage added to the run's. */
        private Flux<ModelOutput> call(List<ChatMessage> messages) {
            int estimate = estimator.estimate(messages);
            Mono<Reservation> reservation = model.reservesTokens()
                    ? limiter.reserve(estimate + (long) model.maxOutputTokens())
                    : Mono.just(Reservation.none());
            return reservation.flatMapMany(reserved -> {
                int[] partials = {0};
                long[] used = {-1};
                return bridge.stream(model.model(), ChatRequest.builder().messages(messages).build())
                        .doOnNext(output -> {
                            if (output instanceof ModelOutput.Partial) {
                                partials[0]++;
                            } else {
                                TokenUsage usage = ((ModelOutput.Completed) output).response() == null ? null
                                        : ((ModelOutput.Completed) output).response().tokenUsage();
                                int prompt = usage != null && usage.inputTokenCount() != null ? usage.inputTokenCount() : estimate;
                                int completion = usage != null && usage.outputTokenCount() != null
                                        ? usage.outputTokenCount() : partials[0];
                                promptTokens += prompt;
                                completionTokens += completion;
                                used[0] = (long) prompt + completion;
                            }
                        })
                        .doFinally(signal -> limiter.settle(reserved, used[0] >= 0 ? used[0]
                                : partials[0] == 0 && signal == SignalType.ON_ERROR ? 0 : (long) estimate + partials[0]));
            });
        }

        private Mono<List<Passage>> retrieve(String query) {
            return retriever.retrieve(question.scope(), query)
                    .defaultIfEmpty(List.of())
                    .onErrorMap(error -> {
                        log.warn("retrieval failed requestId={} error={}", question.requestId(), error.toString());
                        return new StreamFailureException(ErrorCode.INTERNAL, "retrieval failed");
                    });
        }

        /** Adds a phase's passages to the run's list (once per chunk); returns their numbers in that list. */
        private int[] register(List<Passage> found) {
            int[] numbers = new int[found.size()];
            for (int i = 0; i < found.size(); i++) {
                Passage passage = found.get(i);
                numbers[i] = numberByChunk.computeIfAbsent(passage.chunkId(), id -> {
                    passages.add(passage);
                    return passages.size();
                });
            }
            return numbers;
        }

        private ChatEvent.Done done() {
            List<ChatEvent.Citation> citations = new ArrayList<>();
            List<ChatEvent.ChunkReference> references = new ArrayList<>();
            List<Integer> cited = renumberer.citedSources();
            for (int i = 0; i < cited.size(); i++) {
                Passage passage = passages.get(cited.get(i) - 1);
                citations.add(new ChatEvent.Citation(i + 1, passage.docId(), passage.title(), passage.page(),
                        AnswerService.quote(passage.text())));
                references.add(new ChatEvent.ChunkReference(i + 1, passage.chunkId(), passage.docId(), passage.score()));
            }
            return new ChatEvent.Done(ROUTE, model.provider().wireName(), model.modelName(), List.copyOf(citations),
                    List.copyOf(references), new ChatEvent.Usage(promptTokens, completionTokens), false);
        }
    }
}
