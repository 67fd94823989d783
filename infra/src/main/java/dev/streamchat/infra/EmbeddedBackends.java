package dev.streamchat.infra;

import java.util.List;
import java.util.concurrent.atomic.LongAdder;

import de.bwaldvogel.mongo.MongoBackend;
import de.bwaldvogel.mongo.MongoDatabase;
import de.bwaldvogel.mongo.backend.CollectionOptions;
import de.bwaldvogel.mongo.backend.CursorRegistry;
import de.bwaldvogel.mongo.backend.Index;
import de.bwaldvogel.mongo.backend.IndexKey;
import de.bwaldvogel.mongo.backend.QueryResult;
import de.bwaldvogel.mongo.backend.h2.H2Backend;
import de.bwaldvogel.mongo.backend.h2.H2Collection;
import de.bwaldvogel.mongo.backend.h2.H2Database;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import de.bwaldvogel.mongo.backend.memory.MemoryCollection;
import de.bwaldvogel.mongo.backend.memory.MemoryDatabase;
import de.bwaldvogel.mongo.bson.Document;
import io.netty.channel.Channel;

import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;

/**
 * mongo-java-server's two backends (in memory, H2 on disk) adapted to what the services send:
 * <ul>
 * <li><b>Queries that pin {@code _id} are served by the {@code _id} index</b> even when they name other fields too.
 *     The library uses an index only when the query's fields are exactly the index's, so the gateway's owner-checked
 *     reads and updates of one session ({@code {$and: [{_id: s}, {userId: u}]}}, as the driver renders
 *     {@code Filters.and}) and the quota's compare-and-set on a user ({@code _id} and {@code periodStart}) scanned the
 *     whole collection, under the collection's lock: every save got slower as sessions accumulated. Here the {@code _id} part finds the candidate document and the whole query
 *     is then matched against it, so the result is the same and the cost no longer depends on the collection's size.
 *     (Secondary indexes stay unsupported by the library; no hot path needs one.)</li>
 * <li><b>{@code hello}</b>, the handshake of MongoDB 4.4.2+ drivers and Spring Boot's health check, is answered as
 *     its older name {@code isMaster}, which the library knows.</li>
 * <li><b>Documents examined</b> (what MongoDB's explain calls {@code docsExamined}) are counted, so tests can
 *     show that a query does not scan.</li>
 * </ul>
 */
final class EmbeddedBackends {

    private static final String ID = "_id";
    private static final String HELLO = "hello";
    private static final String IS_MASTER = "isMaster";

    private EmbeddedBackends() {
    }

    static MongoBackend inMemory(LongAdder examined) {
        return new Memory(examined);
    }

    static MongoBackend onDisk(String fileName, LongAdder examined) {
        return new OnDisk(fileName, examined);
    }

    /**
     * {@code {_id: value}} when {@code query} pins {@code _id} next to other conditions, either flat
     * ({@code {_id: s, userId: u}}) or as the Java driver renders {@code Filters.and}
     * ({@code {$and: [{_id: s}, {userId: u}]}}); otherwise null (the library then does what it always does).
     */
    static Document idPart(Document query) {
        if (query == null) {
            return null;
        }
        if (query.size() >= 2 && query.get(ID) != null) {
            return new Document(ID, query.get(ID));
        }
        if (query.get("$and") instanceof List<?> conditions) {
            for (Object condition : conditions) {
                if (condition instanceof Document single && single.size() == 1 && single.get(ID) != null) {
                    return new Document(ID, single.get(ID));
                }
            }
        }
        return null;
    }

    static boolean isIdIndex(Index<?> index) {
        List<IndexKey> keys = index.getKeys();
        return keys.size() == 1 && ID.equals(keys.get(0).getKey());
    }

    /**
     * The positions of the candidate documents when {@code query} pins {@code _id} and {@code idIndex} can find them;
     * otherwise null (the caller then queries as the library always does). The whole query must still be matched
     * against the candidates. One lookup for both backends, whose position types differ (in memory: {@code Integer},
     * H2: the stored key).
     */
    static <P> Iterable<P> idIndexPositions(Index<P> idIndex, Document query) {
        Document byId = idPart(query);
        if (byId == null || idIndex == null || !idIndex.canHandle(byId)) {
            return null;
        }
        return idIndex.getPositions(byId);
    }

    /** Counts one examined document; {@code examined} is null while the library's constructors still run. */
    static void countExamined(LongAdder examined) {
        if (examined != null) {
            examined.increment();
        }
    }

    /*
     * The library's constructors open the stored databases and collections (virtual calls from super constructors),
     * so the subclasses below reach their counter through their parent at query time, never through a field read
     * during construction.
     */

    private static final class Memory extends MemoryBackend {
        private final LongAdder examined;

        Memory(LongAdder examined) {
            this.examined = examined;
        }

        @Override
        public MemoryDatabase openOrCreateDatabase(String databaseName) {
            return new MemoryDb(databaseName, getCursorRegistry(), this);
        }

        @Override
        public Document handleCommand(Channel channel, String database, String command, Document query) {
            return super.handleCommand(channel, database, HELLO.equalsIgnoreCase(command) ? IS_MASTER : command, query);
        }
    }

