package dev.streamchat.gateway.model;

import java.util.List;

/**
 * What {@code GET /api/v1/models} answers (contract section 6): the default model's id and every model offered,
 * in the ai-service's order.
 */
public record OfferedModels(String defaultId, List<ModelOption> models) {

    /** The offered model with this id, or null. */
    public ModelOption find(String id) {
        for (ModelOption option : models) {
            if (option.id().equals(id)) {
                return option;
            }
        }
        return null;
    }
}
