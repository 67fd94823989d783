package dev.streamchat.gateway.browser;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;

/** Signing in and out, and the sessions sidebar: newest first, URL per session, new, rename, delete, more on scroll. */
class SessionsIT extends BrowserTestBase {

    @Test
    void staysSignedInAcrossReloadsAndSignsOut() {
        String user = newUserId("keeper");
        Browser browser = newBrowser();
        browser.signIn(stack.pageUrlByIp(), user, "free");
        assertThat(browser.text("#user-name")).isEqualTo(user);

        browser.driver().navigate().refresh();
        browser.waitFor(By.id("composer-input"));
        assertThat(browser.text("#user-name")).isEqualTo(user);

        browser.driver().findElement(By.id("logout")).click();
        browser.waitFor(By.id("login-name"));
        browser.driver().navigate().refresh();
        browser.waitFor(By.id("login-name"));
        assertThat(browser.count("#composer-input")).isZero();
    }

    @Test
    void sessionsAreListedNewestFirstAndCanBeOpenedRenamedAndDeleted() {
        Browser browser = signedIn("sessions", "pro");
        browser.ask("First conversation");
        await().atMost(Browser.WAIT).until(() -> browser.lastAnswerFinished() && browser.onSessionUrl());
        String firstUrl = browser.driver().getCurrentUrl();

        browser.driver().findElement(By.id("new-chat")).click();
        await().atMost(Browser.WAIT).until(() -> browser.count(".msg-user") == 0);
        browser.ask("Second conversation");
        await().atMost(Browser.WAIT).until(() -> browser.lastAnswerFinished() && browser.onSessionUrl()
                && !firstUrl.equals(browser.driver().getCurrentUrl()));

        browser.driver().navigate().refresh();
        await().atMost(Browser.WAIT).until(() -> browser.count(".session-item") == 2);
        assertThat(titles(browser)).containsExactly("Second conversation", "First conversation");

        browser.driver().findElements(By.cssSelector(".session-link")).get(1).click();
        await().atMost(Browser.WAIT).until(() -> firstUrl.equals(browser.driver().getCurrentUrl())
                && "First conversation".equals(browser.text(".msg-user .bubble")));

        WebElement item = browser.driver().findElements(By.cssSelector(".session-item")).get(1);
        new org.openqa.selenium.interactions.Actions(browser.driver()).moveToElement(item).perform();
        item.findElement(By.cssSelector(".session-rename")).click();
        WebElement input = browser.waitFor(By.cssSelector(".session-rename-input"));
        input.sendKeys(Keys.chord(Keys.CONTROL, "a"), "Renamed conversation", Keys.ENTER);
        await().atMost(Browser.WAIT).until(() -> titles(browser).contains("Renamed conversation"));
        browser.driver().navigate().refresh();
        // The sidebar and the open session load separately after a reload: wait for both.
        await().atMost(Browser.WAIT).until(() -> titles(browser).contains("Renamed conversation")
                && "Renamed conversation".equals(browser.text("#chat-title")));

        browser.script("window.confirm = () => true");
        WebElement renamed = browser.driver().findElement(By.cssSelector(".session-item.active"));
        new org.openqa.selenium.interactions.Actions(browser.driver()).moveToElement(renamed).perform();
        renamed.findElement(By.cssSelector(".session-delete")).click();
        await().atMost(Browser.WAIT).until(() -> browser.count(".session-item") == 1);
        assertThat(browser.driver().getCurrentUrl()).doesNotContain("#/s/");
        browser.driver().navigate().refresh();
        await().atMost(Browser.WAIT).until(() -> titles(browser).equals(List.of("Second conversation")));
    }

    @Test
    void moreSessionsLoadWhenTheListIsScrolled() {
        Browser browser = signedIn("scroller", "pro");
        int total = 25;
        // Through the page's own REST client, to keep the test fast; one at a time so updatedAt follows the numbers.
        Object made = browser.script("const make = async (n) => {"
                + " const r = await fetch('/api/v1/chat/new', {method: 'POST', headers: {'Content-Type': 'application/json'},"
                + "   body: JSON.stringify({message: 'Conversation ' + String(n).padStart(2, '0')})});"
                + " if (r.status !== 202) throw new Error('status ' + r.status);"
                + " for (let i = 0; i < 200; i++) {"
                + "   const active = await (await fetch('/api/v1/chat/streams/active')).json();"
                + "   if (active.length === 0) return;"
                + "   await new Promise(res => setTimeout(res, 25)); }"
                + " throw new Error('stream did not end'); };"
                + " return (async () => { for (let n = 1; n <= arguments[0]; n++) await make(n); return 'made'; })()", total);
        assertThat(made).isEqualTo("made");

        browser.driver().navigate().refresh();
        await().atMost(Browser.WAIT).until(() -> browser.count(".session-item") >= 20);
        assertThat(titles(browser).get(0)).isEqualTo("Conversation 25");
        browser.script("const s = document.querySelector('.sessions'); s.scrollTop = s.scrollHeight; s.dispatchEvent(new Event('scroll'))");
        await().atMost(Browser.WAIT).until(() -> browser.count(".session-item") == total);
        assertThat(titles(browser).get(total - 1)).isEqualTo("Conversation 01");
    }

    @SuppressWarnings("unchecked")
    private static List<String> titles(Browser browser) {
        return (List<String>) browser.script("return [...document.querySelectorAll('.session-item .session-title')].map(e => e.textContent)");
    }
}
