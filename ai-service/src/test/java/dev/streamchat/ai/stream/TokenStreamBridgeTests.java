package dev.streamchat.ai.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.http.client.sse.ServerSentEvent;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.PartialResponse;
import dev.langchain4j.model.chat.response.PartialResponseContext;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.chat.response.StreamingHandle;
import dev.langchain4j.model.output.TokenUsage;
import dev.streamchat.ai.error.ErrorCode;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

class TokenStreamBridgeTests {

    private static final ChatRequest REQUEST = ChatRequest.builder().messages(UserMessage.from("q")).build();

    /** A model the test drives by hand: it keeps the handler and hands out a handle that records cancels. */
    static final class ManualModel implements StreamingChatModel {
        final AtomicReference<StreamingChatResponseHandler> handler = new AtomicReference<>();
        final Handle handle = new Handle();

        @Override
        public void doChat(ChatRequest request, StreamingChatResponseHandler h) {
            handler.set(h);
        }

        StreamingChatResponseHandler awaitCall() {
            await().atMost(Duration.ofSeconds(5)).until(() -> handler.get() != null);
            return handler.get();
        }

        void token(String text) {
            handler.get().onPartialResponse(new PartialResponse(text), new PartialResponseContext(handle));
        }
    }

    static final class Handle implements StreamingHandle {
        final AtomicBoolean cancelled = new AtomicBoolean();

        @Override
        public void cancel() {
            cancelled.set(true);
        }

        @Override
        public boolean isCancelled() {
            return cancelled.get();
        }
    }

    private final TokenStreamBridge bridge = new TokenStreamBridge(8, Schedulers.boundedElastic());

    @Test
    void emitsPartialsInOrderThenTheCompletedResponse() {
        ManualModel model = new ManualModel();
        ChatResponse response = ChatResponse.builder().aiMessage(AiMessage.from("Hello world"))
                .tokenUsage(new TokenUsage(7, 2)).build();

        StepVerifier.create(bridge.stream(model, REQUEST))
                .then(() -> {
                    model.awaitCall();
                    model.token("Hello");
                    model.token(" world");
                    model.handler.get().onCompleteResponse(response);
                })
                .expectNext(new ModelOutput.Partial("Hello"), new ModelOutput.Partial(" world"))
                .expectNext(new ModelOutput.Completed(response))
                .verifyComplete();
    }

    @Test
    void wrapsAProviderErrorAndIgnoresTheCompletionThatFollowsIt() {
        ManualModel model = new ManualModel();

        StepVerifier.create(bridge.stream(model, REQUEST))
                .then(() -> {
                    model.awaitCall();
                    model.token("Hel");
                    model.handler.get().onError(new IllegalStateException("connection reset"));
                    model.handler.get().onCompleteResponse(ChatResponse.builder().aiMessage(AiMessage.from("Hel")).build());
                })
                .expectNext(new ModelOutput.Partial("Hel"))
                .expectErrorSatisfies(error -> assertThat(error).isInstanceOf(ModelCallException.class)
                        .hasCauseInstanceOf(IllegalStateException.class))
                .verify(Duration.ofSeconds(5));
    }

    @Test
    void turnsAnErrorChunkInTheStreamIntoAnError() {
        ManualModel model = new ManualModel();

        StepVerifier.create(bridge.stream(model, REQUEST))
                .then(() -> {
                    model.awaitCall();
                    model.token("Hel");
                    model.handler.get().onUnmappedRawEvent(new ServerSentEvent(null,
                            "{\"error\":{\"message\":\"overloaded\",\"type\":\"server_error\"}}"));
                })
                .expectNext(new ModelOutput.Partial("Hel"))
                .expectError(ModelCallException.class)
                .verify(Duration.ofSeconds(5));
    }

    @Test
    void cancellingMidStreamCancelsTheModelsHandle() {
        ManualModel model = new ManualModel();

        StepVerifier.create(bridge.stream(model, REQUEST))
                .then(() -> {
                    model.awaitCall();
                    model.token("Hel");
                })
                .expectNext(new ModelOutput.Partial("Hel"))
                .thenCancel()
                .verify(Duration.ofSeconds(5));

        assertThat(model.handle.isCancelled()).isTrue();
    }

    @Test
    void aCancelBeforeTheFirstTokenCancelsTheHandleAsSoonAsItArrives() {
        ManualModel model = new ManualModel();
        List<ModelOutput> seen = new CopyOnWriteArrayList<>();

        var subscription = bridge.stream(model, REQUEST).subscribe(seen::add);
        StreamingChatResponseHandler handler = model.awaitCall();
        subscription.dispose();
        handler.onPartialResponse(new PartialResponse("late"), new PartialResponseContext(model.handle));

        assertThat(model.handle.isCancelled()).isTrue();
        assertThat(seen).isEmpty();
    }

    @Test
    void aCancelBeforeTheCallStartsSkipsTheCall() {
        ManualModel model = new ManualModel();
        List<Runnable> queuedTasks = new CopyOnWriteArrayList<>();
        TokenStreamBridge queued = new TokenStreamBridge(8, Schedulers.fromExecutor(queuedTasks::add));

        queued.stream(model, REQUEST).subscribe().dispose();
        queuedTasks.forEach(Runnable::run);

        assertThat(queuedTasks).hasSize(1);
        assertThat(model.handler.get()).isNull();
    }

    @Test
    void aFullBufferEndsTheStreamWithInternalAndCancelsTheModel() {
        ManualModel model = new ManualModel();

        StepVerifier.create(bridge.stream(model, REQUEST), 0)
                .then(() -> {
                    model.awaitCall();
                    for (int i = 0; i < 20; i++) {
                        model.token("t" + i);
                    }
                })
                .thenRequest(Long.MAX_VALUE)
                .thenConsumeWhile(output -> output instanceof ModelOutput.Partial)
                .expectErrorSatisfies(error -> assertThat(error).isInstanceOf(StreamFailureException.class)
                        .extracting(e -> ((StreamFailureException) e).code()).isEqualTo(ErrorCode.INTERNAL))
                .verify(Duration.ofSeconds(5));

        assertThat(model.handle.isCancelled()).isTrue();
    }

    @Test
    void aModelThatThrowsOnCallEndsTheStreamWithItsError() {
        StreamingChatModel broken = new StreamingChatModel() {
            @Override
            public void doChat(ChatRequest request, StreamingChatResponseHandler handler) {
                throw new IllegalArgumentException("bad request");
            }
        };

        StepVerifier.create(bridge.stream(broken, REQUEST))
                .expectError(ModelCallException.class)
                .verify(Duration.ofSeconds(5));
    }

    @Test
    void acceptsModelsThatReportPartialsWithoutAHandle() {
        StreamingChatModel plain = new StreamingChatModel() {
            @Override
            public void doChat(ChatRequest request, StreamingChatResponseHandler handler) {
                handler.onPartialResponse("a");
                handler.onPartialResponse("b");
                handler.onCompleteResponse(ChatResponse.builder().aiMessage(AiMessage.from("ab")).build());
            }
        };

        StepVerifier.create(bridge.stream(plain, REQUEST))
                .expectNext(new ModelOutput.Partial("a"), new ModelOutput.Partial("b"))
                .expectNextMatches(output -> output instanceof ModelOutput.Completed)
                .verifyComplete();
    }
}
