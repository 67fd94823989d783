package dev.streamchat.gateway.http;

import java.util.concurrent.atomic.AtomicLong;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpMethod;
import org.springframework.http.server.reactive.HttpHandler;
import org.springframework.http.server.reactive.HttpHandlerDecoratorFactory;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpRequestDecorator;
import org.springframework.stereotype.Component;

import reactor.core.publisher.Flux;

/**
 * Counts the bytes of every request body as they are read and fails the read past the limit with
 * {@link DataBufferLimitException} (rendered 413 {@code payload_too_large}). It wraps the HTTP handler itself, so
 * the multipart reader, the JSON codecs and anything else that reads a body all see the bounded body.
 */
@Component
class RequestBodyLimit implements HttpHandlerDecoratorFactory {

    static final String UPLOAD_PATH = "/api/v1/documents";

    private final HttpLimitsProperties properties;

    RequestBodyLimit(HttpLimitsProperties properties) {
        this.properties = properties;
    }

    @Override
    public HttpHandler apply(HttpHandler handler) {
        return (request, response) -> handler.handle(bounded(request), response);
    }

    private ServerHttpRequest bounded(ServerHttpRequest request) {
        long limit = HttpMethod.POST.equals(request.getMethod())
                && UPLOAD_PATH.equals(RoutedPath.of(request.getPath().pathWithinApplication()))
                ? properties.uploadBodyLimit() : properties.maxBodyBytes().toBytes();
        return new ServerHttpRequestDecorator(request) {
            @Override
            public Flux<DataBuffer> getBody() {
                AtomicLong read = new AtomicLong();
                return super.getBody().handle((buffer, sink) -> {
                    if (read.addAndGet(buffer.readableByteCount()) > limit) {
                        DataBufferUtils.release(buffer);
                        sink.error(new DataBufferLimitException("The request body is larger than " + limit + " bytes."));
                    } else {
                        sink.next(buffer);
                    }
                });
            }
        };
    }
}
