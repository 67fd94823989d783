package dev.streamchat.gateway.config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The git-ignored {@code data/local-secrets.env} of local mode: lines {@code NAME=value}. Missing names are generated
 * (32 random bytes, hex) and appended under a file lock, so the gateway and the ai-service, or {@code run.sh}, never
 * end up with two different values.
 */
final class LocalSecretsFile {

    private static final SecureRandom RANDOM = new SecureRandom();

    private final Path file;

    LocalSecretsFile(Path file) {
        this.file = file;
    }

    Path path() {
        return file;
    }

    /** The values of {@code names}, generating and persisting those the file does not have yet. */
    Map<String, String> readOrGenerate(List<String> names) {
        try {
            Path parent = file.toAbsolutePath().getParent();
            Files.createDirectories(parent);
            Path lockFile = parent.resolve(file.getFileName() + ".lock");
            try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                 FileLock ignored = channel.lock()) {
                Map<String, String> values = read();
                StringBuilder appended = new StringBuilder();
                for (String name : names) {
                    if (!values.containsKey(name)) {
                        String generated = randomHex();
                        values.put(name, generated);
                        appended.append(name).append('=').append(generated).append('\n');
                    }
                }
                if (!appended.isEmpty()) {
                    boolean needsNewline = Files.exists(file) && Files.size(file) > 0 && !endsWithNewline();
                    Files.writeString(file, (needsNewline ? "\n" : "") + appended, StandardCharsets.UTF_8,
                            StandardOpenOption.CREATE, StandardOpenOption.APPEND);
                    restrictPermissions();
                }
                return values;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or write " + file, e);
        }
    }

    private Map<String, String> read() throws IOException {
        Map<String, String> values = new LinkedHashMap<>();
        if (!Files.exists(file)) {
            return values;
        }
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            String trimmed = line.trim();
            int eq = trimmed.indexOf('=');
            if (trimmed.isEmpty() || trimmed.startsWith("#") || eq <= 0) {
                continue;
            }
            String value = trimmed.substring(eq + 1).trim();
            if (value.length() >= 2 && (value.startsWith("\"") && value.endsWith("\"")
                    || value.startsWith("'") && value.endsWith("'"))) {
                value = value.substring(1, value.length() - 1);
            }
            if (!value.isEmpty()) {
                values.put(trimmed.substring(0, eq).trim(), value);
            }
        }
        return values;
    }

    private boolean endsWithNewline() throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        return bytes.length == 0 || bytes[bytes.length - 1] == '\n';
    }

    private void restrictPermissions() {
        try {
            Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException | IOException e) {
            // Not a POSIX file system: the file stays with default permissions.
        }
    }

    private static String randomHex() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }
}
