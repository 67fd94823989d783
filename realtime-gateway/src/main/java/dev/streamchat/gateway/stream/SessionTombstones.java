package dev.streamchat.gateway.stream;

import org.springframework.stereotype.Component;

import reactor.core.publisher.Mono;

/**
 * Sessions being deleted, on every node (a short-lived Redis mark): a stream that finishes in such a session, here
 * or on another node, must write nothing into it.
 */
@Component
public class SessionTombstones {

    private final StreamStore store;

    SessionTombstones(StreamStore store) {
        this.store = store;
    }

    public Mono<Void> markDeleted(String sessionId) {
        return store.markDeleted(sessionId);
    }

    public Mono<Boolean> isDeleted(String sessionId) {
        return store.isDeleted(sessionId);
    }

    /** The Redis key of the mark, for a script that checks it in the same call as its own writes. */
    public static String key(String sessionId) {
        return StreamStore.sessionDeletedKey(sessionId);
    }
}
