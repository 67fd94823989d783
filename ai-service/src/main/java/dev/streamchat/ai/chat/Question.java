package dev.streamchat.ai.chat;

import java.util.List;

import dev.streamchat.ai.model.ChatProvider;
import dev.streamchat.ai.rag.SearchScope;
import dev.streamchat.ai.route.Route;

/**
 * A validated request: what the answer pipeline works on.
 *
 * @param route the caller's route, or null to detect it
 * @param model the model the request chose, or null for the deployment's default
 * @param mode  one answer, or Deep Research ({@code query} then has no {@code [DEEP RESEARCH]} prefix)
 */
public record Question(String requestId, SearchScope scope, String query, List<ChatTurn> history, Route route,
                       ChatProvider model, AnswerMode mode) {

    public Question(String requestId, SearchScope scope, String query, List<ChatTurn> history, Route route) {
        this(requestId, scope, query, history, route, null, AnswerMode.ANSWER);
    }
}
