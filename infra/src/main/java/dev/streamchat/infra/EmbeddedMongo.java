package dev.streamchat.infra;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.io.IOException;
import java.io.UncheckedIOException;

import de.bwaldvogel.mongo.MongoBackend;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.h2.H2Backend;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import de.bwaldvogel.mongo.bson.Document;
import io.netty.channel.Channel;

/**
 * An embedded MongoDB-wire server (mongo-java-server). The services reach it through the real MongoDB
 * drivers, exactly as they would reach a production server; it does not support transactions and
 * ignores TTL indexes.
 */
public final class EmbeddedMongo implements AutoCloseable {

    private final MongoServer server;
    private final InetSocketAddress address;

    private EmbeddedMongo(MongoServer server, InetSocketAddress address) {
        this.server = server;
        this.address = address;
    }

    /** An in-memory server on a free loopback port: what tests use. */
    public static EmbeddedMongo inMemory() {
        MongoServer server = new MongoServer(new HelloAwareMemoryBackend());
        return new EmbeddedMongo(server, server.bind());
    }

    /** A server on {@code port} whose data lives in the H2 file {@code dataFile} (created with its folder). */
    public static EmbeddedMongo onDisk(int port, Path dataFile) {
        try {
            Files.createDirectories(dataFile.toAbsolutePath().getParent());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + dataFile.getParent(), e);
        }
        MongoBackend backend = new HelloAwareH2Backend(dataFile.toString());
        MongoServer server = new MongoServer(backend);
        server.bind("127.0.0.1", port);
        return new EmbeddedMongo(server, new InetSocketAddress("127.0.0.1", port));
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

    /*
     * MongoDB 4.4.2+ drivers and Spring Boot's health indicator send the "hello" handshake command;
     * mongo-java-server only knows its older name "isMaster", which answers the same fields.
     */
    private static final String HELLO = "hello";
    private static final String IS_MASTER = "isMaster";

    private static final class HelloAwareMemoryBackend extends MemoryBackend {
        @Override
        public Document handleCommand(Channel channel, String database, String command, Document query) {
            return super.handleCommand(channel, database, HELLO.equalsIgnoreCase(command) ? IS_MASTER : command, query);
        }
    }

    private static final class HelloAwareH2Backend extends H2Backend {
        HelloAwareH2Backend(String fileName) {
            super(fileName);
        }

        @Override
        public Document handleCommand(Channel channel, String database, String command, Document query) {
            return super.handleCommand(channel, database, HELLO.equalsIgnoreCase(command) ? IS_MASTER : command, query);
        }
    }
}
