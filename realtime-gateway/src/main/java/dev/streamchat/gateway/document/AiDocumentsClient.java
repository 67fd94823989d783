package dev.streamchat.gateway.document;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.core.io.ByteArrayResource;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.client.MultipartBodyBuilder;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.BodyInserters;
import org.springframework.web.reactive.function.client.ClientResponse;
import org.springframework.web.reactive.function.client.WebClient;

import dev.streamchat.gateway.error.ApiException;
import dev.streamchat.gateway.error.ErrorCode;
import reactor.core.publisher.Mono;

/**
 * The ai-service's document API (contract section 1), always on behalf of one user ({@code user_id}).
 * A 404 there is "not yours or unknown"; anything else but 2xx, or no answer within 10 s, is 503.
 */
@Component
public class AiDocumentsClient {

    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(10);
    private static final ParameterizedTypeReference<Map<String, Object>> MAP = new ParameterizedTypeReference<>() { };
    private static final ParameterizedTypeReference<List<Object>> LIST = new ParameterizedTypeReference<>() { };

    private final WebClient webClient;

    public AiDocumentsClient(@Qualifier("aiServiceWebClient") WebClient webClient) {
        this.webClient = webClient;
    }

    /** One document the user may read (theirs or shared), or empty. */
    public Mono<Map<String, Object>> get(String userId, String docId) {
        return webClient.get().uri(b -> b.path("/api/v1/documents/{docId}").queryParam("user_id", userId).build(docId))
                .exchangeToMono(response -> response.statusCode().value() == 404
                        ? response.releaseBody().then(Mono.<Map<String, Object>>empty())
                        : ok(response).flatMap(r -> r.bodyToMono(MAP)))
                .timeout(CALL_TIMEOUT)
                .onErrorMap(AiDocumentsClient::unavailable);
    }

    public Mono<List<Object>> list(String userId) {
        return webClient.get().uri(b -> b.path("/api/v1/documents").queryParam("user_id", userId).build())
                .exchangeToMono(response -> ok(response).flatMap(r -> r.bodyToMono(LIST)))
                .defaultIfEmpty(List.of())
                .timeout(CALL_TIMEOUT)
                .onErrorMap(AiDocumentsClient::unavailable);
    }

    /** True when deleted, false when unknown or not the user's. */
    public Mono<Boolean> delete(String userId, String docId) {
        return webClient.delete().uri(b -> b.path("/api/v1/documents/{docId}").queryParam("user_id", userId).build(docId))
                .exchangeToMono(response -> {
                    int status = response.statusCode().value();
                    if (status == 404 || status == 403) {
                        return response.releaseBody().thenReturn(false);
                    }
                    return ok(response).flatMap(r -> r.releaseBody()).thenReturn(true);
                })
                .timeout(CALL_TIMEOUT)
                .onErrorMap(AiDocumentsClient::unavailable);
    }

    /** Hands a file to the ai-service for indexing; returns its docId. */
    public Mono<String> upload(String userId, String classId, String filename, byte[] content, MediaType type) {
        MultipartBodyBuilder parts = new MultipartBodyBuilder();
        parts.part("file", new ByteArrayResource(content) {
            @Override
            public String getFilename() {
                return filename;
            }
        }).contentType(type);
        parts.part("user_id", userId);
        if (classId != null) {
            parts.part("class_name", classId);
        }
        return webClient.post().uri("/api/v1/documents")
                .contentType(MediaType.MULTIPART_FORM_DATA)
                .body(BodyInserters.fromMultipartData(parts.build()))
                .exchangeToMono(response -> ok(response).flatMap(r -> r.bodyToMono(MAP)))
                .timeout(Duration.ofSeconds(30))
                .map(body -> String.valueOf(body.get("docId")))
                .onErrorMap(AiDocumentsClient::unavailable);
    }

    private static Mono<ClientResponse> ok(ClientResponse response) {
        if (response.statusCode().is2xxSuccessful()) {
            return Mono.just(response);
        }
        int status = response.statusCode().value();
        if (status == HttpStatus.PAYLOAD_TOO_LARGE.value()) {
            return response.releaseBody().then(Mono.error(new ApiException(ErrorCode.PAYLOAD_TOO_LARGE, "The file is too large.")));
        }
        if (status == HttpStatus.UNSUPPORTED_MEDIA_TYPE.value()) {
            return response.releaseBody().then(Mono.error(new ApiException(ErrorCode.UNSUPPORTED_MEDIA_TYPE,
                    "Only .txt, .md and .pdf files are accepted.")));
        }
        if (status == HttpStatus.CONFLICT.value()) {
            return response.releaseBody().then(Mono.error(new ApiException(ErrorCode.DOCUMENT_LIMIT,
                    "You store the most documents allowed; delete one before uploading another.")));
        }
        return response.releaseBody().then(Mono.error(new IllegalStateException("ai-service answered " + status)));
    }

    private static Throwable unavailable(Throwable error) {
        if (error instanceof ApiException) {
            return error;
        }
        return new ApiException(ErrorCode.UNAVAILABLE, "The document service is unavailable; try again shortly.",
                Duration.ofSeconds(5), Map.of());
    }
}
