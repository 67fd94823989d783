package dev.streamchat.gateway.chat;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

import dev.streamchat.gateway.stream.AiRequest.HistoryMessage;

/** The history window sent to the ai-service: the last N messages, trimmed to the character budget. */
class HistoryWindowTests {

    private static List<HistoryMessage> conversation(int messages, int charsEach) {
        return IntStream.range(0, messages)
                .mapToObj(i -> new HistoryMessage(i % 2 == 0 ? "user" : "assistant", Integer.toString(i % 10).repeat(charsEach)))
                .toList();
    }

    @Test
    void keepsTheLastMessagesInOrder() {
        List<HistoryMessage> window = HistoryWindow.of(conversation(30, 10), 20, 32000);
        assertThat(window).hasSize(20);
        assertThat(window.get(0).content()).startsWith("0"); // message 10
        assertThat(window.get(19).content()).startsWith("9"); // message 29
        assertThat(window.get(19).role()).isEqualTo("assistant");
    }

    @Test
    void dropsTheOldestUntilTheTotalFitsTheBudget() {
        List<HistoryMessage> window = HistoryWindow.of(conversation(20, 5000), 20, 32000);
        assertThat(window).hasSize(6);
        assertThat(window.stream().mapToInt(m -> m.content().length()).sum()).isLessThanOrEqualTo(32000);
        assertThat(window.get(5).content()).startsWith("9");
    }

    @Test
    void cutsASingleOverlongNewestMessageToTheBudget() {
        List<HistoryMessage> window = HistoryWindow.of(List.of(new HistoryMessage("user", "x".repeat(40000))), 20, 32000);
        assertThat(window).hasSize(1);
        assertThat(window.get(0).content()).hasSize(32000);
    }

    @Test
    void anEmptyConversationGivesAnEmptyWindow() {
        assertThat(HistoryWindow.of(List.of(), 20, 32000)).isEmpty();
    }
}
