package dev.streamchat.ai.rag;

import java.util.List;

import org.springframework.stereotype.Component;

import reactor.core.publisher.Mono;

/** The {@link Retriever} over the MongoDB-stored chunks (placeholder until the store lands). */
@Component
class ChunkRetriever implements Retriever {

    @Override
    public Mono<List<Passage>> retrieve(SearchScope scope, String query) {
        return Mono.just(List.of());
    }
}
