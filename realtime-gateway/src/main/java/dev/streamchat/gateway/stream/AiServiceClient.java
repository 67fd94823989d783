package dev.streamchat.gateway.stream;

import java.io.IOException;
import java.net.ConnectException;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.reactive.function.client.WebClientRequestException;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.PrematureCloseException;
import reactor.util.retry.Retry;
import tools.jackson.databind.json.JsonMapper;

/**
 * Calls the ai-service. {@link #stream} opens {@code /semantic_search_stream} and parses its SSE body
 * incrementally; the connect step is retried (twice, 1 s apart) only on refused/reset connections and
 * 502/503/504, never after a 4xx or once a status was accepted. Cancelling the returned flux closes the
 * HTTP connection, which the ai-service sees as a disconnect.
 */
public class AiServiceClient {

    static final String STREAM_PATH = "/api/v1/semantic_search_stream";
    static final String BLOCKING_PATH = "/api/v1/semantic_search";

    private final WebClient webClient;
    private final StreamProperties streamProperties;
    private final JsonMapper json;
    private final AiStreamEventDecoder decoder;
    private final Duration retryDelay;

    public AiServiceClient(WebClient webClient, AiServiceProperties aiProperties, StreamProperties streamProperties,
                           JsonMapper json) {
        this(webClient, streamProperties, json, Duration.ofSeconds(1));
    }

    AiServiceClient(WebClient webClient, StreamProperties streamProperties, JsonMapper json, Duration retryDelay) {
        this.webClient = webClient;
        this.streamProperties = streamProperties;
        this.json = json;
        this.decoder = new AiStreamEventDecoder(json);
        this.retryDelay = retryDelay;
    }

    /**
     * The events of one answer. {@code onAccepted} runs once, on the I/O thread, when the ai-service answered
     * 2xx and before any event is emitted. Failures before that are {@link AiServiceUnavailableException};
     * after it, {@link java.util.concurrent.TimeoutException} (no byte for {@code idleTimeout}, keepalives
     * count), {@link AiProtocolException} or an I/O error. The flux completes after a {@code done} or
     * {@code error} event, or when the body ends (a dropped stream, which the caller detects).
     */
    public Flux<AiStreamEvent> stream(AiRequest request, Runnable onAccepted) {
        if (!streamProperties.enableStreaming()) {
            return blocking(request, onAccepted);
        }
        String body = json.writeValueAsString(request.toWire());
        return Flux.defer(() -> {
            AtomicBoolean accepted = new AtomicBoolean();
            return webClient.post().uri(STREAM_PATH)
                    .contentType(MediaType.APPLICATION_JSON)
                    .accept(MediaType.TEXT_EVENT_STREAM)
                    .bodyValue(body)
                    .exchangeToFlux(response -> {
                        if (!response.statusCode().is2xxSuccessful()) {
                            int status = response.statusCode().value();
                            return response.releaseBody().thenMany(Flux.error(new AiServiceUnavailableException(
                                    "ai-service answered " + status, status, null)));
                        }
                        accepted.set(true);
                        onAccepted.run();
                        SseEventParser parser = new SseEventParser();
                        return response.bodyToFlux(DataBuffer.class)
                                .timeout(streamProperties.idleTimeout())
                                .concatMapIterable(buffer -> parse(parser, buffer))
                                .<AiStreamEvent>handle((sse, sink) -> {
                                    AiStreamEvent event = decoder.decode(sse.data());
                                    if (event != null) {
                                        sink.next(event);
                                    }
                                })
                                .takeUntil(event -> !(event instanceof AiStreamEvent.Token));
                    })
                    .retryWhen(Retry.fixedDelay(2, retryDelay)
                            .filter(error -> !accepted.get() && isTransient(error))
                            .onRetryExhaustedThrow((spec, signal) -> signal.failure()))
                    .onErrorMap(error -> !accepted.get() && !(error instanceof AiServiceUnavailableException),
                            error -> new AiServiceUnavailableException("ai-service unreachable", 0, error));
        });
    }

    /** {@code ENABLE_STREAMING=false}: the blocking endpoint, its whole answer as one token, then done. */
    private Flux<AiStreamEvent> blocking(AiRequest request, Runnable onAccepted) {
        String body = json.writeValueAsString(request.toWire());
        return Mono.defer(() -> {
            AtomicBoolean accepted = new AtomicBoolean();
            return webClient.post().uri(BLOCKING_PATH)
                    .contentType(MediaType.APPLICATION_JSON)
                    .accept(MediaType.APPLICATION_JSON)
                    .bodyValue(body)
                    .exchangeToMono(response -> {
                        if (!response.statusCode().is2xxSuccessful()) {
                            int status = response.statusCode().value();
                            return response.releaseBody().then(Mono.<String>error(new AiServiceUnavailableException(
                                    "ai-service answered " + status, status, null)));
                        }
                        accepted.set(true);
                        onAccepted.run();
                        return response.bodyToMono(String.class)
                                .timeout(streamProperties.maxDuration().plusSeconds(5));
                    })
                    .retryWhen(Retry.fixedDelay(2, retryDelay)
                            .filter(error -> !accepted.get() && isTransient(error))
                            .onRetryExhaustedThrow((spec, signal) -> signal.failure()))
                    .onErrorMap(error -> !accepted.get() && !(error instanceof AiServiceUnavailableException),
                            error -> new AiServiceUnavailableException("ai-service unreachable", 0, error));
        }).flatMapMany(text -> {
            AiStreamEventDecoder.AnswerAndDone answer = decoder.decodeAnswer(json.readTree(text));
            return answer.answer().isEmpty()
                    ? Flux.just(answer.done())
                    : Flux.just(new AiStreamEvent.Token(answer.answer()), answer.done());
        });
    }

    private static List<SseEvent> parse(SseEventParser parser, DataBuffer buffer) {
        try {
            byte[] bytes = new byte[buffer.readableByteCount()];
            buffer.read(bytes);
            return parser.feed(bytes);
        } catch (IllegalStateException e) {
            throw new AiProtocolException(e.getMessage());
        } finally {
            DataBufferUtils.release(buffer);
        }
    }

    /** Refused or reset before any status, or a 502/503/504: worth another try (contract section 2). */
    static boolean isTransient(Throwable error) {
        if (error instanceof AiServiceUnavailableException unavailable) {
            int status = unavailable.status();
            return status == 502 || status == 503 || status == 504;
        }
        Throwable cause = error instanceof WebClientRequestException ? error.getCause() : error;
        if (cause == null) {
            return false;
        }
        String name = cause.getClass().getName();
        if (name.contains("PoolAcquire")) {
            return false; // our own capacity: fail fast, never queue
        }
        return cause instanceof ConnectException
                || cause instanceof PrematureCloseException
                || cause instanceof ClosedChannelException
                || (cause instanceof IOException && String.valueOf(cause.getMessage()).toLowerCase().contains("reset"));
    }
}
