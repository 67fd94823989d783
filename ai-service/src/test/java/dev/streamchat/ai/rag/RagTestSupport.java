package dev.streamchat.ai.rag;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.springframework.data.mongodb.core.ReactiveMongoTemplate;
import org.springframework.util.unit.DataSize;

import com.mongodb.ConnectionString;
import com.mongodb.MongoClientSettings;
import com.mongodb.event.CommandListener;
import com.mongodb.event.CommandStartedEvent;
import com.mongodb.reactivestreams.client.MongoClient;
import com.mongodb.reactivestreams.client.MongoClients;

import dev.langchain4j.model.embedding.onnx.allminilml6v2.AllMiniLmL6V2EmbeddingModel;
import dev.streamchat.infra.EmbeddedMongo;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/**
 * The RAG pipeline wired by hand against an in-memory MongoDB-wire server, reached through the real reactive driver.
 * The embedding model is a JVM-wide singleton, so every test class shares one load.
 */
final class RagTestSupport implements AutoCloseable {

    static final Embedder EMBEDDER = new Embedder(new AllMiniLmL6V2EmbeddingModel());

    final EmbeddedMongo server = EmbeddedMongo.inMemory();
    /** The {@code find} commands sent to the {@code chunks} collection so far. */
    final AtomicInteger chunkQueries = new AtomicInteger();
    final MongoClient client = MongoClients.create(MongoClientSettings.builder()
            .applyConnectionString(new ConnectionString(server.uri("chat")))
            .addCommandListener(new CommandListener() {
                @Override
                public void commandStarted(CommandStartedEvent event) {
                    if ("find".equals(event.getCommandName())
                            && ChunkRepository.COLLECTION.equals(event.getCommand().getString("find").getValue())) {
                        chunkQueries.incrementAndGet();
                    }
                }
            })
            .build());
    final ReactiveMongoTemplate template = new ReactiveMongoTemplate(client, "chat");
    final RagProperties props;
    final DocumentRepository documents = new DocumentRepository(template);
    final ChunkRepository chunks = new ChunkRepository(template);
    final IndexingPool indexingPool;
    final DocumentIndexer indexer;
    final VectorRetriever retriever;
    final SimpleMeterRegistry meters = new SimpleMeterRegistry();

    RagTestSupport() {
        this(defaults());
    }

    RagTestSupport(RagProperties props) {
        this(props, IndexingProperties.defaults());
    }

    RagTestSupport(RagProperties props, IndexingProperties limits) {
        this.props = props;
        this.indexingPool = new IndexingPool(limits);
        this.indexer = new DocumentIndexer(EMBEDDER, chunks, documents, props, limits, indexingPool);
        this.retriever = new VectorRetriever(EMBEDDER, chunks, props, meters);
    }

    private static RagTestSupport shared;

    /**
     * One server with the sample library loaded, shared by the test classes that only add documents of their own
     * users (scopes keep them apart); it lives as long as the test JVM.
     */
    static synchronized RagTestSupport shared() {
        if (shared == null) {
            shared = new RagTestSupport();
            shared.loadSampleLibrary();
        }
        return shared;
    }

    static RagProperties defaults() {
        return new RagProperties(RagProperties.SearchMode.SCAN, 5000, 4, 0.3, 600, 120, DataSize.ofMegabytes(10),
                true, "chunks_embedding", 200, false);
    }

    static RagProperties withMaxScan(int maxScanChunks) {
        RagProperties d = defaults();
        return new RagProperties(d.searchMode(), maxScanChunks, d.topK(), d.minScore(), d.chunkChars(),
                d.chunkOverlapChars(), d.uploadMaxSize(), d.sampleLibrary(), d.atlasIndex(), d.atlasNumCandidates(),
                d.atlasCreateIndex());
    }

    SampleLibrary sampleLibrary() {
        return new SampleLibrary(documents, chunks, indexer, props);
    }

    List<String> loadSampleLibrary() {
        return sampleLibrary().load().collectList().block();
    }

    @Override
    public void close() {
        indexingPool.destroy();
        client.close();
        server.close();
    }
}
