package dev.streamchat.gateway.browser;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;

import dev.streamchat.gateway.testing.AiReply;

/** Retry makes a new version of the last answer; the reader can switch between versions and rate them. */
class RetryAndVersionsIT extends BrowserTestBase {

    @Test
    void retryAddsAVersionAndTheReaderSwitchesBetweenThem() {
        String question = "Give me two takes";
        stack.ai().onQuestion(question, AiReply.text("First take on it.", 4), AiReply.text("Second, better take.", 4));
        Browser browser = signedIn("retrier", "pro");

        browser.ask(question);
        await().atMost(Browser.WAIT).until(() -> browser.lastAnswerFinished() && browser.lastAnswerText().equals("First take on it.")
                && browser.onSessionUrl());

        browser.waitFor(By.cssSelector(".msg-assistant .retry-btn")).click();
        await().atMost(Browser.WAIT).until(() -> "2 / 2".equals(browser.text(".msg-assistant .version-label")));
        assertThat(browser.lastAnswerText()).isEqualTo("Second, better take.");
        assertThat(browser.count(".msg-user")).isEqualTo(1);

        browser.driver().findElement(By.cssSelector(".msg-assistant .version-prev")).click();
        assertThat(browser.text(".msg-assistant .version-label")).isEqualTo("1 / 2");
        assertThat(browser.lastAnswerText()).isEqualTo("First take on it.");
        browser.driver().findElement(By.cssSelector(".msg-assistant .version-next")).click();
        assertThat(browser.lastAnswerText()).isEqualTo("Second, better take.");
    }

    @Test
    void thumbsUpAndDownAreSavedAndToggle() {
        Browser browser = signedIn("rater", "pro");
        browser.ask("Rate this answer");
        await().atMost(Browser.WAIT).until(() -> browser.lastAnswerFinished() && browser.onSessionUrl());
        // A slow network for the first rating: sent at once, the second would reach the server before it. Counts the
        // ratings still on their way.
        browser.script("const send = window.fetch; let delayed = false; window.ratingsInFlight = 0;"
                + " window.fetch = (url, options) => {"
                + "   if (!String(url).endsWith('/feedback')) return send(url, options);"
                + "   window.ratingsInFlight++;"
                + "   const wait = delayed ? Promise.resolve() : new Promise(r => setTimeout(r, 600)); delayed = true;"
                + "   return wait.then(() => send(url, options)).finally(() => window.ratingsInFlight--); }");

        browser.waitFor(By.cssSelector(".msg-assistant .feedback-up")).click();
        await().atMost(Browser.WAIT).until(() -> "true".equals(
                browser.driver().findElement(By.cssSelector(".msg-assistant .feedback-up")).getDomAttribute("aria-pressed")));
        browser.driver().findElement(By.cssSelector(".msg-assistant .feedback-down")).click();
        await().atMost(Browser.WAIT).until(() -> "true".equals(
                browser.driver().findElement(By.cssSelector(".msg-assistant .feedback-down")).getDomAttribute("aria-pressed")));
        assertThat(browser.driver().findElement(By.cssSelector(".msg-assistant .feedback-up")).getDomAttribute("aria-pressed")).isEqualTo("false");

        // The last click is the one stored (the page sends an answer's ratings one after another).
        String sessionId = browser.driver().getCurrentUrl().replaceFirst(".*#/s/", "");
        await().atMost(Browser.WAIT).until(() -> Long.valueOf(0).equals(browser.script("return window.ratingsInFlight")));
        assertThat(storedRating(browser, sessionId)).isEqualTo("down");
        assertThat(browser.count(".toast-error")).isZero();
    }

    /** The assistant message's rating as the server has it now (the page's own cookie, a synchronous request). */
    private static Object storedRating(Browser browser, String sessionId) {
        return browser.script("const x = new XMLHttpRequest();"
                + " x.open('GET', '/api/v1/chat/sessions/' + encodeURIComponent(arguments[0]), false); x.send();"
                + " const m = JSON.parse(x.responseText).messages.filter(m => m.role === 'assistant').pop();"
                + " return m ? m.feedback : null", sessionId);
    }
}
