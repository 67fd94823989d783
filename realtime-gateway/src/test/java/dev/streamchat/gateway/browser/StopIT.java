package dev.streamchat.gateway.browser;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;

import dev.streamchat.gateway.testing.AiReply;

/** Stopping a running answer keeps the partial text, marked as stopped, with the button and with Esc. */
class StopIT extends BrowserTestBase {

    private static AiReply longReply() {
        return AiReply.text("word ".repeat(300), 5).every(Duration.ofMillis(40));
    }

    @Test
    void stopButtonKeepsThePartialAnswerMarkedStopped() {
        String question = "Write a very long essay (stop button)";
        stack.ai().onQuestion(question, longReply());
        Browser browser = signedIn("stopper", "pro");

        browser.ask(question);
        await().atMost(Browser.WAIT).until(() -> browser.lastAnswerText().length() > 20);
        browser.driver().findElement(By.id("stop-btn")).click();

        assertStoppedWithPartialText(browser);
    }

    @Test
    void escapeStopsTheAnswerToo() {
        String question = "Write a very long essay (escape key)";
        stack.ai().onQuestion(question, longReply());
        Browser browser = signedIn("escaper", "pro");

        browser.ask(question);
        await().atMost(Browser.WAIT).until(() -> browser.lastAnswerText().length() > 20);
        browser.driver().findElement(By.tagName("body")).sendKeys(Keys.ESCAPE);

        assertStoppedWithPartialText(browser);
    }

    private static void assertStoppedWithPartialText(Browser browser) {
        browser.waitFor(By.cssSelector(".msg-assistant.stopped .stopped-note"));
        String partial = browser.lastAnswerText();
        assertThat(partial).startsWith("word word").hasSizeLessThan("word ".repeat(300).trim().length());
        assertThat(browser.driver().findElement(By.id("send-btn")).isDisplayed()).isTrue();
        // The stopped reply is what the session stored: it survives a reload.
        browser.driver().navigate().refresh();
        browser.waitFor(By.cssSelector(".msg-assistant.stopped .stopped-note"));
        assertThat(browser.lastAnswerText().trim()).isEqualTo(partial.trim());
    }
}
