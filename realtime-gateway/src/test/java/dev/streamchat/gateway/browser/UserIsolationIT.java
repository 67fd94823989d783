package dev.streamchat.gateway.browser;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import dev.streamchat.gateway.testing.AiReply;

/**
 * Two people at once, one on {@code localhost} and one on {@code 127.0.0.1} (page and socket on different
 * ports in both): each sees only their own answer and sessions, at every moment of the streams.
 */
class UserIsolationIT extends BrowserTestBase {

    @Test
    void twoUsersNeverSeeEachOthersText() {
        stack.ai().onQuestion("Alice asks", AiReply.text("ALPHA-SECRET answer for alice only. ".repeat(4), 4).every(Duration.ofMillis(15)));
        stack.ai().onQuestion("Bob asks", AiReply.text("BRAVO-SECRET answer for bob only. ".repeat(4), 4).every(Duration.ofMillis(15)));
        Browser alice = newBrowser();
        alice.signIn(stack.pageUrl(), newUserId("alice"), "pro");
        Browser bob = newBrowser();
        bob.signIn(stack.pageUrlByIp(), newUserId("bob"), "pro");

        alice.ask("Alice asks");
        bob.ask("Bob asks");

        await().atMost(Browser.WAIT).pollInterval(Duration.ofMillis(30)).until(() -> {
            String alicePage = pageText(alice);
            String bobPage = pageText(bob);
            assertThat(alicePage).doesNotContain("BRAVO").doesNotContain("Bob asks");
            assertThat(bobPage).doesNotContain("ALPHA").doesNotContain("Alice asks");
            return alice.lastAnswerFinished() && bob.lastAnswerFinished();
        });
        assertThat(alice.lastAnswerText()).isEqualTo("ALPHA-SECRET answer for alice only. ".repeat(4).trim());
        assertThat(bob.lastAnswerText()).isEqualTo("BRAVO-SECRET answer for bob only. ".repeat(4).trim());
        assertThat(alice.count(".session-item")).isEqualTo(1);
        assertThat(bob.count(".session-item")).isEqualTo(1);
        assertThat(alice.text(".session-item .session-title")).isEqualTo("Alice asks");
        assertThat(bob.text(".session-item .session-title")).isEqualTo("Bob asks");
    }

    private static String pageText(Browser browser) {
        return (String) browser.script("return document.body.textContent");
    }

    @Test
    void signingOutClosesTheConnectionSoTheNextUserOfTheWindowSeesNothingOfTheFirst() {
        String first = newUserId("first");
        stack.ai().onQuestion("First user's private question", AiReply.text("CHARLIE-SECRET for the first user only.", 4)
                .every(Duration.ofMillis(20)));
        Browser shared = newBrowser();
        shared.signIn(stack.pageUrl(), first, "pro");
        shared.driver().findElement(org.openqa.selenium.By.id("logout")).click();
        shared.waitFor(org.openqa.selenium.By.id("login-name"));
        shared.signIn(stack.pageUrl(), newUserId("second"), "pro");

        Browser firstAgain = newBrowser();
        firstAgain.signIn(stack.pageUrlByIp(), first, "pro");
        firstAgain.ask("First user's private question");
        await().atMost(Browser.WAIT).pollInterval(Duration.ofMillis(30)).until(() -> {
            assertThat(pageText(shared)).doesNotContain("CHARLIE").doesNotContain("private question");
            return firstAgain.lastAnswerFinished();
        });
        assertThat(firstAgain.lastAnswerText()).isEqualTo("CHARLIE-SECRET for the first user only.");
        assertThat(pageText(shared)).doesNotContain("CHARLIE");
        assertThat(shared.count(".session-item")).isZero();
    }
}
