package dev.streamchat.ai.model;

import java.util.ArrayList;
import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.langchain4j.model.openai.OpenAiStreamingChatModel;
import dev.streamchat.ai.model.local.LocalStreamingChatModel;
import reactor.core.scheduler.Schedulers;

/**
 * Creates the {@link ModelCatalog} of this process from {@code AI_MODELS} / {@code AI_DEFAULT_MODEL} (by default the
 * one provider of {@code AI_PROVIDER}), and exposes its default model as the {@link ChatProvider} bean.
 */
@Configuration(proxyBeanMethods = false)
class ModelConfiguration {

    private static final Logger log = LoggerFactory.getLogger(ModelConfiguration.class);

    @Bean
    ModelCatalog modelCatalog(ModelProperties properties,
            @Value("${ai.local.tokens-per-second:30}") double localTokensPerSecond) {
        List<ModelId> offered = properties.offeredModels();
        List<ChatProvider> providers = new ArrayList<>(offered.size());
        for (ModelId id : offered) {
            providers.add(switch (id.provider()) {
                case OPENAI -> openAi(properties.openai(), id.model(), properties.modelsListed()
                        ? "AI_MODELS offers " + id.id() : "AI_PROVIDER=openai");
                case LOCAL -> new ChatProvider(Provider.LOCAL, new LocalStreamingChatModel(localTokensPerSecond), 0);
                case SYNTHETIC -> new ChatProvider(Provider.SYNTHETIC, new SyntheticStreamingChatModel(
                        properties.synthetic().tokens(), properties.synthetic().tokensPerSecond(),
                        properties.synthetic().failAfterTokens(), Schedulers.parallel(),
                        properties.synthetic().stampTokens() ? SyntheticStreamingChatModel::wallClockMicros : null),
                        properties.synthetic().tokens());
            });
        }
        ModelCatalog catalog = new ModelCatalog(providers, properties.defaultModelId(offered));
        log.info("models offered={} default={}{}", providers.stream().map(ChatProvider::id).toList(),
                catalog.defaultModel().id(), offered.stream().anyMatch(id -> id.provider() == Provider.OPENAI)
                        ? " openaiBaseUrl=" + properties.openai().baseUrl() : "");
        return catalog;
    }

    /** The model a request without {@code model} gets. */
    @Bean
    ChatProvider chatProvider(ModelCatalog catalog) {
        return catalog.defaultModel();
    }

    static ChatProvider openAi(ModelProperties.OpenAi openAi) {
        return openAi(openAi, openAi.model(), "AI_PROVIDER=openai");
    }

    /** One client per offered model name, all against the same OpenAI-compatible {@code OPENAI_BASE_URL}. */
    static ChatProvider openAi(ModelProperties.OpenAi openAi, String modelName, String requiredBecause) {
        if (!openAi.hasApiKey()) {
            throw new IllegalStateException("OPENAI_API_KEY is required when " + requiredBecause);
        }
        OpenAiStreamingChatModel model = OpenAiStreamingChatModel.builder()
                .httpClientBuilder(new CancellableHttpClientBuilder())
                .baseUrl(openAi.baseUrl())
                .apiKey(openAi.apiKey())
                .modelName(modelName)
                .maxTokens(openAi.maxTokens())
                .timeout(openAi.responseTimeout())
                .build();
        return new ChatProvider(Provider.OPENAI, model, openAi.maxTokens(), modelName);
    }
}
