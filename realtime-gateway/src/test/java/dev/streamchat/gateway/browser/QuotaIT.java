package dev.streamchat.gateway.browser;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;

/** The free-tier quota shows used / limit and its reset date, and a clear message replaces a refused send. */
class QuotaIT extends BrowserTestBase {

    private static final int LIMIT = GatewayStack.FREE_TIER_LIMIT;

    @Test
    void quotaCountsEachCompletedAnswerThenExplainsWhenToComeBack() {
        Browser browser = signedIn("quota", "free");
        await().atMost(Browser.WAIT).until(() -> ("0 / " + LIMIT).equals(browser.text("#quota-count")));
        assertThat(browser.text("#quota-reset")).startsWith("Resets ");

        for (int used = 1; used <= LIMIT; used++) {
            browser.ask("Question number " + used);
            int expected = used;
            await().atMost(Browser.WAIT).until(() -> browser.lastAnswerFinished()
                    && (expected + " / " + LIMIT).equals(browser.text("#quota-count")));
        }

        String refused = "One question too many";
        browser.ask(refused);
        browser.waitFor(By.cssSelector("#notice[data-kind='quota']"));
        assertThat(browser.text("#notice .notice-text"))
                .contains("free answers this month")
                .contains("You can ask again on");
        assertThat(browser.composerText()).isEqualTo(refused);
        assertThat(browser.count(".msg-user")).isEqualTo(LIMIT);
        assertThat(browser.text("#quota-count")).isEqualTo(LIMIT + " / " + LIMIT);
    }

    @Test
    void rateLimitShowsWhenToTryAgainInsteadOfAFailedSend() {
        Browser browser = signedIn("hasty", "pro");
        // A pro user's answers are neither limited nor counted: the badge says so instead of a count.
        await().atMost(Browser.WAIT).until(() -> "unlimited".equals(browser.text("#quota-count")));
        String question = "Am I too fast?";
        // Empty the per-minute bucket through the page's own REST client (each call starts a short answer), then
        // send from the composer. The first 429s are too_many_streams (the per-user stream cap is checked after the
        // rate limit): keep going past them. The bucket gets a token back every 2 s, so the send waits for a refusal
        // whose Retry-After is 2 (rounded up: more than a second to the next token), which leaves the click a whole
        // second to reach the gateway; right after a refill it could otherwise take the new token and be answered.
        Object sent = browser.script("const q = arguments[0]; return (async () => {"
                + " for (let i = 0; i < 1000; i++) {"
                + "   const r = await fetch('/api/v1/chat/new', {method: 'POST', headers: {'Content-Type': 'application/json'},"
                + "     body: JSON.stringify({message: 'burst ' + i})});"
                + "   if (r.status === 429 && (await r.json()).code === 'rate_limited'"
                + "       && r.headers.get('Retry-After') === '2') {"
                + "     document.getElementById('composer-input').value = q;"
                + "     document.getElementById('send-btn').click();"
                + "     return 'sent after ' + i; } }"
                + " return 'never limited'; })()", question);
        assertThat(String.valueOf(sent)).startsWith("sent after");

        browser.waitFor(By.cssSelector("#notice[data-kind='rate']"));
        assertThat(browser.text("#notice .notice-text")).matches("You are sending questions too quickly\\. Try again in \\d+ s\\.");
        assertThat(browser.composerText()).isEqualTo(question);
        assertThat(browser.count(".msg-user")).isZero();
    }
}
