package dev.streamchat.ai.model;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * One entry of {@code GET /api/v1/models} (CONTRACT.md section 6): {@code {"id":"openai:gpt-4o","provider":"openai",
 * "model":"gpt-4o"}}; {@code model} is null for {@code local} and {@code synthetic}.
 */
@JsonPropertyOrder({"id", "provider", "model"})
public record ModelOption(String id, String provider, String model) {

    static ModelOption of(ChatProvider provider) {
        return new ModelOption(provider.id(), provider.provider().wireName(), provider.modelName());
    }
}
