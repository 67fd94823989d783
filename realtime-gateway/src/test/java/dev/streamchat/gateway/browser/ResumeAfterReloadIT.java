package dev.streamchat.gateway.browser;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

import org.junit.jupiter.api.Test;

import dev.streamchat.gateway.testing.AiReply;

/** A reload in the middle of an answer finds the running stream and finishes it with no gap and no duplicate. */
class ResumeAfterReloadIT extends BrowserTestBase {

    @Test
    void reloadMidAnswerResumesWithoutGapOrDuplicate() {
        String question = "Count for me, then reload";
        List<String> tokens = new ArrayList<>();
        for (int i = 1; i <= 40; i++) {
            tokens.add("n" + i + " ");
        }
        CountDownLatch release = new CountDownLatch(1);
        AiReply reply = AiReply.tokens(tokens.toArray(String[]::new)).every(Duration.ofMillis(50)).holdingAfter(30, release);
        String firstThirty = String.join("", tokens.subList(0, 30));
        stack.ai().onQuestion(question, reply);
        Browser browser = signedIn("reloader", "pro");

        browser.ask(question);
        await().atMost(Browser.WAIT).until(() -> browser.lastAnswerText().contains("n8 "));
        String sessionUrl = browser.driver().getCurrentUrl();
        assertThat(sessionUrl).contains("#/s/");

        // Tokens keep coming while the page reloads: the page must get the missed ones back (chat-resume).
        browser.driver().navigate().refresh();
        await().atMost(Browser.WAIT).pollInterval(Duration.ofMillis(20)).until(() -> {
            String text = browser.lastAnswerText();
            assertThat(firstThirty).as("every state after the reload is a prefix of the answer").startsWith(text.isEmpty() || text.contains("Thinking") ? "" : text);
            return text.equals(firstThirty.trim());
        });
        release.countDown();

        await().atMost(Browser.WAIT).until(browser::lastAnswerFinished);
        assertThat(browser.lastAnswerText().trim()).isEqualTo(reply.fullText().trim());
        assertThat(browser.driver().getCurrentUrl()).isEqualTo(sessionUrl);
        assertThat(browser.count(".msg-user")).isEqualTo(1);
        assertThat(browser.count(".msg-assistant")).isEqualTo(1);
    }
}
