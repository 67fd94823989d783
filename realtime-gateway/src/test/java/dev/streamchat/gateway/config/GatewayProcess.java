package dev.streamchat.gateway.config;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * A gateway node as its own operating-system process (the executable jar {@code mvn package} builds), sharing the
 * stores of a {@link GatewayCluster}: what a test kills with SIGKILL or stops with SIGTERM.
 */
public final class GatewayProcess implements AutoCloseable {

    private final Process process;
    private final int httpPort;
    private final int socketPort;
    private final Path log;

    private GatewayProcess(Process process, int httpPort, int socketPort, Path log) {
        this.process = process;
        this.httpPort = httpPort;
        this.socketPort = socketPort;
        this.log = log;
    }

    /** Starts a node on free ports and waits until its health is UP. */
    public static GatewayProcess start(GatewayCluster cluster, String aiUrl, String aiKey, Map<String, String> env)
            throws IOException, InterruptedException {
        File jar = findJar();
        int httpPort = TestBackends.freePort();
        int socketPort = TestBackends.freePort();
        Path log = Files.createTempFile("gateway-node", ".log");
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xss512k", "-Xmx512m", "-jar", jar.getAbsolutePath())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        Map<String, String> environment = builder.environment();
        environment.put("APP_MODE", "local");
        environment.put("GATEWAY_PORT", Integer.toString(httpPort));
        environment.put("SOCKET_PORT", Integer.toString(socketPort));
        environment.put("SOCKET_HOST", "127.0.0.1");
        environment.put("REDIS_URL", cluster.redisUrl());
        environment.put("MONGODB_URI", cluster.mongoUri());
        environment.put("AI_SERVICE_URL", aiUrl);
        environment.put("AI_SERVICE_API_KEY", aiKey);
        environment.put("JWT_SECRET", TestBackends.JWT_SECRET);
        environment.put("RATE_LIMIT_CHAT_PER_MIN", "10000");
        environment.put("DATA_DIR", Files.createTempDirectory("gateway-node-data").toString());
        environment.putAll(env);
        Process process = builder.start();
        GatewayProcess node = new GatewayProcess(process, httpPort, socketPort, log);
        node.awaitHealthy(Duration.ofSeconds(180));
        return node;
    }

    private static File findJar() {
        File[] jars = new File("target").listFiles((dir, name) -> name.startsWith("realtime-gateway-") && name.endsWith("-exec.jar"));
        if (jars == null || jars.length == 0) {
            throw new IllegalStateException("no target/realtime-gateway-*-exec.jar: run mvn package (verify does)");
        }
        return jars[0];
    }

    private void awaitHealthy(Duration limit) throws IOException, InterruptedException {
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("gateway process exited: " + Files.readString(log));
            }
            try {
                HttpResponse<String> health = http.send(HttpRequest.newBuilder(URI.create(http() + "/actuator/health"))
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
                if (health.statusCode() == 200 && health.body().contains("\"UP\"")) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(250);
        }
        throw new IllegalStateException("gateway process not healthy in time: " + Files.readString(log));
    }

    public String http() {
        return "http://127.0.0.1:" + httpPort;
    }

    public int socketPort() {
        return socketPort;
    }

    /** SIGKILL: the node vanishes mid-flight. */
    public void kill() throws InterruptedException {
        process.destroyForcibly().waitFor();
    }

    /** SIGTERM, as a deploy sends it. */
    public void terminate() {
        process.destroy();
    }

    public boolean waitForExit(Duration limit) throws InterruptedException {
        return process.waitFor(limit.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    public String log() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }
}
