package dev.streamchat.ai.model.local;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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
import dev.streamchat.ai.route.PromptFormat;
import dev.streamchat.ai.route.Route;
import reactor.core.Disposable;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * The offline provider (AI_PROVIDER=local, the default without an OpenAI key): an extractive model behind the same
 * {@link StreamingChatModel} interface as OpenAI. It reads the numbered sources and the route from the system prompt
 * that {@code PromptBuilder} wrote, quotes the best-matching sentences verbatim with their {@code [n]}, and says so
 * when no source fits. The answer is streamed in word-sized tokens at {@code tokensPerSecond} on a Reactor scheduler:
 * {@code doChat} returns at once, callbacks arrive one at a time on a scheduler thread, and
 * {@code streamingHandle().cancel()} stops them (after a cancel neither complete nor error is called). Deterministic:
 * the same request always gives the same tokens. Usage counts word-sized tokens.
 */
public class LocalStreamingChatModel implements StreamingChatModel {

    static final String MODEL_NAME = "local-extractive";
    private static final Pattern TOKEN = Pattern.compile("\\s*\\S+");

    private final double tokensPerSecond;
    private final Scheduler scheduler;

    public LocalStreamingChatModel(double tokensPerSecond) {
        this(tokensPerSecond, Schedulers.parallel());
    }

    LocalStreamingChatModel(double tokensPerSecond, Scheduler scheduler) {
        if (!(tokensPerSecond > 0) || Double.isInfinite(tokensPerSecond)) {
            throw new IllegalArgumentException("tokensPerSecond must be a positive number, got " + tokensPerSecond);
        }
        this.tokensPerSecond = tokensPerSecond;
        this.scheduler = scheduler;
    }

    @Override
    public void doChat(ChatRequest request, StreamingChatResponseHandler handler) {
        Emission emission = new Emission(request, handler);
        long periodNanos = Math.max(1_000L, Math.round(1_000_000_000L / tokensPerSecond));
        // One worker runs the ticks one after another, so callbacks never overlap.
        Scheduler.Worker worker = scheduler.createWorker();
        emission.start(worker, worker.schedulePeriodically(emission::tick, 0, periodNanos, TimeUnit.NANOSECONDS));
    }

    /** Splits text into word-sized tokens (leading whitespace attached) whose concatenation is the text. */
    static List<String> tokens(String text) {
        List<String> tokens = new ArrayList<>();
        Matcher m = TOKEN.matcher(text);
        int end = 0;
        while (m.find()) {
            tokens.add(m.group());
            end = m.end();
        }
        if (end < text.length()) {
            if (tokens.isEmpty()) {
                tokens.add(text.substring(end));
            } else {
                tokens.set(tokens.size() - 1, tokens.get(tokens.size() - 1) + text.substring(end));
            }
        }
        return tokens;
    }

    /** The answer the model gives to a request, before streaming: a pure function of the messages. */
    static String compose(ChatRequest request) {
        List<ChatMessage> messages = request.messages();
        String system = null;
        String question = "";
        List<String> earlierQuestions = new ArrayList<>();
        String previousAnswer = null;
        int lastUser = -1;
        for (int i = 0; i < messages.size(); i++) {
            if (messages.get(i) instanceof UserMessage) {
                lastUser = i;
            }
        }
        for (int i = 0; i < messages.size(); i++) {
            ChatMessage message = messages.get(i);
            if (message instanceof SystemMessage s && system == null) {
                system = s.text();
            } else if (message instanceof UserMessage u) {
                String text = u.hasSingleText() ? u.singleText() : "";
                if (i == lastUser) {
                    question = text;
                } else {
                    earlierQuestions.add(text);
                }
            } else if (message instanceof AiMessage a && i < lastUser && a.text() != null) {
                previousAnswer = a.text();
            }
        }
        String task = PromptFormat.parseTask(system);
        if (task != null && task.startsWith("research_")) {
            return ResearchWriter.write(task, system, question);
        }
        Route route = PromptFormat.parseRoute(system);
        return ExtractiveAnswerer.answer(route == null ? Route.GENERAL_QA : route, question, earlierQuestions,
                previousAnswer, PromptFormat.parseSources(system));
    }

    private static int countTokens(List<ChatMessage> messages) {
        int count = 0;
        for (ChatMessage message : messages) {
            String text = message instanceof SystemMessage s ? s.text()
                    : message instanceof UserMessage u && u.hasSingleText() ? u.singleText()
                    : message instanceof AiMessage a ? a.text() : null;
            if (text != null) {
                count += tokens(text).size();
            }
        }
        return count;
    }

    /** One streamed answer: its tokens, its position, and its cancellation. Ticks run on one worker, in order. */
    private static final class Emission implements StreamingHandle {
        private final ChatRequest request;
        private final StreamingChatResponseHandler handler;
        private final AtomicBoolean cancelled = new AtomicBoolean();
        private final AtomicBoolean finished = new AtomicBoolean();
        private volatile Disposable task;
        private volatile Scheduler.Worker worker;
        private List<String> tokens;
        private String text;
        private FinishReason finishReason = FinishReason.STOP;
        private int next;

        Emission(ChatRequest request, StreamingChatResponseHandler handler) {
            this.request = request;
            this.handler = handler;
        }

        void start(Scheduler.Worker worker, Disposable task) {
            this.worker = worker;
            this.task = task;
            if (cancelled.get() || finished.get()) {
                worker.dispose();
            }
        }

        void tick() {
            if (cancelled.get() || finished.get()) {
                stop();
                return;
            }
            try {
                if (tokens == null) {
                    // The answer is composed on the scheduler, never on the caller's thread.
                    text = compose(request);
                    tokens = tokens(text);
                    Integer max = request.maxOutputTokens();
                    if (max != null && max >= 0 && tokens.size() > max) {
                        tokens = tokens.subList(0, max);
                        text = String.join("", tokens);
                        finishReason = FinishReason.LENGTH;
                    }
                }
                if (next < tokens.size()) {
                    handler.onPartialResponse(new PartialResponse(tokens.get(next++)), new PartialResponseContext(this));
                    return;
                }
                if (finished.compareAndSet(false, true)) {
                    stop();
                    handler.onCompleteResponse(ChatResponse.builder()
                            .aiMessage(AiMessage.from(text))
                            .modelName(MODEL_NAME)
                            .tokenUsage(new TokenUsage(countTokens(request.messages()), tokens.size()))
                            .finishReason(finishReason)
                            .build());
                }
            } catch (RuntimeException e) {
                if (finished.compareAndSet(false, true) && !cancelled.get()) {
                    stop();
                    handler.onError(e);
                }
            }
        }

        @Override
        public void cancel() {
            if (cancelled.compareAndSet(false, true)) {
                stop();
            }
        }

        @Override
        public boolean isCancelled() {
            return cancelled.get();
        }

        private void stop() {
            Disposable t = task;
            if (t != null) {
                t.dispose();
            }
            Scheduler.Worker w = worker;
            if (w != null) {
                w.dispose();
            }
        }
    }
}
