package dev.streamchat.ai.chat;

/** One message of {@code chat_history}: {@code role} is {@code user} or {@code assistant}. */
public record ChatTurn(String role, String content) {

    public boolean isUser() {
        return "user".equals(role);
    }
}
