package dev.streamchat.gateway.model;

/**
 * One model this deployment offers (contract section 6): {@code id} is what a client sends as {@code model}
 * ({@code provider:model}, or a bare provider such as {@code local}); {@code model} is null for a bare provider.
 */
public record ModelOption(String id, String provider, String model) {

    /** The provider and model an id names, by the id's own shape ({@code openai:gpt-4o} or {@code local}). */
    public static ModelOption ofId(String id) {
        int colon = id.indexOf(':');
        if (colon < 0) {
            return new ModelOption(id, id, null);
        }
        return new ModelOption(id, id.substring(0, colon), id.substring(colon + 1));
    }
}
