package dev.streamchat.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringApplication;
import org.springframework.mock.env.MockEnvironment;

/** What production accepts as a secret, and the defaults that follow the mode. */
class SecretStrengthTests {

    @Test
    void randomValuesPassAndPlaceholdersShortOrRepetitiveOnesDoNot() {
        SecureRandom random = new SecureRandom();
        for (int i = 0; i < 200; i++) {
            byte[] bytes = new byte[32];
            random.nextBytes(bytes);
            assertThat(SecretStrength.weakness(HexFormat.of().formatHex(bytes))).isNull();
            assertThat(SecretStrength.weakness(Base64.getEncoder().encodeToString(bytes))).isNull();
        }
        assertThat(SecretStrength.weakness("change-me")).contains("shorter");
        assertThat(SecretStrength.weakness("CHANGEME-please-0123456789abcdefghij")).isEqualTo("a placeholder");
        assertThat(SecretStrength.weakness("secretsecretsecretsecretsecretsecret")).isEqualTo("a placeholder");
        assertThat(SecretStrength.weakness("abababababababababababababababababab")).contains("predictable");
        assertThat(SecretStrength.weakness("")).isEqualTo("missing");
    }

    @Test
    void productionDefaultsToSecureCookiesAndEveryInterfaceLocalToLoopback() {
        String strong = "9f1c2e7a4b8d0f3a6c5e1b7d9a2f4c8e0b3d6a9f1e4c7b2a5d8f0e3c6b9a1d4f";
        Map<String, String> expected = Map.of("production", "true|0.0.0.0", "local", "false|127.0.0.1");
        expected.forEach((mode, values) -> {
            MockEnvironment environment = new MockEnvironment().withProperty("APP_MODE", mode)
                    .withProperty("JWT_SECRET", strong).withProperty("AI_SERVICE_API_KEY", strong)
                    .withProperty("DATA_DIR", Path.of("target", "secret-strength-tests").toString());
            new SecretsEnvironmentPostProcessor().postProcessEnvironment(environment, new SpringApplication());
            String cookieSecure = environment.resolvePlaceholders("${COOKIE_SECURE:${streamchat.mode-default.cookie-secure:false}}");
            String host = environment.resolvePlaceholders("${GATEWAY_HOST:${streamchat.mode-default.host:127.0.0.1}}");
            assertThat(cookieSecure + "|" + host).as(mode).isEqualTo(values);
        });
    }
}
