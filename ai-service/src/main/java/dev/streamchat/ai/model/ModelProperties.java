package dev.streamchat.ai.model;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The model providers' settings. {@code provider} is {@code AI_PROVIDER}; when blank it is {@code openai} if an
 * OpenAI key is set, else {@code local}. The offline provider's own settings are {@code model.local.LocalModelProperties}.
 */
@ConfigurationProperties("ai.model")
public record ModelProperties(String provider,
                              @DefaultValue OpenAi openai,
                              @DefaultValue Synthetic synthetic) {

    /** The provider in force; throws {@link IllegalStateException} for a name that is none of them. */
    public Provider resolvedProvider() {
        if (provider == null || provider.isBlank()) {
            return openai.hasApiKey() ? Provider.OPENAI : Provider.LOCAL;
        }
        Provider resolved = Provider.fromName(provider);
        if (resolved == null) {
            throw new IllegalStateException("AI_PROVIDER must be openai, local or synthetic, not '" + provider + "'");
        }
        return resolved;
    }

    /**
     * {@code OPENAI_*}: any OpenAI-compatible server (Ollama, vLLM, LM Studio, Azure-style gateways) through
     * {@code baseUrl}. {@code responseTimeout} bounds connecting and the wait for response headers only; the stream as a whole is
     * bounded by {@code ai.stream.max-duration}.
     */
    public record OpenAi(String apiKey,
                         @DefaultValue("https://api.openai.com/v1") String baseUrl,
                         @DefaultValue("gpt-4o-mini") String model,
                         @DefaultValue("1024") int maxTokens,
                         @DefaultValue("60s") Duration responseTimeout) {

        public boolean hasApiKey() {
            return apiKey != null && !apiKey.isBlank();
        }

        @Override
        public String toString() {
            return "OpenAi[apiKey=" + (hasApiKey() ? "****" : "<unset>") + ", baseUrl=" + baseUrl + ", model=" + model
                    + ", maxTokens=" + maxTokens + ", responseTimeout=" + responseTimeout + "]";
        }
    }

    /**
     * {@code SYNTHETIC_*}: the load-test model. {@code failAfterTokens} (unset = never) makes every answer fail after
     * that many tokens; it is read only by the synthetic provider.
     */
    public record Synthetic(@DefaultValue("200") int tokens,
                            @DefaultValue("100") double tokensPerSecond,
                            Integer failAfterTokens) {
    }
}
