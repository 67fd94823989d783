package dev.streamchat.gateway.stream;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.nio.channels.ClosedChannelException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import java.util.function.Consumer;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.timeout.ReadTimeoutException;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.netty.ByteBufFlux;
import reactor.netty.Connection;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.client.HttpClientResponse;
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
    /** How long the body may stay open after its terminal event before the connection is closed instead of reused. */
    static final Duration DRAIN_AFTER_TERMINAL = Duration.ofSeconds(2);
    /** The most the blocking endpoint's answer may be (as WebClient's in-memory limit was). */
    static final int MAX_BLOCKING_BODY = 4 * 1024 * 1024;
    private static final String TEXT_EVENT_STREAM = "text/event-stream";

    private final LoopAffineClients clients;
    private final int maxStreams;
    private final AtomicInteger openStreams = new AtomicInteger();
    private final StreamProperties streamProperties;
    private final JsonMapper json;
    private final AiStreamEventDecoder decoder;
    private final Duration retryDelay;

    AiServiceClient(LoopAffineClients clients, AiServiceProperties aiProperties, StreamProperties streamProperties,
                    JsonMapper json) {
        this(clients, aiProperties.maxStreams(), streamProperties, json, Duration.ofSeconds(1));
    }

    AiServiceClient(LoopAffineClients clients, int maxStreams, StreamProperties streamProperties, JsonMapper json,
                    Duration retryDelay) {
        this.clients = clients;
        this.maxStreams = maxStreams;
        this.streamProperties = streamProperties;
        this.json = json;
        this.decoder = new AiStreamEventDecoder(json);
        this.retryDelay = retryDelay;
    }

    /**
     * Runs one answer, handing each event to {@code onEvent} on the I/O thread as it is parsed (no list, no
     * queue). {@code onAccepted} runs once, on the I/O thread, when the ai-service answered 2xx and before any event.
     * Failures before that are {@link AiServiceUnavailableException}; after it, {@link TimeoutException} (no byte for
     * {@code idleTimeout}, keepalives count), {@link AiProtocolException} or an I/O error. Nothing is delivered after
     * a {@code done} or {@code error} event; the body is read on to its end, which comes right after, so that the
     * connection is reused (at most {@link #DRAIN_AFTER_TERMINAL} later it is closed instead). Completes when the body
     * ends, also without a terminal event (a dropped stream, which the caller detects). Cancelling closes the HTTP
     * connection.
     */
    public Mono<Void> stream(AiRequest request, Runnable onAccepted, Consumer<AiStreamEvent> onEvent) {
        return stream(request, null, onAccepted, onEvent);
    }

    /**
     * {@link #stream(AiRequest, Runnable, Consumer)} read on {@code loop} (the user's socket's, so every callback runs
     * there and a token reaches the socket without a thread hand-off); any loop when null. At most
     * {@code AI_SERVICE_MAX_STREAMS} run at once: one more fails at once with {@link AiServiceUnavailableException}.
     */
    public Mono<Void> stream(AiRequest request, EventLoop loop, Runnable onAccepted, Consumer<AiStreamEvent> onEvent) {
        return Mono.defer(() -> {
            if (openStreams.incrementAndGet() > maxStreams) {
                openStreams.decrementAndGet();
                return Mono.error(new AiServiceUnavailableException("too many streams to the ai-service", 0, null));
            }
            HttpClient http = clients.on(loop);
            Mono<Void> answer = streamProperties.enableStreaming() ? streaming(http, request, onAccepted, onEvent)
                    : blocking(http, request, onAccepted, onEvent);
            return answer.doFinally(signal -> openStreams.decrementAndGet());
        });
    }

    private Mono<Void> streaming(HttpClient http, AiRequest request, Runnable onAccepted,
                                 Consumer<AiStreamEvent> onEvent) {
        Duration idle = streamProperties.idleTimeout();
        // Idle limit between network reads (Netty's ReadTimeoutHandler), not a timer per element.
        return this.<Void>call(http, STREAM_PATH, request, TEXT_EVENT_STREAM, idle, onAccepted, (response, content) -> {
            EventReader reader = new EventReader(decoder, onEvent);
            Sinks.Empty<Void> terminal = Sinks.empty();
            return content
                    .doOnNext(buffer -> {
                        if (reader.read(buffer)) {
                            terminal.tryEmitEmpty();
                        }
                    })
                    // Read on to the body's end (right after the terminal event), so the connection goes back to the
                    // pool: cancelling a response before its end closes the connection, and the next stream would pay
                    // a new one. A body still open later than that is cut.
                    .takeUntilOther(terminal.asMono().then(Mono.delay(DRAIN_AFTER_TERMINAL)))
                    .then()
                    .onErrorMap(AiServiceClient::isReadTimeout, error -> new TimeoutException(
                            "no byte from the ai-service for " + idle + "; " + reader.progress() + "; "
                                    + connectionState(response)));
        });
    }

    /**
     * POSTs the request to {@code path}. Another status than 2xx is {@link AiServiceUnavailableException}; a 2xx runs
     * {@code onAccepted} and then {@code read} on the body. Before a status, a transient failure is tried again (twice,
     * {@code retryDelay} apart) and any other becomes {@link AiServiceUnavailableException}; after it, errors pass as
     * they are. {@code responseTimeout}, when given, is the idle limit between network reads.
     */
    private <T> Mono<T> call(HttpClient http, String path, AiRequest request, String accept, Duration responseTimeout,
                             Runnable onAccepted, BiFunction<HttpClientResponse, ByteBufFlux, Mono<T>> read) {
        byte[] body = json.writeValueAsBytes(request.toWire());
        return Mono.defer(() -> {
            AtomicBoolean accepted = new AtomicBoolean();
            return http.post().uri(path)
                    .send((httpRequest, out) -> {
                        httpRequest.header(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
                                .header(HttpHeaderNames.ACCEPT, accept);
                        if (responseTimeout != null) {
                            httpRequest.responseTimeout(responseTimeout);
                        }
                        return out.sendByteArray(Mono.just(body));
                    })
                    .response((response, content) -> {
                        int status = response.status().code();
                        if (status < 200 || status > 299) {
                            return content.then(Mono.<T>error(new AiServiceUnavailableException(
                                    "ai-service answered " + status, status, null)));
                        }
                        accepted.set(true);
                        onAccepted.run();
                        return read.apply(response, content);
                    })
                    .next()
                    .retryWhen(Retry.fixedDelay(2, retryDelay)
                            .filter(error -> !accepted.get() && isTransient(error))
                            .onRetryExhaustedThrow((spec, signal) -> signal.failure()))
                    .onErrorMap(error -> !accepted.get() && !(error instanceof AiServiceUnavailableException),
                            error -> new AiServiceUnavailableException("ai-service unreachable", 0, error));
        });
    }

    /**
     * What a stream's connection was doing when it fell silent, for the timeout's message (no content): whether it
     * was still open and reading. Reactor Netty's response is its connection; anything else says so.
     */
    private static String connectionState(HttpClientResponse response) {
        if (!(response instanceof Connection connection)) {
            return "connection state unknown";
        }
        Channel channel = connection.channel();
        return "connection active=" + channel.isActive() + " autoRead=" + channel.config().isAutoRead()
                + " writable=" + channel.isWritable();
    }

    /**
     * One stream's parser and decoder. Reads a network chunk in place, hands its events on, and stops at the
     * terminal one. Runs on the I/O thread of the stream's connection only.
     */
    private static final class EventReader implements SseEventParser.DataListener {
        private final SseEventParser parser = new SseEventParser();
        private final AiStreamEventDecoder decoder;
        private final Consumer<AiStreamEvent> onEvent;
        private boolean ended;
        private long bytes;
        private int events;

        EventReader(AiStreamEventDecoder decoder, Consumer<AiStreamEvent> onEvent) {
            this.decoder = decoder;
            this.onEvent = onEvent;
        }

        /** @return true once the terminal event was delivered */
        boolean read(ByteBuf buffer) {
            bytes += buffer.readableBytes();
            try {
                parser.feed(buffer, this);
            } catch (IllegalStateException e) {
                throw new AiProtocolException(e.getMessage());
            }
            return ended;
        }

        @Override
        public void onData(byte[] data, int length) {
            if (ended) {
                return;
            }
            AiStreamEvent event = decoder.decode(data, 0, length);
            if (event == null) {
                return;
            }
            ended = event instanceof AiStreamEvent.Done || event instanceof AiStreamEvent.Failure;
            events++;
            onEvent.accept(event);
        }

        /** How far the stream got before it fell silent (the last byte came one idle limit ago, by definition). */
        String progress() {
            return bytes + " bytes and " + events + " events read";
        }
    }

    /** Netty's read timeout, however the HTTP layers wrapped it. */
    private static boolean isReadTimeout(Throwable error) {
        for (Throwable cause = error; cause != null; cause = cause.getCause()) {
            if (cause instanceof ReadTimeoutException) {
                return true;
            }
        }
        return false;
    }

    /** {@code ENABLE_STREAMING=false}: the blocking endpoint, its whole answer as one token, then done. */
    private Mono<Void> blocking(HttpClient http, AiRequest request, Runnable onAccepted,
                                Consumer<AiStreamEvent> onEvent) {
        return call(http, BLOCKING_PATH, request, HttpHeaderValues.APPLICATION_JSON.toString(), null, onAccepted,
                (response, content) -> content.collect(BoundedBody::new, BoundedBody::append).map(BoundedBody::text)
                        .timeout(streamProperties.maxDuration().plusSeconds(5)))
                .doOnNext(text -> {
                    AiStreamEventDecoder.AnswerAndDone answer = decoder.decodeAnswer(json.readTree(text));
                    if (!answer.answer().isEmpty()) {
                        onEvent.accept(new AiStreamEvent.Token(answer.answer()));
                    }
                    onEvent.accept(answer.done());
                })
                .then();
    }

    /** The blocking endpoint's body, copied out of the network buffers, at most {@link #MAX_BLOCKING_BODY} bytes. */
    private static final class BoundedBody {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

        void append(ByteBuf buffer) {
            int length = buffer.readableBytes();
            if (bytes.size() + length > MAX_BLOCKING_BODY) {
                throw new AiProtocolException("the ai-service's answer is over " + MAX_BLOCKING_BODY + " bytes");
            }
            byte[] chunk = new byte[length];
            buffer.readBytes(chunk);
            bytes.write(chunk, 0, length);
        }

        String text() {
            return bytes.toString(StandardCharsets.UTF_8);
        }
    }

    /** Refused or reset before any status, or a 502/503/504: worth another try (contract section 2). */
    static boolean isTransient(Throwable error) {
        if (error instanceof AiServiceUnavailableException unavailable) {
            int status = unavailable.status();
            return status == 502 || status == 503 || status == 504;
        }
        if (error.getClass().getName().contains("PoolAcquire")) {
            return false; // our own capacity: fail fast, never queue
        }
        return error instanceof ConnectException
                || error instanceof PrematureCloseException
                || error instanceof ClosedChannelException
                || (error instanceof IOException && String.valueOf(error.getMessage()).toLowerCase().contains("reset"));
    }
}
