package dev.streamchat.gateway.browser;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;

import org.junit.jupiter.api.Test;
import org.openqa.selenium.NoAlertPresentException;

import dev.streamchat.gateway.testing.AiReply;

/** Model output is rendered as safe Markdown: markup and javascript: links show as text, formatting works. */
class SafeMarkdownIT extends BrowserTestBase {

    @Test
    void htmlAndJavascriptLinksInTheAnswerShowAsText() {
        String question = "Try to inject something";
        String answer = "Look <img src=x onerror=alert(1)> here, [click me](javascript:alert(1)) and "
                + "<script>window.__xss = 1</script> but **bold** and [a real link](https://example.org/docs) work.";
        stack.ai().onQuestion(question, AiReply.text(answer, 3));
        Browser browser = signedIn("xss", "pro");

        browser.ask(question);
        await().atMost(Browser.WAIT).until(browser::lastAnswerFinished);

        assertThat(browser.lastAnswerText())
                .contains("<img src=x onerror=alert(1)>")
                .contains("[click me](javascript:alert(1))")
                .contains("<script>window.__xss = 1</script>");
        assertThat(browser.count(".answer-content img, .answer-content script")).isZero();
        assertThat(browser.count(".answer-content a[href^='javascript']")).isZero();
        assertThat(browser.count(".answer-content strong")).isEqualTo(1);
        assertThat(browser.count(".answer-content a[href='https://example.org/docs'][rel~='noopener']")).isEqualTo(1);
        assertThat(browser.script("return window.__xss === undefined")).isEqualTo(true);
        org.junit.jupiter.api.Assertions.assertThrows(NoAlertPresentException.class, () -> browser.driver().switchTo().alert());
    }

    @Test
    void unclosedCodeFenceMidStreamRendersAsAnOpenCodeBlock() {
        String question = "Show me code";
        CountDownLatch release = new CountDownLatch(1);
        stack.ai().onQuestion(question, AiReply.tokens("Here:\n\n", "```js\n", "const a = '<b>';\n", "```\n", "Done.")
                .every(Duration.ofMillis(20)).holdingAfter(3, release));
        Browser browser = signedIn("coder", "pro");

        browser.ask(question);
        await().atMost(Browser.WAIT).until(() -> browser.count(".answer-content pre.code-open code") == 1
                && browser.text(".answer-content pre code").contains("const a = '<b>';"));
        assertThat(browser.count(".answer-content b")).isZero();
        release.countDown();

        await().atMost(Browser.WAIT).until(browser::lastAnswerFinished);
        assertThat(browser.count(".answer-content pre.code-open")).isZero();
        assertThat(browser.count(".answer-content pre.code code")).isEqualTo(1);
        assertThat(browser.text(".answer-content pre code")).isEqualTo("const a = '<b>';");
        assertThat(browser.lastAnswerText()).endsWith("Done.");
    }
}
