package dev.streamchat.ai.stream;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.langchain4j.http.client.sse.ServerSentEvent;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.PartialResponse;
import dev.langchain4j.model.chat.response.PartialResponseContext;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.streamchat.ai.error.ErrorCode;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Scheduler;
import reactor.util.concurrent.Queues;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Bridges LangChain4j's {@link StreamingChatModel} callbacks to a Reactor {@link Flux}, the way langchain4j-reactor's
 * {@code TokenStreamToFluxAdapter} does, but with a bounded buffer.
 * <p>
 * Threading: the model call starts on {@code callScheduler} (never on the subscriber's event loop); callbacks only
 * emit to the sink. A failed emit other than "subscriber gone" (a full buffer) ends the flux with a
 * {@link StreamFailureException} of code {@code internal} and cancels the model. Cancelling the flux cancels the
 * model call through {@link CallCancellation}, also when it happens before the first token. Provider errors arrive as
 * {@link ModelCallException}.
 */
public final class TokenStreamBridge {

    private static final Logger log = LoggerFactory.getLogger(TokenStreamBridge.class);

    private final int bufferSize;
    private final Scheduler callScheduler;
    private final JsonMapper json = JsonMapper.builder().build();

    public TokenStreamBridge(int bufferSize, Scheduler callScheduler) {
        this.bufferSize = bufferSize;
        this.callScheduler = callScheduler;
    }

    /** A cold flux: each subscription makes one model call. */
    public Flux<ModelOutput> stream(StreamingChatModel model, ChatRequest request) {
        return Flux.defer(() -> {
            Sinks.Many<ModelOutput> sink = Sinks.many().unicast()
                    .onBackpressureBuffer(Queues.<ModelOutput>get(bufferSize).get());
            CallCancellation cancellation = new CallCancellation();
            Handler handler = new Handler(sink, cancellation);
            return sink.asFlux()
                    .doOnSubscribe(subscription -> callScheduler.schedule(() -> call(model, request, handler, cancellation)))
                    .doOnCancel(cancellation::cancel);
        });
    }

    private static void call(StreamingChatModel model, ChatRequest request, Handler handler,
            CallCancellation cancellation) {
        if (cancellation.isCancelled()) {
            return;
        }
        try (CallCancellation.Scope ignored = cancellation.bind()) {
            model.chat(request, handler);
        } catch (RuntimeException e) {
            handler.onError(e);
        }
    }

    /** Receives the model's callbacks; serialized by {@code synchronized} since providers may call from any thread. */
    private final class Handler implements StreamingChatResponseHandler {

        private final Sinks.Many<ModelOutput> sink;
        private final CallCancellation cancellation;
        private boolean terminated;

        Handler(Sinks.Many<ModelOutput> sink, CallCancellation cancellation) {
            this.sink = sink;
            this.cancellation = cancellation;
        }

        @Override
        public void onPartialResponse(PartialResponse partialResponse, PartialResponseContext context) {
            cancellation.attach(context.streamingHandle());
            onPartialResponse(partialResponse.text());
        }

        @Override
        public synchronized void onPartialResponse(String text) {
            if (terminated || cancellation.isCancelled() || text == null || text.isEmpty()) {
                return;
            }
            Sinks.EmitResult result = sink.tryEmitNext(new ModelOutput.Partial(text));
            if (result.isFailure()) {
                overflowOrGone(result);
            }
        }

        @Override
        public void onUnmappedRawEvent(Object rawEvent) {
            // OpenAI reports some mid-stream failures as a plain data chunk {"error":{...}} that LangChain4j does not
            // map to onError; without this the stream would end in a normal completion with a partial answer.
            if (rawEvent instanceof ServerSentEvent event && event.data() != null && event.data().contains("\"error\"")) {
                try {
                    JsonNode node = json.readTree(event.data());
                    if (node.isObject() && node.has("error") && !node.get("error").isNull()) {
                        onError(new UpstreamStreamError(node.get("error").toString()));
                    }
                } catch (RuntimeException notJson) {
                    log.debug("ignoring unparseable raw event");
                }
            }
        }

        @Override
        public synchronized void onCompleteResponse(ChatResponse completeResponse) {
            if (terminated || cancellation.isCancelled()) {
                return;
            }
            terminated = true;
            Sinks.EmitResult result = sink.tryEmitNext(new ModelOutput.Completed(completeResponse));
            if (result.isFailure()) {
                terminated = false;
                overflowOrGone(result);
                return;
            }
            sink.tryEmitComplete();
        }

        @Override
        public synchronized void onError(Throwable error) {
            if (terminated || cancellation.isCancelled()) {
                return;
            }
            terminated = true;
            sink.tryEmitError(new ModelCallException(error));
        }

        private void overflowOrGone(Sinks.EmitResult result) {
            if (result == Sinks.EmitResult.FAIL_CANCELLED || result == Sinks.EmitResult.FAIL_TERMINATED) {
                return;
            }
            terminated = true;
            cancellation.cancel();
            sink.tryEmitError(new StreamFailureException(ErrorCode.INTERNAL,
                    "the answer could not be buffered (" + result + ")"));
        }
    }

    /** An error the provider reported inside the stream body. */
    static final class UpstreamStreamError extends RuntimeException {
        UpstreamStreamError(String error) {
            super(error);
        }
    }
}
