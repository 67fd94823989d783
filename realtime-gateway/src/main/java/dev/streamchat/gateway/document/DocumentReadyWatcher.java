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
 * Polls the ai-service after an upload until the document is no longer {@code indexing}, then sends
 * {@code document-ready {docId, status}} to the user's room (every node: {@link UserEvents}). While it indexes, each
 * new {@code phase}/{@code percent} the ai-service reports is sent as {@code document-progress {docId, phase,
 * percent}} (contract section 6), always before {@code document-ready}; an ai-service that reports no phase sends no
 * progress. The delay starts at {@code pollInitial} and doubles, up to {@code progressPollMax} while the document
 * moves and {@code pollMax} while it does not. Gives up (status {@code failed}) after {@code pollGiveUp}.
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

    /** What one poll saw: the status, and the progress when the ai-service reports one. */
    private record Seen(String status, Progress progress) {
    }

    /** One {@code document-progress} payload's phase and percent. */
    private record Progress(String phase, int percent) {
    }

    void watch(String userId, String docId) {
        Instant giveUpAt = Instant.now().plus(properties.pollGiveUp());
        poll(userId, docId, properties.pollInitial(), giveUpAt, null)
                .subscribe(status -> {
                    Map<String, Object> payload = new LinkedHashMap<>();
                    payload.put("docId", docId);
                    payload.put("status", status);
                    events.emit(userId, SocketEvents.DOCUMENT_READY, payload);
                    log.info("document indexed docId={} status={}", docId, status);
                }, error -> log.warn("document watch failed docId={}", docId, error));
    }

    /** @param shown the last progress sent, or null */
    private Mono<String> poll(String userId, String docId, Duration delay, Instant giveUpAt, Progress shown) {
        if (Instant.now().isAfter(giveUpAt)) {
            return Mono.just("failed");
        }
        return Mono.delay(delay)
                .then(documents.get(userId, docId)
                        .map(DocumentReadyWatcher::seen)
                        .defaultIfEmpty(new Seen("failed", null))
                        .onErrorReturn(new Seen("indexing", null)))
                .flatMap(seen -> {
                    if (!"indexing".equals(seen.status())) {
                        return Mono.just(seen.status());
                    }
                    boolean moved = seen.progress() != null && !seen.progress().equals(shown);
                    if (moved) {
                        emitProgress(userId, docId, seen.progress());
                    }
                    Duration cap = moved ? properties.progressPollMax() : properties.pollMax();
                    Duration doubled = delay.multipliedBy(2);
                    Duration next = doubled.compareTo(cap) > 0 ? cap : doubled;
                    return poll(userId, docId, next, giveUpAt, moved ? seen.progress() : shown);
                });
    }

    private void emitProgress(String userId, String docId, Progress progress) {
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("docId", docId);
        payload.put("phase", progress.phase());
        payload.put("percent", progress.percent());
        events.emit(userId, SocketEvents.DOCUMENT_PROGRESS, payload);
    }

    private static Seen seen(Map<String, Object> doc) {
        String status = String.valueOf(doc.get("status"));
        Object phase = doc.get("phase");
        Object percent = doc.get("percent");
        Progress progress = phase instanceof String name && !name.isBlank() && percent instanceof Number number
                ? new Progress(name, Math.max(0, Math.min(100, number.intValue())))
                : null;
        return new Seen(status, progress);
    }
}
