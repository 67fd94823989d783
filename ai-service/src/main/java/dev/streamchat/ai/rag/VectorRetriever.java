package dev.streamchat.ai.rag;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.bson.Document;
import org.bson.conversions.Bson;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.mongodb.client.model.Filters;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * The {@link Retriever} over the MongoDB-stored chunks. In {@code scan} mode it scores at most
 * {@code maxScanChunks} chunks of the scope by cosine similarity as they stream from the driver, keeping only the
 * top k (in one query while the scope fits; a larger scope is read again with the user's own chunks before the
 * shared library, whose first pass was wasted work); in {@code atlas} mode Atlas
 * {@code $vectorSearch} does the same on the server. The question is embedded on {@code boundedElastic}; scoring
 * (about a millisecond per thousand chunks) runs on {@code parallel}, off the driver's event loop. In
 * {@code scan} mode a scope without chunks is not embedded at all.
 */
class VectorRetriever implements Retriever {

    private static final Logger log = LoggerFactory.getLogger(VectorRetriever.class);
    private static final Comparator<Passage> BEST_FIRST = Comparator.comparingDouble(Passage::score).reversed()
            .thenComparing(Passage::chunkId);

    private final Embedder embedder;
    private final ChunkRepository chunks;
    private final RagProperties props;
    private final MeterRegistry meters;
    private final AtomicLong lastScanLimitWarning = new AtomicLong();

    VectorRetriever(Embedder embedder, ChunkRepository chunks, RagProperties props, MeterRegistry meters) {
        this.embedder = embedder;
        this.chunks = chunks;
        this.props = props;
        this.meters = meters;
    }

    @Override
    public Mono<List<Passage>> retrieve(SearchScope scope, String query) {
        if (query == null || query.isBlank()) {
            return Mono.just(List.of());
        }
        return Mono.defer(() -> {
            long started = System.nanoTime();
            Mono<List<Passage>> found = props.searchMode() == RagProperties.SearchMode.ATLAS
                    ? embedder.embed(query).flatMap(vector -> atlasSearch(scope, vector))
                    : scan(scope, query);
            return found
                    .doOnNext(passages -> Timer.builder("ai.rag.retrieval")
                            .description("Embedding a question and finding its passages")
                            .tag("hit", String.valueOf(!passages.isEmpty()))
                            .register(meters).record(System.nanoTime() - started, TimeUnit.NANOSECONDS));
        });
    }

    /**
     * The scope's chunks scored against the question. The question is embedded once the scope turns out to hold a
     * chunk: a user with no documents (and no shared library) costs one empty query, not an embedding (~6 ms of CPU).
     * A user's whole scope (their own chunks and the shared library) is one query while it fits the scan budget; only
     * a scope larger than the budget is read again with the user's own chunks first, so that a large shared library
     * can never crowd them out.
     */
    private Mono<List<Passage>> scan(SearchScope scope, String query) {
        Mono<float[]> vector = Mono.defer(() -> embedder.embed(query)).cache();
        int budget = props.maxScanChunks();
        Bson all = ChunkRepository.scopeFilter(scope);
        if (scope.docId() != null || scope.userId() == null) {
            return ranked(chunks.scan(all, budget), vector);
        }
        AtomicInteger found = new AtomicInteger();
        Flux<Document> withinBudget = chunks.scan(all, budget + 1).filter(d -> found.incrementAndGet() <= budget);
        return ranked(withinBudget, vector)
                .flatMap(best -> found.get() <= budget ? Mono.just(best) : ownChunksFirst(all, vector));
    }

    private Mono<List<Passage>> ownChunksFirst(Bson all, Mono<float[]> vector) {
        int budget = props.maxScanChunks();
        Bson own = Filters.and(all, new Document("shared", new Document("$ne", true)));
        Bson shared = Filters.and(all, new Document("shared", new Document("$eq", true)));
        AtomicInteger ownScanned = new AtomicInteger();
        Flux<Document> candidates = chunks.scan(own, budget)
                .doOnNext(d -> ownScanned.incrementAndGet())
                .concatWith(Flux.defer(() -> {
                    int left = budget - ownScanned.get();
                    return left > 0 ? chunks.scan(shared, left) : Flux.empty();
                }));
        return ranked(candidates, vector);
    }

