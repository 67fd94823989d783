package dev.streamchat.ai.rag;

/**
 * A document as the REST API shows it (CONTRACT.md section 1): {@code status} is {@code indexing}, {@code ready}
 * or {@code failed}; {@code error} says why a document failed (else null); {@code createdAt} is ISO-8601 UTC.
 * {@code phase} ({@code parsing|chunking|embedding|ready|failed}) and {@code percent} (0..100, never decreasing within
 * one indexing run) say how far indexing got, for the gateway's {@code document-progress} events.
 */
record DocumentView(String docId, String title, String status, int chunks, boolean shared, String className,
                    String fileName, String error, String createdAt, String phase, int percent) {

    static DocumentView of(StoredDocument d) {
        return new DocumentView(d.docId(), d.title(), d.status(), d.chunks(), d.shared(), d.className(), d.fileName(),
                d.error(), d.createdAt() == null ? null : d.createdAt().truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString(),
                d.phase(), d.percent());
    }
}
