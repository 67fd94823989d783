package dev.streamchat.ai.model;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * The models this deployment offers ({@code AI_MODELS}) and the one a request without {@code model} gets
 * ({@code AI_DEFAULT_MODEL}). Immutable and thread-safe.
 */
public final class ModelCatalog {

    private final Map<String, ChatProvider> byId = new LinkedHashMap<>();
    private final ChatProvider defaultModel;

    public ModelCatalog(List<ChatProvider> offered, String defaultId) {
        if (offered.isEmpty()) {
            throw new IllegalStateException("AI_MODELS lists no model");
        }
        for (ChatProvider provider : offered) {
            if (byId.putIfAbsent(provider.id(), provider) != null) {
                throw new IllegalStateException("AI_MODELS lists " + provider.id() + " twice");
            }
        }
        this.defaultModel = byId.get(defaultId);
        if (defaultModel == null) {
            throw new IllegalStateException("AI_DEFAULT_MODEL '" + defaultId + "' is not one of AI_MODELS " + byId.keySet());
        }
    }

    /** The model a request names, when this deployment offers it. */
    public Optional<ChatProvider> find(String id) {
        return Optional.ofNullable(id == null ? null : byId.get(id.strip()));
    }

    public ChatProvider defaultModel() {
        return defaultModel;
    }

    /** The body of {@code GET /api/v1/models}. */
    public Listing listing() {
        return new Listing(defaultModel.id(), byId.values().stream().map(ModelOption::of).toList());
    }

    /** {@code {"default":"local","models":[...]}} in the order of {@code AI_MODELS}. */
    @JsonPropertyOrder({"default", "models"})
    public record Listing(@com.fasterxml.jackson.annotation.JsonProperty("default") String defaultId,
                          List<ModelOption> models) {
    }
}
