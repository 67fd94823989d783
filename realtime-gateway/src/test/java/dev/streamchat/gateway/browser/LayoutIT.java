package dev.streamchat.gateway.browser;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.openqa.selenium.By;

import dev.streamchat.gateway.testing.AiReply;

/** At phone and laptop widths nothing scrolls sideways, even with long code lines and long words. Screenshots kept. */
class LayoutIT extends BrowserTestBase {

    private static final String WIDE_ANSWER = "A long unbroken word: " + "x".repeat(180) + " [1]\n\n"
            + "```\n" + "wide_code_line(" + "argument, ".repeat(30) + ")\n```\n\n- item one\n- item two with https://example.org/" + "path/".repeat(30);

    @ParameterizedTest(name = "{0} px")
    @ValueSource(ints = {375, 1280})
    void nothingScrollsSideways(int width) {
        String question = ("Layout check at " + width + " " + "with a long question ".repeat(5)).strip();
        stack.ai().onQuestion(question, AiReply.text(WIDE_ANSWER, 12)
                .citing(AiReply.citation(1, "A source with a rather long title that needs to wrap somewhere", 12, "q".repeat(200))));
        Browser browser = newBrowser();
        browser.viewport(width, width < 600 ? 760 : 860);
        browser.open(stack.pageUrl());
        browser.waitFor(By.id("login-name"));
        assertNoHorizontalScroll(browser);
        browser.screenshot("layout-" + width + "-login");

        browser.signIn(stack.pageUrl(), newUserId("layout"), "free");
        browser.ask(question);
        await().atMost(Browser.WAIT).until(() -> browser.lastAnswerFinished() && browser.count(".source") == 1);
        assertNoHorizontalScroll(browser);
        browser.screenshot("layout-" + width + "-chat");

        if (width < 600) {
            browser.driver().findElement(By.id("menu-btn")).click();
            await().atMost(Browser.WAIT).until(() -> Boolean.TRUE.equals(browser.script(
                    "const r = document.getElementById('sidebar').getBoundingClientRect(); return r.left >= 0 && r.right <= window.innerWidth")));
            assertNoHorizontalScroll(browser);
            browser.screenshot("layout-" + width + "-sidebar");
        }
    }

    private static void assertNoHorizontalScroll(Browser browser) {
        assertThat(browser.horizontalOverflow()).allSatisfy(overflow -> assertThat(((Number) overflow).intValue()).isLessThanOrEqualTo(0));
    }

    @Test
    void enterSendsAndShiftEnterAddsALine() {
        Browser browser = signedIn("keys", "pro");
        var input = browser.waitFor(By.id("composer-input"));
        input.sendKeys("first line");
        input.sendKeys(org.openqa.selenium.Keys.chord(org.openqa.selenium.Keys.SHIFT, org.openqa.selenium.Keys.ENTER));
        input.sendKeys("second line");
        assertThat(browser.composerText()).isEqualTo("first line\nsecond line");
        assertThat(browser.count(".msg-user")).isZero();

        input.sendKeys(org.openqa.selenium.Keys.ENTER);
        await().atMost(Browser.WAIT).until(() -> browser.count(".msg-user") == 1);
        assertThat(browser.text(".msg-user .bubble")).isEqualTo("first line\nsecond line");
        assertThat(browser.composerText()).isEmpty();
    }
}
