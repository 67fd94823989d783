package dev.streamchat.infra;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.io.IOException;
import java.io.UncheckedIOException;

import java.util.concurrent.atomic.LongAdder;

import de.bwaldvogel.mongo.MongoBackend;
import de.bwaldvogel.mongo.MongoServer;

/**
 * An embedded MongoDB-wire server (mongo-java-server). The services reach it through the real MongoDB
 * drivers, exactly as they would reach a production server; it does not support transactions and
 * ignores TTL indexes. Queries that pin {@code _id} use the {@code _id} index ({@link EmbeddedBackends}).
 */
public final class EmbeddedMongo implements AutoCloseable {

    private final MongoServer server;
    private final InetSocketAddress address;
    private final LongAdder examined;

    private EmbeddedMongo(MongoServer server, InetSocketAddress address, LongAdder examined) {
        this.server = server;
        this.address = address;
        this.examined = examined;
    }

    /** An in-memory server on a free loopback port: what tests use. */
    public static EmbeddedMongo inMemory() {
        LongAdder examined = new LongAdder();
        MongoServer server = new MongoServer(EmbeddedBackends.inMemory(examined));
        return new EmbeddedMongo(server, server.bind(), examined);
    }

    /** A server on {@code port} whose data lives in the H2 file {@code dataFile} (created with its folder). */
    public static EmbeddedMongo onDisk(int port, Path dataFile) {
        try {
            Files.createDirectories(dataFile.toAbsolutePath().getParent());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + dataFile.getParent(), e);
        }
        LongAdder examined = new LongAdder();
        MongoBackend backend = EmbeddedBackends.onDisk(dataFile.toString(), examined);
        MongoServer server = new MongoServer(backend);
        server.bind("127.0.0.1", port);
        return new EmbeddedMongo(server, new InetSocketAddress("127.0.0.1", port), examined);
    }

    /**
     * Documents the server has examined to answer queries, updates and deletes since it started (MongoDB's
     * {@code docsExamined}, summed): a query served by an index examines the documents it finds, a scan examines all.
     */
    public long documentsExamined() {
        return examined.sum();
    }

    public int port() {
        return address.getPort();
    }

    /** A connection string for database {@code database}. */
    public String uri(String database) {
        return "mongodb://127.0.0.1:" + port() + "/" + database;
    }

    @Override
    public void close() {
        server.shutdownNow();
    }
}
