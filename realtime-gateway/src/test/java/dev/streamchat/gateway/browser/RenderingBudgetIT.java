package dev.streamchat.gateway.browser;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import org.junit.jupiter.api.Test;

import dev.streamchat.gateway.testing.AiReply;

/**
 * A fast stream must not cause one re-render per token: the page touches the DOM at most once per animation
 * frame. Measured in the page with a MutationObserver (one callback per task that changed the DOM) against
 * a requestAnimationFrame counter over the same time.
 */
class RenderingBudgetIT extends BrowserTestBase {

    private static final int TOKENS = 600;

    @Test
    void tokensAreAppliedAtMostOncePerAnimationFrame() {
        String question = "Stream as fast as you can";
        stack.ai().onQuestion(question, AiReply.text("ab ".repeat(TOKENS), 3));
        Browser browser = signedIn("budget", "pro");
        browser.script("window.__frames = 0; (function tick() { window.__frames++; requestAnimationFrame(tick); })();"
                + " window.__mutations = 0;"
                + " new MutationObserver(() => window.__mutations++).observe(document.getElementById('messages'),"
                + "   {childList: true, subtree: true, characterData: true});");

        browser.ask(question);
        await().atMost(Browser.WAIT).until(browser::lastAnswerFinished);

        assertThat(browser.lastAnswerText()).isEqualTo("ab ".repeat(TOKENS).trim());
        long frames = ((Number) browser.script("return window.__frames")).longValue();
        long mutations = ((Number) browser.script("return window.__mutations")).longValue();
        // A handful of DOM changes are not token renders: the question, the thinking indicator, the final answer.
        assertThat(mutations).as("DOM update batches (%d frames elapsed)", frames).isLessThanOrEqualTo(frames + 6);
        assertThat(mutations).isLessThan(TOKENS / 4);
    }
}
