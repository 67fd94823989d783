package dev.streamchat.ai.rag;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;

import org.bson.Document;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import reactor.core.publisher.Mono;

/**
 * Turns an uploaded file into stored chunks: extract (PDFBox for PDFs, per page), chunk, embed, insert, then mark
 * the document {@code ready} — or {@code failed} with a reason safe to show. Parsing and embedding run on the
 * {@link IndexingPool} (never on {@code boundedElastic}, which answers need), within its deadline and the
 * {@link IndexingProperties} limits; the MongoDB writes are reactive.
 */
class DocumentIndexer {

    private static final Logger log = LoggerFactory.getLogger(DocumentIndexer.class);
    /** Bump when chunking changes, so the sample library is re-indexed on the next start. */
    private static final String PIPELINE_VERSION = "chunker-1|all-minilm-l6-v2";
    /** Texts embedded between two progress reports (the embedder's own batch is 32). */
    private static final int PROGRESS_SLICE = 32;

    private final Embedder embedder;
    private final ChunkRepository chunks;
    private final DocumentRepository documents;
    private final Chunker chunker;
    private final RagProperties props;
    private final IndexingProperties limits;
    private final IndexingPool pool;

    DocumentIndexer(Embedder embedder, ChunkRepository chunks, DocumentRepository documents, RagProperties props,
            IndexingProperties limits, IndexingPool pool) {
        this.embedder = embedder;
        this.chunks = chunks;
        this.documents = documents;
        this.props = props;
        this.limits = limits;
        this.pool = pool;
        this.chunker = new Chunker(props.chunkChars(), props.chunkOverlapChars());
    }

    /** False when the indexing pool and its queue are full: a new upload should be refused with 503. */
    boolean hasRoom() {
        return pool.hasRoom();
    }

    /** A failure whose message can be shown to the document's owner. */
    static final class IndexingException extends RuntimeException {
        IndexingException(String message) {
            super(message, null, false, false);
        }
    }

    /** What one run produced before it is stored. */
    private record Prepared(String title, List<Document> chunks) {
    }

    /**
     * Indexes {@code content} as {@code document} (already saved with status {@code indexing} and a fresh
     * {@code run}); emits the document as finally stored. Never errors: a failure is recorded as {@code failed}.
     */
    Mono<StoredDocument> index(StoredDocument document, DocumentFormat format, byte[] content) {
        long started = System.nanoTime();
        return pool.run(deadline -> prepare(document, format, content, deadline))
                .flatMap(prepared -> chunks.deleteOtherRuns(document.docId(), document.run())
                        .then(chunks.insertAll(prepared.chunks()))
                        .then(documents.finishRun(document.docId(), document.run(), StoredDocument.READY,
                                prepared.chunks().size(), null, prepared.title()))
                        .flatMap(current -> current ? Mono.just(prepared)
                                // Deleted or re-uploaded while we worked: our chunks belong to nobody.
                                : chunks.deleteRun(document.docId(), document.run()).then(Mono.empty())))
                .doOnNext(prepared -> log.info("indexed docId={} chunks={} durationMs={}", document.docId(),
                        prepared.chunks().size(), (System.nanoTime() - started) / 1_000_000))
                .then(documents.findById(document.docId()))
                .onErrorResume(error -> fail(document, error));
    }

    private Mono<StoredDocument> fail(StoredDocument document, Throwable error) {
        String reason = error instanceof IndexingException ? error.getMessage()
                : error instanceof IndexingPool.BusyException ? "the service was busy indexing other documents; upload it again later"
                : "indexing failed";
        if (error instanceof IndexingException) {
            log.info("indexing refused docId={} reason={}", document.docId(), reason);
        } else {
            log.warn("indexing failed docId={}", document.docId(), error);
        }
        return chunks.deleteRun(document.docId(), document.run())
                .then(documents.finishRun(document.docId(), document.run(), StoredDocument.FAILED, 0, reason, null))
                .then(documents.findById(document.docId()))
                .onErrorResume(e -> {
                    log.warn("could not record the failure of docId={}", document.docId(), e);
                    return Mono.empty();
                });
    }

    private Prepared prepare(StoredDocument document, DocumentFormat format, byte[] content,
            IndexingPool.Deadline deadline) {
        TextExtractor.ExtractedText extracted;
        IndexingProgress progress = new IndexingProgress(documents, document.docId(), document.run());
        try {
            extracted = TextExtractor.extract(format, content, TextExtractor.Limits.of(limits, deadline::check));
        } catch (IOException e) {
            throw new IndexingException("the file could not be read as " + format.name().toLowerCase(Locale.ROOT));
        }
        deadline.check();
        progress.chunking();
        List<Chunker.Draft> drafts = chunker.chunk(format, extracted.pages());
        if (drafts.isEmpty()) {
            throw new IndexingException("the file contains no readable text");
        }
        String title = document.shared() || extracted.title() == null ? document.title() : extracted.title();
        List<String> inputs = drafts.stream().map(d -> embeddingInput(title, d)).toList();
        List<float[]> vectors = embedWithProgress(inputs, progress, deadline);
        Date now = Date.from(Instant.now());
        List<Document> stored = new ArrayList<>(drafts.size());
        for (int i = 0; i < drafts.size(); i++) {
            Chunker.Draft draft = drafts.get(i);
            stored.add(new Document("_id", document.docId() + ":" + draft.index())
                    .append("docId", document.docId())
                    .append("userId", document.userId())
                    .append("class", document.className())
                    .append("shared", document.shared())
                    .append("title", title)
                    .append("section", draft.section())
                    .append("page", draft.page())
                    .append("index", draft.index())
                    .append("text", draft.text())
                    .append("embedding", toList(vectors.get(i)))
                    .append("run", document.run())
                    .append("createdAt", now));
        }
        progress.storing();
        return new Prepared(title, stored);
    }

    /** Embeds in slices of {@value #PROGRESS_SLICE} texts, reporting after each how many have their vectors. */
    private List<float[]> embedWithProgress(List<String> inputs, IndexingProgress progress,
            IndexingPool.Deadline deadline) {
        List<float[]> vectors = new ArrayList<>(inputs.size());
        progress.embedding(0, inputs.size());
        for (int i = 0; i < inputs.size(); i += PROGRESS_SLICE) {
            vectors.addAll(embedder.embedAllBlocking(inputs.subList(i, Math.min(inputs.size(), i + PROGRESS_SLICE)),
                    deadline::check));
            progress.embedding(vectors.size(), inputs.size());
        }
        return vectors;
    }

    /** The title and section give a chunk the context its own sentences often leave implicit. */
    private static String embeddingInput(String title, Chunker.Draft draft) {
        StringBuilder input = new StringBuilder(title == null ? "" : title).append('\n');
        if (draft.section() != null && !draft.text().startsWith(draft.section()) && !draft.section().equals(title)) {
            input.append(draft.section()).append('\n');
        }
        return input.append(draft.text()).toString();
    }

    private static List<Double> toList(float[] vector) {
        List<Double> list = new ArrayList<>(vector.length);
        for (float v : vector) {
            list.add((double) v);
        }
        return list;
    }

    /** Identifies the content and the pipeline that indexed it: equal hashes mean re-indexing would change nothing. */
    String contentHash(byte[] content) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update(content);
            digest.update(("|" + PIPELINE_VERSION + "|" + props.chunkChars() + "|" + props.chunkOverlapChars())
                    .getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
