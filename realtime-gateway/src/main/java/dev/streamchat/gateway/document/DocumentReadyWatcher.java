package dev.streamchat.gateway.document;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

import dev.streamchat.gateway.socket.SocketEvents;
import dev.streamchat.gateway.socket.UserEvents;
import reactor.core.publisher.Mono;

/**
 * Polls the ai-service after an upload, with backoff (from {@code pollInitial}, doubling up to
 * {@code pollMax}), until the document is no longer {@code indexing}, then sends {@code document-ready
 * {docId, status}} to the user's room. Gives up (status {@code failed}) after {@code pollGiveUp}.
 */
@Component
class DocumentReadyWatcher {

    private static final Logger log = LoggerFactory.getLogger(DocumentReadyWatcher.class);

    private final AiDocumentsClient documents;
    private final UserEvents events;
    private final DocumentProperties properties;

    DocumentReadyWatcher(AiDocumentsClient documents, UserEvents events, DocumentProperties properties) {
        this.documents = documents;
        this.events = events;
        this.properties = properties;
    }

    void watch(String userId, String docId) {
        Instant giveUpAt = Instant.now().plus(properties.pollGiveUp());
        poll(userId, docId, properties.pollInitial(), giveUpAt)
                .subscribe(status -> {
                    Map<String, Object> payload = new LinkedHashMap<>();
                    payload.put("docId", docId);
                    payload.put("status", status);
                    events.emit(userId, SocketEvents.DOCUMENT_READY, payload);
                    log.info("document indexed docId={} status={}", docId, status);
                }, error -> log.warn("document watch failed docId={}", docId, error));
    }

    private Mono<String> poll(String userId, String docId, Duration delay, Instant giveUpAt) {
        if (Instant.now().isAfter(giveUpAt)) {
            return Mono.just("failed");
        }
        Duration next = delay.multipliedBy(2).compareTo(properties.pollMax()) > 0 ? properties.pollMax() : delay.multipliedBy(2);
        return Mono.delay(delay)
                .then(documents.get(userId, docId)
                        .map(doc -> String.valueOf(doc.get("status")))
                        .defaultIfEmpty("failed")
                        .onErrorReturn("indexing"))
                .flatMap(status -> "indexing".equals(status) ? poll(userId, docId, next, giveUpAt) : Mono.just(status));
    }
}
