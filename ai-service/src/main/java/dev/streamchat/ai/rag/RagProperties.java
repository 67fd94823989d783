package dev.streamchat.ai.rag;

import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Positive;
import jakarta.validation.constraints.PositiveOrZero;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * Retrieval, chunking and upload settings ({@code ai.rag.*}; the env var of each is in application.yml).
 *
 * @param searchMode         {@code scan}: bounded cosine scan over the stored chunks; {@code atlas}: Atlas {@code $vectorSearch}
 * @param maxScanChunks      at most this many chunks are scored per question in scan mode (RAG_MAX_SCAN_CHUNKS)
 * @param topK               passages handed to the prompt (RAG_TOP_K)
 * @param minScore           cosine similarity below which a chunk is not a source (RAG_MIN_SCORE)
 * @param chunkChars         target chunk length in characters (about 128 word pieces, what MiniLM was trained on)
 * @param chunkOverlapChars  trailing sentences (up to this length) repeated at the start of the next chunk
 * @param uploadMaxSize      largest accepted upload (UPLOAD_MAX_BYTES)
 * @param sampleLibrary      load the shared sample library at startup (RAG_SAMPLE_LIBRARY)
 * @param atlasIndex         name of the Atlas Vector Search index on {@code chunks.embedding}
 * @param atlasNumCandidates {@code numCandidates} of {@code $vectorSearch}
 * @param atlasCreateIndex   create the Atlas index at startup when it is missing (atlas mode only)
 */
@Validated
@ConfigurationProperties("ai.rag")
public record RagProperties(
        @DefaultValue("scan") @NotNull SearchMode searchMode,
        @DefaultValue("5000") @Positive int maxScanChunks,
        @DefaultValue("4") @Positive int topK,
        @DefaultValue("0.3") @DecimalMin("-1.0") @DecimalMax("1.0") double minScore,
        @DefaultValue("600") @Positive int chunkChars,
        @DefaultValue("120") @PositiveOrZero int chunkOverlapChars,
        @DefaultValue("10MB") @NotNull DataSize uploadMaxSize,
        @DefaultValue("true") boolean sampleLibrary,
        @DefaultValue("chunks_embedding") @NotBlank String atlasIndex,
        @DefaultValue("200") @Positive int atlasNumCandidates,
        @DefaultValue("false") boolean atlasCreateIndex) {

    /** How the chunks of a scope are searched. */
    public enum SearchMode { SCAN, ATLAS }
}
