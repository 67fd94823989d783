package dev.streamchat.gateway.browser;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.openqa.selenium.logging.LogEntry;

import dev.streamchat.gateway.testing.AiReply;

/**
 * The page works under its Content-Security-Policy: it signs in, connects the socket (another port), streams an
 * answer and draws the quota bar, and the browser reports no CSP violation.
 */
class ContentSecurityPolicyIT extends BrowserTestBase {

    @Test
    void thePageWorksUnderItsPolicyWithoutViolations() {
        stack.ai().onQuestion("Is the policy tight?", AiReply.tokens("Tight ", "and ", "working.").every(Duration.ofMillis(50)));
        Browser browser = signedIn("csp", "free");
        browser.ask("Is the policy tight?");
        await().atMost(Browser.WAIT).until(browser::lastAnswerFinished);
        assertThat(browser.lastAnswerText()).isEqualTo("Tight and working.");
        // The quota bar's width is set through the CSSOM (a style="" attribute would be blocked by the policy).
        await().atMost(Browser.WAIT).until(() -> "25%".equals(browser.script(
                "const bar = document.querySelector('.quota-fill'); return bar ? bar.style.width : '';")));

        List<String> violations = browser.driver().manage().logs().get("browser").getAll().stream()
                .map(LogEntry::getMessage)
                .filter(message -> message.contains("Content Security Policy") || message.contains("Content-Security-Policy"))
                .toList();
        assertThat(violations).isEmpty();
    }
}
