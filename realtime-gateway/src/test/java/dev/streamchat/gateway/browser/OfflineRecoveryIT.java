package dev.streamchat.gateway.browser;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;

import org.junit.jupiter.api.Test;

import dev.streamchat.gateway.testing.AiReply;
import dev.streamchat.gateway.testing.FakeAiService;

/** The network drops in the middle of an answer and comes back: the page says so, reconnects and finishes it. */
class OfflineRecoveryIT extends BrowserTestBase {

    @Test
    void offlineThenOnlineShowsTheStateAndFinishesTheAnswer() {
        String question = "Answer across a network drop";
        CountDownLatch release = new CountDownLatch(1);
        AiReply reply = AiReply.text("Before the drop. During the drop. After the drop, all of it.", 4)
                .every(Duration.ofMillis(20)).holdingAfter(4, release);
        stack.ai().onQuestion(question, reply);
        Browser browser = signedIn("offline", "pro");

        browser.ask(question);
        await().atMost(Browser.WAIT).until(() -> browser.lastAnswerText().startsWith("Before t"));

        browser.offline(true);
        await().atMost(Browser.WAIT).until(() -> "offline".equals(browser.connectionState()));
        release.countDown(); // the rest of the answer is produced while this page is offline

        browser.offline(false);
        await().atMost(Duration.ofSeconds(30)).until(() -> "connected".equals(browser.connectionState()));
        await().atMost(Browser.WAIT).until(browser::lastAnswerFinished);
        assertThat(browser.lastAnswerText()).isEqualTo(reply.fullText());

        browser.ask("And one more after recovery");
        await().atMost(Browser.WAIT).until(() -> browser.count(".msg-assistant") == 2 && browser.lastAnswerFinished());
        assertThat(browser.lastAnswerText())
                .isEqualTo(String.join("", FakeAiService.defaultTokens("And one more after recovery")));
    }
}
