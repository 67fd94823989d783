package dev.streamchat.ai.model;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpResponse.BodyHandlers;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

import dev.langchain4j.exception.HttpException;
import dev.langchain4j.exception.TimeoutException;
import dev.langchain4j.http.client.HttpClient;
import dev.langchain4j.http.client.HttpRequest;
import dev.langchain4j.http.client.SuccessfulHttpResponse;
import dev.langchain4j.http.client.jdk.JdkHttpClient;
import dev.langchain4j.http.client.sse.ServerSentEventListener;
import dev.langchain4j.http.client.sse.ServerSentEventParser;
import dev.streamchat.ai.stream.CallCancellation;

/**
 * The OpenAI model's HTTP transport: LangChain4j's JDK client, except that a streaming call can be aborted through the
 * {@link CallCancellation} bound to the calling thread at any point, not only once the first token has handed out a
 * {@code StreamingHandle}. Before response headers the request future is cancelled; after them the body is closed,
 * which closes the connection to the provider (the provider stops generating and billing).
 * <p>
 * Threading: {@code execute} returns at once; the body is read on the JDK client's executor, never on an event loop.
 */
final class CancellableHttpClient implements HttpClient {

    private final java.net.http.HttpClient jdk;
    private final JdkHttpClient plain;
    private final Duration responseTimeout;

    CancellableHttpClient(java.net.http.HttpClient.Builder jdkBuilder, Duration connectTimeout, Duration responseTimeout) {
        if (connectTimeout != null) {
            jdkBuilder.connectTimeout(connectTimeout);
        }
        this.jdk = jdkBuilder.build();
        this.responseTimeout = responseTimeout;
        this.plain = JdkHttpClient.builder()
                .httpClientBuilder(java.net.http.HttpClient.newBuilder())
                .connectTimeout(connectTimeout)
                .readTimeout(responseTimeout)
                .build();
    }

    @Override
    public SuccessfulHttpResponse execute(HttpRequest request) {
        return plain.execute(request);
    }

    @Override
    public void execute(HttpRequest request, ServerSentEventParser parser, ServerSentEventListener listener) {
        CallCancellation cancellation = CallCancellation.current();
        CompletableFuture<java.net.http.HttpResponse<InputStream>> response =
                jdk.sendAsync(toJdkRequest(request), BodyHandlers.ofInputStream());
        if (cancellation != null) {
            cancellation.onCancel(() -> response.cancel(true));
        }
        response.thenAccept(jdkResponse -> {
            if (cancellation != null) {
                cancellation.onCancel(() -> closeQuietly(jdkResponse.body()));
            }
            if (jdkResponse.statusCode() < 200 || jdkResponse.statusCode() >= 300) {
                notify(() -> listener.onError(new HttpException(jdkResponse.statusCode(), readBody(jdkResponse))));
                return;
            }
            notify(() -> listener.onOpen(SuccessfulHttpResponse.builder()
                    .statusCode(jdkResponse.statusCode())
                    .headers(jdkResponse.headers().map())
                    .build()));
            try (InputStream body = jdkResponse.body()) {
                parser.parse(body, listener);
                notify(listener::onClose);
            } catch (IOException e) {
                notify(() -> listener.onError(e));
            }
        }).exceptionally(error -> {
            Throwable cause = error.getCause() != null ? error.getCause() : error;
            notify(() -> listener.onError(cause instanceof HttpTimeoutException ? new TimeoutException(cause) : cause));
            return null;
        });
    }

    private java.net.http.HttpRequest toJdkRequest(HttpRequest request) {
        java.net.http.HttpRequest.Builder builder = java.net.http.HttpRequest.newBuilder().uri(URI.create(request.url()));
        request.headers().forEach((name, values) -> {
            if (values != null) {
                values.forEach(value -> builder.header(name, value));
            }
        });
        java.net.http.HttpRequest.BodyPublisher body = request.body() == null
                ? java.net.http.HttpRequest.BodyPublishers.noBody()
                : java.net.http.HttpRequest.BodyPublishers.ofString(request.body());
        builder.method(request.method().name(), body);
        if (responseTimeout != null) {
            builder.timeout(responseTimeout);
        }
        return builder.build();
    }

    private static String readBody(java.net.http.HttpResponse<InputStream> response) {
        try (InputStream in = response.body()) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "cannot read error response body: " + e.getMessage();
        }
    }

    private static void closeQuietly(InputStream in) {
        try {
            in.close();
        } catch (IOException | RuntimeException ignored) {
            // best-effort: the connection is being abandoned anyway
        }
    }

    private static void notify(Runnable callback) {
        try {
            callback.run();
        } catch (RuntimeException ignored) {
            // a listener failure must not break the transport, as in LangChain4j's own clients
        }
    }
}
