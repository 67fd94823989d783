package dev.streamchat.ai.model;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Positive;
import jakarta.validation.constraints.PositiveOrZero;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * The model providers' settings. {@code provider} is {@code AI_PROVIDER}; when blank it is {@code openai} if an
 * OpenAI key is set, else {@code local}. {@code models} is {@code AI_MODELS} (comma-separated model ids; blank = the
 * provider in force alone) and {@code defaultModel} is {@code AI_DEFAULT_MODEL} (blank = the first entry of
 * {@code AI_MODELS} of the provider in force, else the first entry). The offline provider's own settings are
 * {@code model.local.LocalModelProperties}.
 */
@Validated
@ConfigurationProperties("ai.model")
public record ModelProperties(String provider,
                              @Valid @DefaultValue OpenAi openai,
                              @Valid @DefaultValue Synthetic synthetic,
                              String models,
                              String defaultModel) {

    /** The ids of {@code AI_MODELS} in order, or the provider in force alone when it is blank. */
    /** Whether {@code AI_MODELS} is set (else the provider in force is offered alone). */
    boolean modelsListed() {
        return models != null && !models.isBlank();
    }

    List<ModelId> offeredModels() {
        if (models == null || models.isBlank()) {
            Provider inForce = resolvedProvider();
            return List.of(new ModelId(inForce, inForce == Provider.OPENAI ? openai.model() : null));
        }
        List<ModelId> ids = new ArrayList<>();
        for (String entry : models.split(",")) {
            if (!entry.isBlank()) {
                ids.add(ModelId.parse(entry, openai.model()));
            }
        }
        return ids;
    }

    /** {@code AI_DEFAULT_MODEL}, else the first offered model of the provider in force, else the first offered. */
    String defaultModelId(List<ModelId> offered) {
        if (defaultModel != null && !defaultModel.isBlank()) {
            String id = defaultModel.strip();
            return id.equals(Provider.OPENAI.wireName()) ? ModelId.format(Provider.OPENAI, openai.model()) : id;
        }
        Provider inForce = provider == null || provider.isBlank() ? null : resolvedProvider();
        return offered.stream().filter(id -> id.provider() == inForce).findFirst().orElse(offered.get(0)).id();
    }

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
                         @DefaultValue("https://api.openai.com/v1")
                         @Pattern(regexp = "https?://[^\\s/]+\\S*", message = "must be an http:// or https:// URL with a host")
                         String baseUrl,
                         @DefaultValue("gpt-4o-mini") String model,
                         @DefaultValue("1024") @Positive int maxTokens,
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
     * that many tokens; {@code stampTokens} appends each token's emit time (see {@link SyntheticStreamingChatModel}).
     * Both are read only by the synthetic provider.
     */
    public record Synthetic(@DefaultValue("200") @Positive int tokens,
                            @DefaultValue("100") @Positive double tokensPerSecond,
                            @PositiveOrZero Integer failAfterTokens,
                            @DefaultValue("false") boolean stampTokens) {
    }
}
