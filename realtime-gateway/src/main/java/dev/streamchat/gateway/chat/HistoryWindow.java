package dev.streamchat.gateway.chat;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

import dev.streamchat.gateway.stream.AiRequest.HistoryMessage;

/**
 * The history sent to the ai-service: the last {@code CHAT_HISTORY_MESSAGES} messages, trimmed from the
 * oldest so that the total content fits {@code AI_MAX_HISTORY_CHARS} (the ai-service answers 400 above it).
 * When even the newest message alone is too long, its beginning is kept up to the limit.
 */
final class HistoryWindow {

    private HistoryWindow() {
    }

    static List<HistoryMessage> of(List<HistoryMessage> messages, int maxMessages, int maxChars) {
        Deque<HistoryMessage> kept = new ArrayDeque<>();
        int used = 0;
        int from = Math.max(0, messages.size() - maxMessages);
        for (int i = messages.size() - 1; i >= from; i--) {
            HistoryMessage message = messages.get(i);
            int length = message.content().length();
            if (used + length <= maxChars) {
                kept.addFirst(message);
                used += length;
                continue;
            }
            if (kept.isEmpty() && maxChars - used > 0) {
                int end = maxChars - used;
                if (Character.isHighSurrogate(message.content().charAt(end - 1))) {
                    end--;
                }
                kept.addFirst(new HistoryMessage(message.role(), message.content().substring(0, end)));
            }
            break;
        }
        return List.copyOf(kept);
    }
}