    /** The best passages among {@code candidates}, embedding the question only when there is a first one. */
    private Mono<List<Passage>> ranked(Flux<Document> candidates, Mono<float[]> vector) {
        AtomicInteger scanned = new AtomicInteger();
        return candidates
                .doOnNext(d -> scanned.incrementAndGet())
                .switchOnFirst((first, all) -> first.hasValue()
                        ? vector.flatMap(v -> best(all, v, scanned)).flux()
                        : all.thenMany(Flux.<List<Passage>>empty())) // nothing to search, or the query's error
                .next()
                .defaultIfEmpty(List.of());
    }

    private Mono<List<Passage>> best(Flux<Document> candidates, float[] vector, AtomicInteger scanned) {
        double queryNorm = Embedder.norm(vector);
        return candidates
                // Scoring is CPU work: keep it off the driver's event loop, which other queries share.
                .publishOn(Schedulers.parallel(), 256)
                .collect(() -> new TopK(props.topK()), (top, doc) -> {
                    double score = Embedder.cosine(vector, queryNorm, doc.getList("embedding", Object.class));
                    if (score >= props.minScore()) {
                        top.offer(passage(doc, score));
                    }
                })
                .map(TopK::best)
                .doOnNext(best -> warnIfScanLimitReached(scanned.get()));
    }

    private Mono<List<Passage>> atlasSearch(SearchScope scope, float[] vector) {
        return chunks.aggregate(atlasPipeline(scope, vector))
                .map(doc -> {
                    // Atlas reports cosine similarity as (1 + cos) / 2; the minimum score is in cosine terms.
                    double atlasScore = doc.get("score") instanceof Number n ? n.doubleValue() : 0;
                    return passage(doc, 2 * atlasScore - 1);
                })
                .filter(p -> p.score() >= props.minScore())
                .collectList()
                .map(list -> list.stream().sorted(BEST_FIRST).limit(props.topK()).toList());
    }

    /** The {@code $vectorSearch} pipeline for a scope; the index is described in {@code atlas/chunks-vector-index.json}. */
    List<Bson> atlasPipeline(SearchScope scope, float[] vector) {
        List<Double> queryVector = new ArrayList<>(vector.length);
        for (float v : vector) {
            queryVector.add((double) v);
        }
        Document vectorSearch = new Document("index", props.atlasIndex())
                .append("path", "embedding")
                .append("queryVector", queryVector)
                .append("numCandidates", Math.max(props.atlasNumCandidates(), props.topK()))
                .append("limit", props.topK())
                .append("filter", ChunkRepository.scopeFilter(scope));
        Document project = new Document("docId", 1).append("title", 1).append("page", 1).append("text", 1)
                .append("score", new Document("$meta", "vectorSearchScore"));
        return List.of(new Document("$vectorSearch", vectorSearch), new Document("$project", project));
    }

    private static Passage passage(Document doc, double score) {
        Object page = doc.get("page");
        return new Passage(String.valueOf(doc.get("_id")), doc.getString("docId"), doc.getString("title"),
                page instanceof Number n ? n.intValue() : null, doc.getString("text"), score);
    }

    private void warnIfScanLimitReached(int scanned) {
        long now = System.currentTimeMillis();
        long last = lastScanLimitWarning.get();
        if (scanned >= props.maxScanChunks() && now - last > 60_000 && lastScanLimitWarning.compareAndSet(last, now)) {
            log.warn("retrieval scanned its limit of {} chunks (RAG_MAX_SCAN_CHUNKS); further chunks of the scope "
                    + "were not searched — use RAG_SEARCH_MODE=atlas for large libraries", props.maxScanChunks());
        }
    }

    /** The k best passages seen so far: a min-heap whose head is the weakest one kept. */
    private static final class TopK {
        private final int k;
        private final PriorityQueue<Passage> heap;

        TopK(int k) {
            this.k = k;
            this.heap = new PriorityQueue<>(k + 1, BEST_FIRST.reversed());
        }

        void offer(Passage passage) {
            heap.offer(passage);
            if (heap.size() > k) {
                heap.poll();
            }
        }

        List<Passage> best() {
            return heap.stream().sorted(BEST_FIRST).toList();
        }
    }
}
