package dev.streamchat.ai.stream;

import dev.langchain4j.model.chat.response.ChatResponse;

/** What {@link TokenStreamBridge} emits for one model call: partial texts, then one {@link Completed}. */
public sealed interface ModelOutput permits ModelOutput.Partial, ModelOutput.Completed {

    /** One partial response of the model, usually one token. */
    record Partial(String text) implements ModelOutput {
    }

    /** The model finished; {@code response} carries the provider's token usage when it reported one. */
    record Completed(ChatResponse response) implements ModelOutput {
    }
}
