package dev.streamchat.ai.rag;

import java.util.Comparator;
import java.util.List;

import org.bson.Document;
import org.springframework.stereotype.Component;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The passages that describe a library as a whole, for questions about the documents themselves ("what do the
 * documents cover?", "a study guide of all of them"): the opening chunks of every ready document of the scope (the
 * user's own first, newest first, then the shared library in its manifest's order), at most {@value #MAX_DOCUMENTS} documents and
 * {@value #MAX_PASSAGES} passages, in document order. No similarity search is involved, so each passage's
 * {@code score} is 1.0. Reactive all the way; never blocks.
 */
@Component
public class LibraryOverview {

    static final int MAX_DOCUMENTS = 12;
    static final int MAX_PASSAGES = 12;
    /** A single document gets a few passages, so "summarize this document" sees more than its first lines. */
    static final int MAX_PASSAGES_PER_DOCUMENT = 4;

    private final DocumentRepository documents;
    private final ChunkRepository chunks;

    LibraryOverview(DocumentRepository documents, ChunkRepository chunks) {
        this.documents = documents;
        this.chunks = chunks;
    }

    public Mono<List<Passage>> passages(SearchScope scope) {
        return readyDocuments(scope)
                .take(MAX_DOCUMENTS)
                .collectList()
                .flatMap(docs -> {
                    if (docs.isEmpty()) {
                        return Mono.just(List.<Passage>of());
                    }
                    int perDocument = Math.max(1, Math.min(MAX_PASSAGES_PER_DOCUMENT, MAX_PASSAGES / docs.size()));
                    return Flux.fromIterable(docs)
                            .concatMap(doc -> chunks.firstChunks(doc.docId(), perDocument).map(LibraryOverview::passage))
                            .collectList();
                });
    }

    private Flux<StoredDocument> readyDocuments(SearchScope scope) {
        if (scope.docId() != null) {
            return documents.findById(scope.docId())
                    .filter(doc -> scope.userId() == null ? doc.shared() : doc.visibleTo(scope.userId()))
                    .filter(doc -> StoredDocument.READY.equals(doc.status()))
                    .flux();
        }
        Flux<StoredDocument> visible = scope.userId() == null ? documents.findShared() : documents.findVisibleTo(scope.userId());
        return visible
                .filter(doc -> StoredDocument.READY.equals(doc.status()))
                .filter(doc -> doc.shared() || scope.className() == null || scope.className().equals(doc.className()))
                // The user's own documents first, newest first (the repository's order; the sort is stable), then the
                // shared library in the order it was indexed (its manifest's order).
                .collectSortedList(Comparator.comparing((StoredDocument doc) -> doc.shared())
                        .thenComparing(doc -> doc.shared() && doc.createdAt() != null ? doc.createdAt() : java.time.Instant.EPOCH)
                        .thenComparing(doc -> doc.shared() ? doc.docId() : ""))
                .flatMapMany(Flux::fromIterable);
    }

    private static Passage passage(Document doc) {
        Object page = doc.get("page");
        return new Passage(String.valueOf(doc.get("_id")), doc.getString("docId"), doc.getString("title"),
                page instanceof Number n ? n.intValue() : null, doc.getString("text"), 1.0);
    }
}
