package dev.streamchat.gateway.chat;

import java.util.Locale;

import dev.streamchat.gateway.stream.AiRequest;

/**
 * How a question is to be answered (contract section 6): {@code model}, an id of {@code GET /api/v1/models} or null
 * for the deployment's default, and {@code mode}, {@code deep_research} or null for an ordinary answer. Read from
 * the optional {@code model} and {@code mode} of {@code /chat/new}, {@code /chat/stream} and {@code /retry}; whether
 * the model is offered is checked later, against the ai-service's list.
 */
record AnswerChoice(String model, String mode) {

    static final AnswerChoice DEFAULT = new AnswerChoice(null, null);

    /** The seed's spelling of Deep Research: a message that starts with it (any case). */
    static final String DEEP_RESEARCH_PREFIX = "[DEEP RESEARCH]";

    private static final int MODEL_MAX = 200;

    /**
     * The choice in a request body; a {@code model} or {@code mode} of the wrong type or value is 400. A message
     * starting with {@code [DEEP RESEARCH]} asks for Deep Research too (the ai-service strips the prefix).
     *
     * @param message the question, or null when the body has none (a retry)
     */
    static AnswerChoice from(JsonBody body, String message) {
        String model = body.optionalString("model");
        if (model != null && (model.isBlank() || model.length() > MODEL_MAX)) {
            throw JsonBody.badRequest("'model' must be an id from GET /api/v1/models.");
        }
        String mode = body.optionalString("mode");
        if (mode != null && !mode.equals(AiRequest.DEEP_RESEARCH) && !mode.equals("answer")) {
            throw JsonBody.badRequest("'mode' must be \"deep_research\" or \"answer\".");
        }
        boolean deepResearch = AiRequest.DEEP_RESEARCH.equals(mode)
                || message != null && message.stripLeading().toUpperCase(Locale.ROOT).startsWith(DEEP_RESEARCH_PREFIX);
        return new AnswerChoice(model, deepResearch ? AiRequest.DEEP_RESEARCH : null);
    }
}
