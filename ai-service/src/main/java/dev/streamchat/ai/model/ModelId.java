package dev.streamchat.ai.model;

/**
 * A model id of {@code AI_MODELS} and of a request's {@code model}: {@code provider:model} for OpenAI-compatible
 * models ({@code openai:gpt-4o}), the bare provider name for providers without models ({@code local},
 * {@code synthetic}).
 */
record ModelId(Provider provider, String model) {

    static String format(Provider provider, String model) {
        return model == null ? provider.wireName() : provider.wireName() + ":" + model;
    }

    /**
     * Parses one entry of {@code AI_MODELS}; a bare {@code openai} means {@code openai:<OPENAI_MODEL>}.
     *
     * @throws IllegalStateException naming the entry when it is not a valid id
     */
    static ModelId parse(String entry, String defaultOpenAiModel) {
        String value = entry.strip();
        int colon = value.indexOf(':');
        Provider provider = Provider.fromName(colon < 0 ? value : value.substring(0, colon));
        String model = colon < 0 ? null : value.substring(colon + 1).strip();
        if (provider == null) {
            throw new IllegalStateException("AI_MODELS entry '" + value + "' names no provider (openai, local, synthetic)");
        }
        if (provider == Provider.OPENAI) {
            if (model == null) {
                model = defaultOpenAiModel;
            }
            if (model.isEmpty() || !model.matches("[A-Za-z0-9._/:-]{1,100}")) {
                throw new IllegalStateException("AI_MODELS entry '" + value + "' needs a model name: openai:<model>");
            }
            return new ModelId(provider, model);
        }
        if (model != null) {
            throw new IllegalStateException("AI_MODELS entry '" + value + "': the " + provider.wireName()
                    + " provider has no models, write it as '" + provider.wireName() + "'");
        }
        return new ModelId(provider, null);
    }

    String id() {
        return format(provider, model);
    }
}
