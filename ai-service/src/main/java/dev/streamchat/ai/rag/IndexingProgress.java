package dev.streamchat.ai.rag;

import java.time.Duration;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records how far one indexing run got in its document ({@code phase}, {@code percent}), for
 * {@code GET /api/v1/documents/{docId}}: parsing 0 %, chunking 10 %, embedding 20..90 % as the chunks' batches are
 * embedded, storing the chunks 95 %, then {@code ready} 100 % (written with the final status). Writes are skipped
 * unless the percentage moved by {@value #MIN_STEP} points or the phase changed.
 * <p>
 * Threading: {@link #report} blocks for one MongoDB write (at most {@link #WRITE_TIMEOUT}), so it is called only from
 * the indexing worker thread, never from an event loop. Progress is best-effort: a failed write is logged and
 * indexing goes on.
 */
final class IndexingProgress {

    static final String PARSING = "parsing";
    static final String CHUNKING = "chunking";
    static final String EMBEDDING = "embedding";
    static final int MIN_STEP = 5;
    private static final Duration WRITE_TIMEOUT = Duration.ofSeconds(2);
    private static final Logger log = LoggerFactory.getLogger(IndexingProgress.class);

    private final DocumentRepository documents;
    private final String docId;
    private final String run;
    private String lastPhase = PARSING;
    private int lastPercent;

    IndexingProgress(DocumentRepository documents, String docId, String run) {
        this.documents = documents;
        this.docId = docId;
        this.run = run;
    }

    /** The phase a status implies when nothing finer is known. */
    static String phaseOf(String status) {
        if (StoredDocument.READY.equals(status)) {
            return StoredDocument.READY;
        }
        return StoredDocument.FAILED.equals(status) ? StoredDocument.FAILED : PARSING;
    }

    void chunking() {
        report(CHUNKING, 10);
    }

    /** {@code embedded} of {@code total} chunks have their vectors. */
    void embedding(int embedded, int total) {
        report(EMBEDDING, 20 + (int) (70L * embedded / Math.max(1, total)));
    }

    void storing() {
        report(EMBEDDING, 95);
    }

    private void report(String phase, int percent) {
        if (phase.equals(lastPhase) && percent - lastPercent < MIN_STEP) {
            return;
        }
        lastPhase = phase;
        lastPercent = percent;
        try {
            documents.progress(docId, run, phase, percent).block(WRITE_TIMEOUT);
        } catch (RuntimeException e) {
            log.debug("could not record indexing progress docId={} phase={} percent={}: {}", docId, phase, percent,
                    e.toString());
        }
    }
}
