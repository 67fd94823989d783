package dev.streamchat.ai.rag;

import java.util.ArrayList;
import java.util.List;

import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.EmbeddingModel;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Turns text into all-MiniLM-L6-v2 vectors in process. Embedding is CPU-bound and blocking: {@link #embed} moves it to
 * {@code boundedElastic}; {@link #embedAllBlocking} must itself be called off the event loop (the indexing pool, or
 * startup).
 */
class Embedder {

    private static final int BATCH = 32;

    private final EmbeddingModel model;

    Embedder(EmbeddingModel model) {
        this.model = model;
    }

    Mono<float[]> embed(String text) {
        return Mono.fromCallable(() -> model.embed(text).content().vector()).subscribeOn(Schedulers.boundedElastic());
    }

    List<float[]> embedAllBlocking(List<String> texts) {
        return embedAllBlocking(texts, () -> { });
    }

    /** As {@link #embedAllBlocking(List)}, running {@code checkpoint} before each batch (it may stop the work). */
    List<float[]> embedAllBlocking(List<String> texts, Runnable checkpoint) {
        List<float[]> vectors = new ArrayList<>(texts.size());
        for (int i = 0; i < texts.size(); i += BATCH) {
            checkpoint.run();
            List<TextSegment> batch = texts.subList(i, Math.min(texts.size(), i + BATCH)).stream()
                    .map(TextSegment::from).toList();
            for (Embedding embedding : model.embedAll(batch).content()) {
                vectors.add(embedding.vector());
            }
        }
        return vectors;
    }

    /** Cosine similarity of a query vector (with its precomputed norm) and a stored embedding. */
    static double cosine(float[] query, double queryNorm, List<?> stored) {
        if (stored == null || stored.size() != query.length || queryNorm == 0) {
            return -1;
        }
        double dot = 0;
        double norm = 0;
        for (int i = 0; i < query.length; i++) {
            double v = ((Number) stored.get(i)).doubleValue();
            dot += query[i] * v;
            norm += v * v;
        }
        return norm == 0 ? -1 : dot / (queryNorm * Math.sqrt(norm));
    }

    static double norm(float[] vector) {
        double sum = 0;
        for (float v : vector) {
            sum += v * v;
        }
        return Math.sqrt(sum);
    }
}
