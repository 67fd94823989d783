package dev.streamchat.ai.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.SpringApplication;
import org.springframework.mock.env.MockEnvironment;

class LocalSecretsTests {

    @Test
    void createsTheFileWithTwoRandom32ByteHexSecrets(@TempDir Path dir) throws Exception {
        Map<String, String> secrets = LocalSecrets.loadOrCreate(dir.resolve("data"));

        assertThat(secrets.get("AI_SERVICE_API_KEY")).matches("[0-9a-f]{64}");
        assertThat(secrets.get("JWT_SECRET")).matches("[0-9a-f]{64}").isNotEqualTo(secrets.get("AI_SERVICE_API_KEY"));
        assertThat(LocalSecrets.read(dir.resolve("data").resolve(LocalSecrets.FILE_NAME))).isEqualTo(secrets);
        assertThat(LocalSecrets.loadOrCreate(dir.resolve("data"))).isEqualTo(secrets);
    }

    @Test
    void keepsWhatRunShWroteAndAddsOnlyWhatIsMissing(@TempDir Path dir) throws Exception {
        Path file = dir.resolve(LocalSecrets.FILE_NAME);
        Files.writeString(file, "# written by run.sh\nexport JWT_SECRET=\"abc\"\nOTHER=1\n");

        Map<String, String> secrets = LocalSecrets.loadOrCreate(dir);

        assertThat(secrets.get("JWT_SECRET")).isEqualTo("abc");
        assertThat(secrets.get("OTHER")).isEqualTo("1");
        assertThat(secrets.get("AI_SERVICE_API_KEY")).matches("[0-9a-f]{64}");
        assertThat(Files.readString(file)).startsWith("# written by run.sh\nexport JWT_SECRET=\"abc\"\nOTHER=1\n");
    }

    @Test
    void localModeTakesAMissingServiceKeyFromTheFile(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve(LocalSecrets.FILE_NAME), "AI_SERVICE_API_KEY=from-file\nJWT_SECRET=j\n");
        MockEnvironment environment = new MockEnvironment().withProperty("DATA_DIR", dir.toString());

        new LocalSecretsEnvironmentPostProcessor().postProcessEnvironment(environment, new SpringApplication());

        assertThat(environment.getProperty("AI_SERVICE_API_KEY")).isEqualTo("from-file");
    }

    @Test
    void theEnvironmentWinsOverTheFile(@TempDir Path dir) {
        MockEnvironment environment = new MockEnvironment().withProperty("DATA_DIR", dir.toString())
                .withProperty("AI_SERVICE_API_KEY", "from-env");

        new LocalSecretsEnvironmentPostProcessor().postProcessEnvironment(environment, new SpringApplication());

        assertThat(environment.getProperty("AI_SERVICE_API_KEY")).isEqualTo("from-env");
        assertThat(dir.resolve(LocalSecrets.FILE_NAME)).doesNotExist();
    }

    @Test
    void productionNeverFallsBackToTheFile(@TempDir Path dir) {
        MockEnvironment environment = new MockEnvironment().withProperty("DATA_DIR", dir.toString())
                .withProperty("APP_MODE", "production");

        assertThatThrownBy(() -> new LocalSecretsEnvironmentPostProcessor()
                .postProcessEnvironment(environment, new SpringApplication()))
                .hasMessage("AI_SERVICE_API_KEY is required when APP_MODE=production");
        assertThat(dir.resolve(LocalSecrets.FILE_NAME)).doesNotExist();
    }

    @Test
    void localModeBindsLoopbackUnlessTold(@TempDir Path dir) {
        MockEnvironment local = new MockEnvironment().withProperty("DATA_DIR", dir.toString())
                .withProperty("AI_SERVICE_API_KEY", "from-env");
        new LocalSecretsEnvironmentPostProcessor().postProcessEnvironment(local, new SpringApplication());
        assertThat(local.getProperty("server.address")).isEqualTo("127.0.0.1");

        MockEnvironment told = new MockEnvironment().withProperty("DATA_DIR", dir.toString())
                .withProperty("AI_SERVICE_API_KEY", "from-env").withProperty("AI_SERVICE_HOST", "0.0.0.0");
        new LocalSecretsEnvironmentPostProcessor().postProcessEnvironment(told, new SpringApplication());
        assertThat(told.getProperty("server.address")).isEqualTo("0.0.0.0");

        MockEnvironment production = new MockEnvironment().withProperty("APP_MODE", "production")
                .withProperty("AI_SERVICE_API_KEY", StartupCheckTests.STRONG);
        new LocalSecretsEnvironmentPostProcessor().postProcessEnvironment(production, new SpringApplication());
        assertThat(production.getProperty("server.address")).isNull();
    }

    @Test
    void productionRefusesAWeakKeyHoweverTheContextStarts() {
        MockEnvironment environment = new MockEnvironment().withProperty("APP_MODE", "production")
                .withProperty("AI_SERVICE_API_KEY", "change-me");

        assertThatThrownBy(() -> new LocalSecretsEnvironmentPostProcessor()
                .postProcessEnvironment(environment, new SpringApplication()))
                .hasMessageStartingWith("AI_SERVICE_API_KEY is a placeholder");
    }
}
