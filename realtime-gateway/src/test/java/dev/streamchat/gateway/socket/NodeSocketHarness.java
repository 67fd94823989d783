package dev.streamchat.gateway.socket;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Runs {@code src/test/js/scenarios.mjs} (the official {@code socket.io-client} from npm, installed with
 * {@code npm ci} from the committed lockfile when {@code node_modules} is missing) and returns its results.
 */
public final class NodeSocketHarness {

    private static final Path DIR = Path.of("src", "test", "js").toAbsolutePath();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static boolean installed;

    private NodeSocketHarness() {
    }

    /**
     * Installs the client once. Several test JVMs may ask at once (Failsafe forks): the first installs while the
     * others wait on a file lock, so none runs node against a half-written {@code node_modules}.
     */
    public static synchronized void install() {
        if (installed) {
            return;
        }
        try (FileChannel lockFile = FileChannel.open(Path.of("target", "npm-install.lock"), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE); FileLock lock = lockFile.lock()) {
            if (!Files.isRegularFile(DIR.resolve("node_modules").resolve(".package-lock.json"))) {
                String output = run(List.of("npm", "ci", "--no-audit", "--no-fund", "--prefix", DIR.toString()), 300);
                if (!Files.isDirectory(DIR.resolve("node_modules").resolve("socket.io-client"))) {
                    throw new IllegalStateException("npm ci did not install socket.io-client: " + output);
                }
            }
            installed = true;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Runs the scenarios concurrently in one node process; one result map per scenario, in order. */
    public static List<Map<String, Object>> run(List<Map<String, Object>> scenarios) {
        install();
        try {
            String output = run(List.of("node", DIR.resolve("scenarios.mjs").toString(), JSON.writeValueAsString(scenarios)), 120);
            String last = output.lines().filter(line -> line.startsWith("[")).reduce((first, second) -> second)
                    .orElseThrow(() -> new IllegalStateException("no JSON from node: " + output));
            return JSON.readValue(last, new TypeReference<>() { });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String run(List<String> command, int timeoutSeconds) {
        try {
            Process process = new ProcessBuilder(command).directory(DIR.toFile()).redirectErrorStream(true).start();
            process.getOutputStream().close();
            byte[] bytes;
            // Read while waiting so a chatty process can never fill its pipe and stall.
            var reader = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                try {
                    return process.getInputStream().readAllBytes();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException(command.get(0) + " did not finish within " + timeoutSeconds + " s");
            }
            bytes = reader.get(10, TimeUnit.SECONDS);
            String output = new String(bytes, StandardCharsets.UTF_8);
            if (process.exitValue() != 0) {
                throw new IllegalStateException(command.get(0) + " exited with " + process.exitValue() + ": " + output);
            }
            return output;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException(e);
        }
    }
}
