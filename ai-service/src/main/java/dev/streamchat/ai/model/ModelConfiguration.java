package dev.streamchat.ai.model;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.langchain4j.model.openai.OpenAiStreamingChatModel;
import dev.streamchat.ai.model.local.LocalStreamingChatModel;
import reactor.core.scheduler.Schedulers;

/** Creates the one {@link ChatProvider} of this process from {@code AI_PROVIDER} and the provider's settings. */
@Configuration(proxyBeanMethods = false)
class ModelConfiguration {

    private static final Logger log = LoggerFactory.getLogger(ModelConfiguration.class);

    @Bean
    ChatProvider chatProvider(ModelProperties properties,
            @Value("${ai.local.tokens-per-second:30}") double localTokensPerSecond) {
        Provider provider = properties.resolvedProvider();
        ChatProvider chosen = switch (provider) {
            case OPENAI -> openAi(properties.openai());
            case LOCAL -> new ChatProvider(Provider.LOCAL,
                    new LocalStreamingChatModel(localTokensPerSecond), 0);
            case SYNTHETIC -> new ChatProvider(Provider.SYNTHETIC, new SyntheticStreamingChatModel(
                    properties.synthetic().tokens(), properties.synthetic().tokensPerSecond(),
                    properties.synthetic().failAfterTokens(), Schedulers.parallel()), properties.synthetic().tokens());
        };
        log.info("model provider {}{}", provider.wireName(),
                provider == Provider.OPENAI ? " model=" + properties.openai().model() + " baseUrl=" + properties.openai().baseUrl() : "");
        return chosen;
    }

    static ChatProvider openAi(ModelProperties.OpenAi openAi) {
        if (!openAi.hasApiKey()) {
            throw new IllegalStateException("OPENAI_API_KEY is required when AI_PROVIDER=openai");
        }
        OpenAiStreamingChatModel model = OpenAiStreamingChatModel.builder()
                .httpClientBuilder(new CancellableHttpClientBuilder())
                .baseUrl(openAi.baseUrl())
                .apiKey(openAi.apiKey())
                .modelName(openAi.model())
                .maxTokens(openAi.maxTokens())
                .timeout(openAi.responseTimeout())
                .build();
        return new ChatProvider(Provider.OPENAI, model, openAi.maxTokens());
    }
}
