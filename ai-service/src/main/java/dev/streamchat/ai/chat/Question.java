package dev.streamchat.ai.chat;

import java.util.List;

import dev.streamchat.ai.rag.SearchScope;
import dev.streamchat.ai.route.Route;

/**
 * A validated request: what the answer pipeline works on.
 *
 * @param route the caller's route, or null to detect it
 */
public record Question(String requestId, SearchScope scope, String query, List<ChatTurn> history, Route route) {
}
