package dev.streamchat.ai.rag;

import java.util.List;

import reactor.core.publisher.Mono;

/**
 * Finds the passages of the allowed scope that best answer a question, best first. Never blocks the caller's
 * thread: embedding the question runs on {@code boundedElastic}.
 */
public interface Retriever {

    Mono<List<Passage>> retrieve(SearchScope scope, String query);
}
