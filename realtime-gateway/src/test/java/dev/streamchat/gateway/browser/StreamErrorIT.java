package dev.streamchat.gateway.browser;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;

import dev.streamchat.gateway.testing.AiReply;

/** A failure of the ai-service mid-answer shows a toast with Retry; the question is not lost; Retry recovers. */
class StreamErrorIT extends BrowserTestBase {

    @Test
    void upstreamFaultShowsToastWithRetryAndKeepsTheQuestion() {
        String question = "This one breaks the first time";
        stack.ai().onQuestion(question,
                AiReply.tokens("Half ", "an ").failingWith("upstream_error", "The model provider failed"),
                AiReply.text("A complete answer after the retry.", 5));
        Browser browser = signedIn("faulty", "pro");

        browser.ask(question);

        browser.waitFor(By.cssSelector(".toast-error .toast-action"));
        assertThat(browser.text(".toast-error .toast-title")).isEqualTo("The answer was interrupted");
        assertThat(browser.text(".toast-error .toast-action")).isEqualTo("Retry");
        assertThat(browser.text(".toast-error .toast-message")).isNotBlank();
        assertThat(browser.composerText()).isEqualTo(question);
        assertThat(browser.count(".msg-assistant.failed")).isEqualTo(1);

        // Retry re-asks in the failed stream's session, which the page knows once the question's POST has answered.
        await().atMost(Browser.WAIT).until(browser::onSessionUrl);
        browser.driver().findElement(By.cssSelector(".toast-error .toast-action")).click();

        await().atMost(Browser.WAIT).until(() -> browser.lastAnswerFinished()
                && browser.lastAnswerText().equals("A complete answer after the retry."));
        assertThat(browser.count(".msg-assistant.failed")).isZero();
        assertThat(browser.composerText()).isEmpty();
    }
}
