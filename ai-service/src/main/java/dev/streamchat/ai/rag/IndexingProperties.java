package dev.streamchat.ai.rag;

import java.time.Duration;

import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Positive;
import jakarta.validation.constraints.PositiveOrZero;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * Bounds on what indexing one uploaded document may cost ({@code ai.indexing.*}; env vars in application.yml).
 *
 * @param threads         threads of the indexing pool, apart from the scheduler questions use (INDEXING_THREADS)
 * @param queueSize       documents that may wait for a thread; beyond it an upload is 503 {@code unavailable}
 *                        (INDEXING_QUEUE_SIZE)
 * @param timeout         one document's extraction, chunking and embedding; beyond it the document is
 *                        {@code failed} (INDEXING_TIMEOUT_S)
 * @param maxTextChars    most characters of text a document may yield (INDEXING_MAX_TEXT_CHARS)
 * @param pdfMaxPages     most pages a PDF may have (PDF_MAX_PAGES)
 * @param pdfMaxMemory    most bytes any one PDF stream may decode to, and PDFBox's stream-cache budget
 *                        (PDF_MAX_MEMORY_BYTES)
 * @param maxPerUser      most documents one user may store (DOCUMENTS_MAX_PER_USER)
 */
@Validated
@ConfigurationProperties("ai.indexing")
public record IndexingProperties(
        @DefaultValue("1") @Positive int threads,
        @DefaultValue("16") @PositiveOrZero int queueSize,
        @DefaultValue("300s") @NotNull Duration timeout,
        @DefaultValue("4000000") @Positive int maxTextChars,
        @DefaultValue("1000") @Positive int pdfMaxPages,
        @DefaultValue("64MB") @NotNull DataSize pdfMaxMemory,
        @DefaultValue("100") @Positive int maxPerUser) {

    /** The limits of the defaults, for code that builds the pipeline by hand. */
    static IndexingProperties defaults() {
        return new IndexingProperties(1, 16, Duration.ofSeconds(300), 4_000_000, 1000, DataSize.ofMegabytes(64), 100);
    }
}
