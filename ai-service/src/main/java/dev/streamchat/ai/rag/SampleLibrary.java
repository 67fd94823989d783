package dev.streamchat.ai.rag;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.core.io.ClassPathResource;
import org.springframework.stereotype.Component;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * Loads the shared sample library ({@code classpath:corpus/library.json}) before the service accepts requests, so
 * the first question already finds it. Idempotent: a document whose content and pipeline are unchanged is skipped,
 * a changed one is re-indexed under the same id, and a sample no longer listed is removed. It also creates the
 * collections' indexes (and, with RAG_ATLAS_CREATE_INDEX in atlas mode, the vector search index). Blocking here is
 * fine: it runs once, at startup, before the web server listens.
 */
@Component
class SampleLibrary implements SmartInitializingSingleton {

    private static final Logger log = LoggerFactory.getLogger(SampleLibrary.class);
    private static final String MANIFEST = "corpus/library.json";
    private static final String ATLAS_INDEX = "atlas/chunks-vector-index.json";
    private static final Duration STARTUP_BUDGET = Duration.ofMinutes(2);

    /** One entry of the manifest. */
    record Entry(String docId, String file, String title) {
    }

    private final DocumentRepository documents;
    private final ChunkRepository chunks;
    private final DocumentIndexer indexer;
    private final RagProperties props;

    SampleLibrary(DocumentRepository documents, ChunkRepository chunks, DocumentIndexer indexer, RagProperties props) {
        this.documents = documents;
        this.chunks = chunks;
        this.indexer = indexer;
        this.props = props;
    }

    @Override
    public void afterSingletonsInstantiated() {
        if (props.searchMode() == RagProperties.SearchMode.ATLAS && props.atlasCreateIndex()) {
            ensureAtlasIndex();
        }
        if (!props.sampleLibrary()) {
            log.info("sample library disabled (RAG_SAMPLE_LIBRARY=false)");
            // Without a library to load, startup does not wait for MongoDB: the indexes are made when it answers.
            documents.ensureIndexes().then(chunks.ensureIndexes()).subscribe(null,
                    error -> log.warn("could not create the documents/chunks indexes: {}", error.toString()));
            return;
        }
        long started = System.nanoTime();
        List<String> loaded = load().collectList().block(STARTUP_BUDGET);
        log.info("sample library ready: {} documents ({} indexed now) in {} ms", manifest().size(),
                loaded == null ? 0 : loaded.size(), (System.nanoTime() - started) / 1_000_000);
    }

    /** Ensures the indexes and the library; emits the ids of the documents that had to be (re)indexed. */
    Flux<String> load() {
        List<Entry> entries = manifest();
        Set<String> listed = entries.stream().map(Entry::docId).collect(Collectors.toSet());
        return documents.ensureIndexes()
                .then(chunks.ensureIndexes())
                .thenMany(Flux.fromIterable(entries).concatMap(this::loadOne))
                .concatWith(documents.findShared()
                        .filter(d -> !listed.contains(d.docId()))
                        .concatMap(stale -> documents.delete(stale.docId())
                                .then(chunks.deleteByDocId(stale.docId()))
                                .doOnNext(n -> log.info("removed sample docId={} no longer in the library", stale.docId()))
                                .then(Mono.<String>empty())));
    }

    private Mono<String> loadOne(Entry entry) {
        DocumentFormat format = DocumentFormat.fromFileName(entry.file());
        if (format == null) {
            return Mono.error(new IllegalStateException("unsupported sample file " + entry.file()));
        }
        byte[] content = read("corpus/" + entry.file());
        String hash = indexer.contentHash(content);
        return documents.findById(entry.docId())
                .flatMap(existing -> chunks.countByDocId(entry.docId())
                        .map(count -> StoredDocument.READY.equals(existing.status()) && hash.equals(existing.contentHash())
                                && existing.shared() && count == existing.chunks() && entry.title().equals(existing.title())))
                .defaultIfEmpty(false)
                .flatMap(unchanged -> unchanged ? Mono.empty() : index(entry, format, content, hash));
    }

    private Mono<String> index(Entry entry, DocumentFormat format, byte[] content, String hash) {
        Instant now = Instant.now();
        StoredDocument document = new StoredDocument(entry.docId(), null, null, true, entry.title(), entry.file(),
                StoredDocument.INDEXING, 0, null, hash, UUID.randomUUID().toString(), now, now);
        return documents.save(document)
                .then(indexer.index(document, format, content))
                .flatMap(stored -> StoredDocument.READY.equals(stored.status()) ? Mono.just(stored.docId())
                        : Mono.error(new IllegalStateException("sample " + entry.file() + " failed: " + stored.error())));
    }

    /** Creates the {@code $vectorSearch} index when missing; a failure is logged, not fatal (it can be made by hand). */
    private void ensureAtlasIndex() {
        String definition = new String(read(ATLAS_INDEX), java.nio.charset.StandardCharsets.UTF_8);
        try {
            Boolean created = chunks.ensureVectorSearchIndex(props.atlasIndex(), org.bson.Document.parse(definition))
                    .block(STARTUP_BUDGET);
            log.info("Atlas vector search index {} {}", props.atlasIndex(), Boolean.TRUE.equals(created)
                    ? "created (Atlas builds it in the background)" : "present");
        } catch (RuntimeException e) {
            log.warn("could not create the Atlas vector search index {} ({}); create it on collection chunks with "
                    + "the definition in {}", props.atlasIndex(), e.getMessage(), ATLAS_INDEX);
        }
    }

    static List<Entry> manifest() {
        try (InputStream in = new ClassPathResource(MANIFEST).getInputStream()) {
            return JsonMapper.builder().build().readValue(in, new TypeReference<List<Entry>>() { });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + MANIFEST, e);
        }
    }

    private static byte[] read(String path) {
        try (InputStream in = new ClassPathResource(path).getInputStream()) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + path, e);
        }
    }
}
