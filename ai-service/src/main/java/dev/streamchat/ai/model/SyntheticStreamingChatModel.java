package dev.streamchat.ai.model;

import java.time.Duration;
import java.time.Instant;
import java.util.function.LongSupplier;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.PartialResponse;
import dev.langchain4j.model.chat.response.PartialResponseContext;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.chat.response.StreamingHandle;
import dev.langchain4j.model.output.FinishReason;
import dev.langchain4j.model.output.TokenUsage;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Scheduler;

/**
 * The load-test model ({@code AI_PROVIDER=synthetic}): {@code tokens} tokens of filler text at
 * {@code tokensPerSecond}, citing source {@code [1]} now and then, and optionally failing after
 * {@code failAfterTokens} tokens. Tokens are emitted on a Reactor scheduler: nothing blocks, and cancelling the
 * handle stops the timer at once. It reports usage with a rough prompt estimate (characters / 4).
 *
 * <p>With {@code SYNTHETIC_STAMP_TOKENS=true} every token ends with {@value #STAMP_MARK} and the wall-clock time
 * it was emitted, in microseconds since the epoch ({@code " answer@t1764632096123456"}): a load generator on the
 * same machine subtracts it from its own receive time to measure what the gateway in between adds. The stamp is
 * part of the token text, so it travels through any gateway unchanged and the saved answer contains it too.
 */
public final class SyntheticStreamingChatModel implements StreamingChatModel {

    private static final String[] WORDS = ("Synthetic answer text for load tests streams steadily so that latency, "
            + "throughput and cancellation can be measured without a real model behind the service").split(" ");

    private final int tokens;
    private final Duration interval;
    private final Integer failAfterTokens;
    private final Scheduler scheduler;
    private final LongSupplier stampMicros;

    /** Suffix that introduces a token's emit time when stamping is on. */
    public static final String STAMP_MARK = "@t";

    public SyntheticStreamingChatModel(int tokens, double tokensPerSecond, Integer failAfterTokens, Scheduler scheduler) {
        this(tokens, tokensPerSecond, failAfterTokens, scheduler, null);
    }

    /**
     * @param stampMicros the clock whose reading (epoch microseconds) is appended to each token, or null for plain
     *                    tokens; {@link #wallClockMicros()} is the real one
     */
    public SyntheticStreamingChatModel(int tokens, double tokensPerSecond, Integer failAfterTokens, Scheduler scheduler,
                                       LongSupplier stampMicros) {
        if (tokens < 1 || tokensPerSecond <= 0) {
            throw new IllegalArgumentException("SYNTHETIC_TOKENS and SYNTHETIC_TOKENS_PER_SECOND must be positive");
        }
        this.tokens = tokens;
        this.interval = Duration.ofNanos(Math.max(1L, Math.round(1_000_000_000d / tokensPerSecond)));
        this.failAfterTokens = failAfterTokens;
        this.scheduler = scheduler;
        this.stampMicros = stampMicros;
    }

    /** The wall clock in microseconds since the epoch (the same clock every process on the machine reads). */
    public static long wallClockMicros() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
    }

    @Override
    public void doChat(ChatRequest request, StreamingChatResponseHandler handler) {
        int promptTokens = Math.max(1, promptChars(request) / 4);
        boolean cites = request.messages().stream().anyMatch(m -> text(m).contains("[1]"));
        boolean fails = failAfterTokens != null && failAfterTokens < tokens;
        int toSend = fails ? Math.max(0, failAfterTokens) : tokens;
        AtomicInteger sent = new AtomicInteger();
        StringBuilder answer = new StringBuilder();
        Handle handle = new Handle();
        PartialResponseContext context = new PartialResponseContext(handle);
        handle.timer = Flux.interval(interval, interval, scheduler)
                .take(toSend)
                .subscribe(i -> {
                    if (handle.isCancelled()) {
                        return;
                    }
                    String token = token(sent.incrementAndGet(), cites);
                    if (stampMicros != null) {
                        token = token + STAMP_MARK + stampMicros.getAsLong();
                    }
                    answer.append(token);
                    handler.onPartialResponse(new PartialResponse(token), context);
                }, handler::onError, () -> {
                    if (handle.isCancelled()) {
                        return;
                    }
                    if (fails) {
                        handler.onError(new IllegalStateException("synthetic failure after " + toSend + " tokens"));
                    } else {
                        handler.onCompleteResponse(ChatResponse.builder()
                                .aiMessage(AiMessage.from(answer.toString()))
                                .tokenUsage(new TokenUsage(promptTokens, sent.get()))
                                .finishReason(FinishReason.STOP)
                                .build());
                    }
                });
        if (handle.isCancelled()) {
            handle.timer.dispose(); // cancelled before the timer was published
        }
    }

    private static String token(int n, boolean cites) {
        if (cites && n % 25 == 0) {
            return " [1]";
        }
        String word = WORDS[(n - 1) % WORDS.length];
        return n == 1 ? word : " " + word;
    }

    private static int promptChars(ChatRequest request) {
        int chars = 0;
        for (ChatMessage message : request.messages()) {
            chars += text(message).length();
        }
        return chars;
    }

    private static String text(ChatMessage message) {
        if (message instanceof SystemMessage system) {
            return system.text();
        }
        if (message instanceof UserMessage user && user.hasSingleText()) {
            return user.singleText();
        }
        if (message instanceof AiMessage ai && ai.text() != null) {
            return ai.text();
        }
        return "";
    }

    private static final class Handle implements StreamingHandle {
        private final AtomicBoolean cancelled = new AtomicBoolean();
        private volatile Disposable timer;

        @Override
        public void cancel() {
            if (cancelled.compareAndSet(false, true)) {
                Disposable current = timer;
                if (current != null) {
                    current.dispose();
                }
            }
        }

        @Override
        public boolean isCancelled() {
            return cancelled.get();
        }
    }
}
