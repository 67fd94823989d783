package dev.streamchat.ai.config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The git-ignored {@code DATA_DIR/local-secrets.env} of local mode (lines {@code NAME=value}): {@code ./run.sh}
 * normally writes it first; a service started alone creates it, with a random 32-byte hex {@code JWT_SECRET} and
 * {@code AI_SERVICE_API_KEY}, so the gateway and the ai-service agree on the key without configuration.
 * Blocking file I/O: startup only.
 */
public final class LocalSecrets {

    public static final String FILE_NAME = "local-secrets.env";
    static final List<String> GENERATED = List.of("JWT_SECRET", "AI_SERVICE_API_KEY");

    private static final SecureRandom RANDOM = new SecureRandom();

    private LocalSecrets() {
    }

    /** The secrets in {@code dataDir}'s file, creating the file or adding missing secrets to it first. */
    public static Map<String, String> loadOrCreate(Path dataDir) {
        Path file = dataDir.resolve(FILE_NAME);
        try {
            Files.createDirectories(dataDir);
            if (!Files.exists(file)) {
                createAtomically(file);
            }
            Map<String, String> secrets = read(file);
            StringBuilder missing = new StringBuilder();
            for (String name : GENERATED) {
                if (secrets.get(name) == null || secrets.get(name).isBlank()) {
                    String value = randomHex();
                    secrets.put(name, value);
                    missing.append(name).append('=').append(value).append('\n');
                }
            }
            if (missing.length() > 0) {
                Files.writeString(file, missing, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
            }
            return secrets;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or create " + file, e);
        }
    }

    static Map<String, String> read(Path file) throws IOException {
        Map<String, String> values = new LinkedHashMap<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            String trimmed = line.strip();
            int eq = trimmed.indexOf('=');
            if (trimmed.isEmpty() || trimmed.startsWith("#") || eq <= 0) {
                continue;
            }
            String name = trimmed.substring(0, eq).strip();
            if (name.startsWith("export ")) {
                name = name.substring("export ".length()).strip();
            }
            values.put(name, unquote(trimmed.substring(eq + 1).strip()));
        }
        return values;
    }

    private static void createAtomically(Path file) throws IOException {
        StringBuilder content = new StringBuilder("# generated for APP_MODE=local; never commit, never use in production\n");
        for (String name : GENERATED) {
            content.append(name).append('=').append(randomHex()).append('\n');
        }
        Path temp = Files.createTempFile(file.getParent(), FILE_NAME, ".tmp");
        try {
            try {
                Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException notPosix) {
                // best-effort on non-POSIX file systems
            }
            Files.writeString(temp, content, StandardCharsets.UTF_8);
            // Another process (run.sh, the gateway) may create the file at the same time: the first one wins.
            try {
                Files.createLink(file, temp);
            } catch (FileAlreadyExistsException alreadyThere) {
                // keep theirs
            } catch (UnsupportedOperationException | IOException noLinks) {
                try {
                    Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE);
                } catch (FileAlreadyExistsException | AtomicMoveNotSupportedException alreadyThere) {
                    // keep theirs
                }
            }
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    private static String unquote(String value) {
        if (value.length() >= 2 && (value.startsWith("\"") && value.endsWith("\"")
                || value.startsWith("'") && value.endsWith("'"))) {
            return value.substring(1, value.length() - 1);
        }
        return value;
    }

    static String randomHex() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }
}
