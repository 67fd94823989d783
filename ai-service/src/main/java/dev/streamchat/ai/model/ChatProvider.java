package dev.streamchat.ai.model;

import dev.langchain4j.model.chat.StreamingChatModel;

/**
 * One model this process can answer with: a provider, the LangChain4j model that calls it and, for OpenAI-compatible
 * providers, the model name sent with each request.
 *
 * @param maxOutputTokens the completion budget the model is configured with (what a token reservation adds to the
 *                        prompt estimate)
 * @param modelName       the provider's model name ({@code gpt-4o}); null for the local and synthetic providers, which
 *                        have no choice of model
 */
public record ChatProvider(Provider provider, StreamingChatModel model, int maxOutputTokens, String modelName) {

    public ChatProvider(Provider provider, StreamingChatModel model, int maxOutputTokens) {
        this(provider, model, maxOutputTokens, null);
    }

    /** Only OpenAI calls are metered against the shared tokens-per-minute budget (CONTRACT.md section 5). */
    public boolean reservesTokens() {
        return provider == Provider.OPENAI;
    }

    /** The id a request names this model by, as {@code GET /api/v1/models} lists it: {@code openai:gpt-4o}, {@code local}. */
    public String id() {
        return ModelId.format(provider, modelName);
    }
}
