package dev.streamchat.settings;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Test fixture shared by both services (through this module's test-jar): runs a service's real main in a child JVM
 * on the calling test's class path and checks that {@link ExitOnBadSettings} ended it at once with code 2, exactly
 * one line on stderr and nothing else (no log, no stack trace).
 */
public final class BadSettingsStartup {

    private BadSettingsStartup() {
    }

    /** Starts {@code mainClass} with {@code env} added to this JVM's environment and asserts the one-line exit. */
    public static void assertExitsWithOneLine(String mainClass, Map<String, String> env, String expectedLine)
            throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder builder = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), mainClass);
        builder.environment().putAll(env);
        Process process = builder.start();
        process.getOutputStream().close();
        CompletableFuture<String> stdout = CompletableFuture.supplyAsync(() -> read(process.getInputStream()));
        CompletableFuture<String> stderr = CompletableFuture.supplyAsync(() -> read(process.getErrorStream()));
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("exits at once").isTrue();

        assertThat(process.exitValue()).isEqualTo(2);
        List<String> errorLines = stderr.get(10, TimeUnit.SECONDS).lines().filter(l -> !l.isBlank()).toList();
        assertThat(errorLines).containsExactly(expectedLine);
        assertThat(stdout.get(10, TimeUnit.SECONDS)).as("nothing but the one line").isBlank();
    }

    private static String read(InputStream in) {
        try {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
