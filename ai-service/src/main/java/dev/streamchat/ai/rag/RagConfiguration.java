package dev.streamchat.ai.rag;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.embedding.onnx.allminilml6v2.AllMiniLmL6V2EmbeddingModel;
import io.micrometer.core.instrument.MeterRegistry;

/** Wires the in-process embedding model and the retrieval pipeline over MongoDB. */
@Configuration(proxyBeanMethods = false)
class RagConfiguration {

    /** Loads all-MiniLM-L6-v2 from its jar once (about two seconds); the model is thread-safe. */
    @Bean
    EmbeddingModel embeddingModel() {
        return new AllMiniLmL6V2EmbeddingModel();
    }

    @Bean
    Embedder embedder(EmbeddingModel embeddingModel) {
        return new Embedder(embeddingModel);
    }

    /** Indexing's own threads: uploads never take the threads questions need. Stopped with the context. */
    @Bean
    IndexingPool indexingPool(IndexingProperties limits) {
        return new IndexingPool(limits);
    }

    @Bean
    DocumentIndexer documentIndexer(Embedder embedder, ChunkRepository chunks, DocumentRepository documents,
            RagProperties props, IndexingProperties limits, IndexingPool pool) {
        return new DocumentIndexer(embedder, chunks, documents, props, limits, pool);
    }

    @Bean
    Retriever retriever(Embedder embedder, ChunkRepository chunks, RagProperties props, MeterRegistry meters) {
        return new VectorRetriever(embedder, chunks, props, meters);
    }
}
