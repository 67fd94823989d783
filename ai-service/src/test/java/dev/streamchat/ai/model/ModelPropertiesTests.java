package dev.streamchat.ai.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.context.ConfigurationPropertiesAutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;

class ModelPropertiesTests {

    private final ApplicationContextRunner contexts = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(ConfigurationPropertiesAutoConfiguration.class))
            .withUserConfiguration(Bound.class, ModelConfiguration.class);

    @Configuration(proxyBeanMethods = false)
    @EnableConfigurationProperties(ModelProperties.class)
    static class Bound {
    }

    private static ModelProperties.OpenAi openAi(String key) {
        return new ModelProperties.OpenAi(key, "https://api.openai.com/v1", "gpt-4o-mini", 1024, Duration.ofSeconds(60));
    }

    @Test
    void defaultsToOpenAiWithAKeyAndToLocalWithout() {
        assertThat(new ModelProperties(null, openAi("sk"), null, null, null).resolvedProvider()).isEqualTo(Provider.OPENAI);
        assertThat(new ModelProperties("", openAi(null), null, null, null).resolvedProvider()).isEqualTo(Provider.LOCAL);
        assertThat(new ModelProperties("Synthetic", openAi("sk"), null, null, null).resolvedProvider()).isEqualTo(Provider.SYNTHETIC);
        assertThatThrownBy(() -> new ModelProperties("gemini", openAi(null), null, null, null).resolvedProvider())
                .hasMessageContaining("AI_PROVIDER");
    }

    @Test
    void neverPrintsTheKey() {
        assertThat(openAi("sk-secret").toString()).doesNotContain("sk-secret").contains("****");
    }

    @Test
    void bindsTheSyntheticProviderWithAnOptionalFailureThreshold() {
        contexts.withPropertyValues("ai.model.provider=synthetic", "ai.model.synthetic.fail-after-tokens=")
                .run(context -> {
                    ChatProvider provider = context.getBean(ChatProvider.class);
                    assertThat(provider.provider()).isEqualTo(Provider.SYNTHETIC);
                    assertThat(provider.model()).isInstanceOf(SyntheticStreamingChatModel.class);
                    assertThat(provider.reservesTokens()).isFalse();
                    assertThat(context.getBean(ModelProperties.class).synthetic().failAfterTokens()).isNull();
                    assertThat(context.getBean(ModelProperties.class).synthetic().tokens()).isEqualTo(200);
                });
    }

    @Test
    void bindsOpenAiWithItsDefaults() {
        contexts.withPropertyValues("ai.model.openai.api-key=sk-test").run(context -> {
            ChatProvider provider = context.getBean(ChatProvider.class);
            assertThat(provider.provider()).isEqualTo(Provider.OPENAI);
            assertThat(provider.reservesTokens()).isTrue();
            assertThat(provider.maxOutputTokens()).isEqualTo(1024);
            ModelProperties.OpenAi openAi = context.getBean(ModelProperties.class).openai();
            assertThat(openAi.baseUrl()).isEqualTo("https://api.openai.com/v1");
            assertThat(openAi.model()).isEqualTo("gpt-4o-mini");
        });
    }

    @Test
    void refusesOpenAiWithoutAKey() {
        contexts.withPropertyValues("ai.model.provider=openai").run(context ->
                assertThat(context).hasFailed().getFailure().hasRootCauseMessage(
                        "OPENAI_API_KEY is required when AI_PROVIDER=openai"));
    }

    @Test
    void offersTheProviderInForceAloneWhenAiModelsIsBlank() {
        contexts.run(context -> {
            ModelCatalog catalog = context.getBean(ModelCatalog.class);
            assertThat(catalog.listing()).isEqualTo(new ModelCatalog.Listing("local",
                    java.util.List.of(new ModelOption("local", "local", null))));
            assertThat(context.getBean(ChatProvider.class).id()).isEqualTo("local");
        });
        contexts.withPropertyValues("ai.model.openai.api-key=sk-test", "ai.model.openai.model=gpt-4.1").run(context ->
                assertThat(context.getBean(ModelCatalog.class).listing().models())
                        .containsExactly(new ModelOption("openai:gpt-4.1", "openai", "gpt-4.1")));
    }

    @Test
    void offersAiModelsInOrderWithTheDefaultOfTheProviderInForce() {
        contexts.withPropertyValues("ai.model.openai.api-key=sk-test", "ai.model.provider=openai",
                "ai.model.models= local , openai:gpt-4o-mini,openai:gpt-4o,openai").run(context ->
                        // "openai" alone is openai:<OPENAI_MODEL>, here listed twice
                        assertThat(context).hasFailed().getFailure().rootCause().hasMessageContaining("twice"));
        contexts.withPropertyValues("ai.model.openai.api-key=sk-test", "ai.model.provider=openai",
                "ai.model.models= local , openai:gpt-4o-mini,openai:gpt-4o").run(context -> {
                    ModelCatalog catalog = context.getBean(ModelCatalog.class);
                    assertThat(catalog.listing().defaultId()).isEqualTo("openai:gpt-4o-mini");
                    assertThat(catalog.listing().models()).extracting(ModelOption::id)
                            .containsExactly("local", "openai:gpt-4o-mini", "openai:gpt-4o");
                    ChatProvider big = catalog.find("openai:gpt-4o").orElseThrow();
                    assertThat(big.modelName()).isEqualTo("gpt-4o");
                    assertThat(big.reservesTokens()).isTrue();
                    assertThat(catalog.find("openai:gpt-5")).isEmpty();
                    assertThat(catalog.find(null)).isEmpty();
                });
        contexts.withPropertyValues("ai.model.models=local,synthetic", "ai.model.default-model=synthetic").run(context ->
                assertThat(context.getBean(ChatProvider.class).provider()).isEqualTo(Provider.SYNTHETIC));
    }

    @Test
    void refusesAModelListItCannotServeWithOneClearLine() {
        contexts.withPropertyValues("ai.model.models=local,openai:gpt-4o").run(context ->
                assertThat(context).hasFailed().getFailure().hasRootCauseMessage(
                        "OPENAI_API_KEY is required when AI_MODELS offers openai:gpt-4o"));
        contexts.withPropertyValues("ai.model.models=local,gemini:pro").run(context ->
                assertThat(context).hasFailed().getFailure().rootCause().hasMessageContaining("gemini:pro"));
        contexts.withPropertyValues("ai.model.models=local:tiny").run(context ->
                assertThat(context).hasFailed().getFailure().rootCause().hasMessageContaining("has no models"));
        contexts.withPropertyValues("ai.model.models=local", "ai.model.default-model=openai:gpt-4o").run(context ->
                assertThat(context).hasFailed().getFailure().rootCause()
                        .hasMessage("AI_DEFAULT_MODEL 'openai:gpt-4o' is not one of AI_MODELS [local]"));
    }
}
