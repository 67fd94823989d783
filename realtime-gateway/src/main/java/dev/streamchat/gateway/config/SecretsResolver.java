package dev.streamchat.gateway.config;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Decides where {@code JWT_SECRET} and {@code AI_SERVICE_API_KEY} come from (contract section 0): the environment
 * when set; in {@code production} nothing else (a missing or weak one stops the start, see {@link SecretStrength});
 * in {@code local} the {@code ${DATA_DIR}/local-secrets.env} file, generated when absent.
 */
public final class SecretsResolver {

    public static final String JWT_SECRET = "JWT_SECRET";
    public static final String AI_SERVICE_API_KEY = "AI_SERVICE_API_KEY";
    public static final String LOCAL_SECRETS_FILE = "local-secrets.env";
    /** HS256 needs a key of at least 256 bits. */
    public static final int MIN_JWT_SECRET_BYTES = 32;

    private static final List<String> SECRETS = List.of(JWT_SECRET, AI_SERVICE_API_KEY);

    private SecretsResolver() {
    }

    /**
     * @param lookup reads a variable from the environment (null or blank when unset)
     * @return the value of each secret, by variable name
     * @throws StartupConfigurationException naming the first missing or unusable secret
     */
    public static Map<String, String> resolve(AppMode mode, Function<String, String> lookup, Path dataDir) {
        Map<String, String> resolved = new LinkedHashMap<>();
        List<String> missing = new ArrayList<>();
        for (String name : SECRETS) {
            String value = lookup.apply(name);
            if (value == null || value.isBlank()) {
                missing.add(name);
            } else {
                resolved.put(name, value.trim());
            }
        }
        if (!missing.isEmpty()) {
            if (mode == AppMode.PRODUCTION) {
                throw new StartupConfigurationException(missing.get(0) + " is required when APP_MODE=production");
            }
            Map<String, String> fromFile = new LocalSecretsFile(dataDir.resolve(LOCAL_SECRETS_FILE)).readOrGenerate(missing);
            for (String name : missing) {
                resolved.put(name, fromFile.get(name));
            }
        }
        if (resolved.get(JWT_SECRET).getBytes(StandardCharsets.UTF_8).length < MIN_JWT_SECRET_BYTES) {
            throw new StartupConfigurationException(JWT_SECRET + " must be at least " + MIN_JWT_SECRET_BYTES + " bytes long");
        }
        if (mode == AppMode.PRODUCTION) {
            for (String name : SECRETS) {
                String weakness = SecretStrength.weakness(resolved.get(name));
                if (weakness != null) {
                    throw new StartupConfigurationException(name + " is " + weakness
                            + "; set a random value of at least " + SecretStrength.MIN_BYTES
                            + " bytes (e.g. openssl rand -hex 32) when APP_MODE=production");
                }
            }
        }
        return resolved;
    }
}