    private static final class MemoryDb extends MemoryDatabase {
        private final Memory backend;

        MemoryDb(String databaseName, CursorRegistry cursorRegistry, Memory backend) {
            super(databaseName, cursorRegistry);
            this.backend = backend;
        }

        @Override
        protected MemoryCollection openOrCreateCollection(String collectionName, CollectionOptions options) {
            return new MemoryIdFirstCollection(this, collectionName, options, cursorRegistry);
        }

        LongAdder examined() {
            return backend == null ? null : backend.examined;
        }
    }

    private static final class MemoryIdFirstCollection extends MemoryCollection {
        private final MemoryDb database;
        private volatile Index<Integer> idIndex;

        MemoryIdFirstCollection(MemoryDb database, String name, CollectionOptions options, CursorRegistry cursors) {
            super(database, name, options, cursors);
            this.database = database;
        }

        @Override
        public void addIndex(Index<Integer> index) {
            super.addIndex(index);
            if (isIdIndex(index)) {
                idIndex = index;
            }
        }

        @Override
        protected QueryResult queryDocuments(Document query, Document orderBy, int skip, int limit, int batchSize,
                                             Document fieldSelector) {
            Iterable<Integer> candidates = idIndexPositions(idIndex, query);
            if (candidates != null) {
                return matchDocuments(query, candidates, orderBy, skip, limit, batchSize, fieldSelector);
            }
            return super.queryDocuments(query, orderBy, skip, limit, batchSize, fieldSelector);
        }

        @Override
        protected boolean documentMatchesQuery(Document document, Document query) {
            countExamined(database == null ? null : database.examined());
            return super.documentMatchesQuery(document, query);
        }
    }

    private static final class OnDisk extends H2Backend {
        private final LongAdder examined;

        OnDisk(String fileName, LongAdder examined) {
            super(fileName);
            this.examined = examined;
        }

        @Override
        protected MongoDatabase openOrCreateDatabase(String databaseName) {
            return OnDiskDb.open(databaseName, getMvStore(), getCursorRegistry(), this);
        }

        @Override
        public Document handleCommand(Channel channel, String database, String command, Document query) {
            return super.handleCommand(channel, database, HELLO.equalsIgnoreCase(command) ? IS_MASTER : command, query);
        }

        LongAdder examined() {
            return examined;
        }
    }

    private static final class OnDiskDb extends H2Database {
        /** The store of the database under construction: H2Database's constructor already opens collections. */
        private static final ThreadLocal<MVStore> CONSTRUCTING = new ThreadLocal<>();

        private final OnDisk backend;
        private final MVStore store;

        static OnDiskDb open(String databaseName, MVStore store, CursorRegistry cursorRegistry, OnDisk backend) {
            CONSTRUCTING.set(store);
            try {
                return new OnDiskDb(databaseName, store, cursorRegistry, backend);
            } finally {
                CONSTRUCTING.remove();
            }
        }

        private OnDiskDb(String databaseName, MVStore store, CursorRegistry cursorRegistry, OnDisk backend) {
            super(databaseName, store, cursorRegistry);
            this.backend = backend;
            this.store = store;
        }

        @Override
        protected de.bwaldvogel.mongo.MongoCollection<Object> openOrCreateCollection(String collectionName,
                                                                                    CollectionOptions options) {
            // the same maps H2Database opens (H2Database.DATABASES_PREFIX / META_PREFIX + the full name)
            String fullName = getFullCollectionNamespace(collectionName);
            MVStore mvStore = store != null ? store : CONSTRUCTING.get();
            MVMap<Object, Document> dataMap = mvStore.openMap("databases." + fullName);
            MVMap<String, Object> metaMap = mvStore.openMap("meta." + fullName);
            return new OnDiskIdFirstCollection(this, collectionName, options, dataMap, metaMap, cursorRegistry);
        }

        LongAdder examined() {
            return backend == null ? null : backend.examined();
        }
    }

    private static final class OnDiskIdFirstCollection extends H2Collection {
        private final OnDiskDb database;
        private volatile Index<Object> idIndex;

        OnDiskIdFirstCollection(OnDiskDb database, String name, CollectionOptions options, MVMap<Object, Document> dataMap,
                                MVMap<String, Object> metaMap, CursorRegistry cursors) {
            super(database, name, options, dataMap, metaMap, cursors);
            this.database = database;
        }

        @Override
        public void addIndex(Index<Object> index) {
            super.addIndex(index);
            if (isIdIndex(index)) {
                idIndex = index;
            }
        }

        @Override
        protected QueryResult queryDocuments(Document query, Document orderBy, int skip, int limit, int batchSize,
                                             Document fieldSelector) {
            Iterable<Object> candidates = idIndexPositions(idIndex, query);
            if (candidates != null) {
                return matchDocuments(query, candidates, orderBy, skip, limit, batchSize, fieldSelector);
            }
            return super.queryDocuments(query, orderBy, skip, limit, batchSize, fieldSelector);
        }

        @Override
        protected boolean documentMatchesQuery(Document document, Document query) {
            countExamined(database == null ? null : database.examined());
            return super.documentMatchesQuery(document, query);
        }
    }
}
