package dev.streamchat.gateway.browser;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;

import dev.streamchat.gateway.testing.AiReply;

/** Sign in, ask, watch the answer grow, see its sources; the session shows in the URL and the sidebar. */
class AskAndStreamIT extends BrowserTestBase {

    @Test
    void answerGrowsThroughSeveralStatesThenShowsCitationsLinkedToSources() {
        String question = "How does streaming help readers?";
        AiReply reply = AiReply.tokens("Streaming ", "keeps ", "readers ", "engaged ", "[1]", ". ", "Tokens ", "arrive ",
                        "as ", "they ", "are ", "made ", "[2]", ".")
                .every(Duration.ofMillis(120))
                .citing(AiReply.citation(1, "Streaming guide", 3, "Readers stay when words appear at once."))
                .citing(AiReply.citation(2, "Tokens explained", 7, "A token is a few characters."));
        stack.ai().onQuestion(question, reply);
        Browser browser = signedIn("asker", "free");

        browser.ask(question);

        List<String> states = new ArrayList<>();
        await().atMost(Browser.WAIT).pollInterval(Duration.ofMillis(25)).until(() -> {
            String text = browser.lastAnswerText();
            if (!text.isEmpty() && (states.isEmpty() || !states.get(states.size() - 1).equals(text))) {
                states.add(text);
            }
            return browser.lastAnswerFinished() && browser.count(".msg-assistant .source") == 2 && browser.onSessionUrl();
        });
        String finalText = "Streaming keeps readers engaged 1. Tokens arrive as they are made 2.";
        assertThat(browser.lastAnswerText()).isEqualTo(finalText);
        List<String> intermediate = states.stream().filter(s -> !s.equals(finalText) && !s.contains("Thinking")).toList();
        assertThat(intermediate).as("distinct partial answers seen before completion: %s", states).hasSizeGreaterThanOrEqualTo(3);
        for (int i = 1; i < intermediate.size(); i++) {
            assertThat(intermediate.get(i).length()).isGreaterThan(intermediate.get(i - 1).length());
        }

        assertThat(browser.count(".msg-assistant .answer-content button.cite[data-cite='1']")).isEqualTo(1);
        assertThat(browser.text(".msg-assistant .source[data-source='1'] .source-title")).isEqualTo("Streaming guide");
        assertThat(browser.text(".msg-assistant .source[data-source='1'] .source-page")).isEqualTo("p. 3");
        assertThat(browser.text(".msg-assistant .source[data-source='2'] .source-quote")).isEqualTo("A token is a few characters.");

        String url = browser.driver().getCurrentUrl();
        assertThat(url).matches(".*#/s/[^/]+$");
        String sessionId = url.substring(url.indexOf("#/s/") + 4);
        assertThat(browser.count(".session-item.active[data-session-id='" + sessionId + "']")).isEqualTo(1);
        assertThat(browser.text(".session-item.active .session-title")).isEqualTo(question);
    }

    @Test
    void thinkingIndicatorShowsUntilTheFirstTokenAndTheRegionIsLive() throws Exception {
        String question = "Tell me slowly";
        java.util.concurrent.CountDownLatch firstToken = new java.util.concurrent.CountDownLatch(1);
        stack.ai().onQuestion(question, AiReply.tokens("Now ", "here.").holdingAfter(0, firstToken));
        Browser browser = signedIn("thinker", "pro");

        browser.ask(question);

        browser.waitFor(By.cssSelector(".msg-assistant .thinking"));
        assertThat(browser.driver().findElement(By.id("messages")).getDomAttribute("aria-live")).isEqualTo("polite");
        assertThat(browser.driver().findElement(By.id("stop-btn")).isDisplayed()).isTrue();
        firstToken.countDown();
        await().atMost(Browser.WAIT).until(browser::lastAnswerFinished);
        assertThat(browser.lastAnswerText()).isEqualTo("Now here.");
        assertThat(browser.driver().findElement(By.id("send-btn")).isDisplayed()).isTrue();
    }

    /**
     * A short answer can end on the socket before the page has read the 202 that names the new conversation (the two
     * travel on different connections). The page holds that 202 here until the answer has finished: it must still
     * leave the composer ready (Send, not Stop) and name the session once the 202 arrives.
     */
    @Test
    void aFirstAnswerThatEndsBeforeItsAcceptedAnswerLeavesThePageReadyForTheNext() {
        String question = "Quick one before the answer to the POST";
        stack.ai().onQuestion(question, AiReply.tokens("Done ", "already."));
        stack.ai().onQuestion("And the next one?", AiReply.tokens("Next ", "answer."));
        Browser browser = signedIn("early-end", "pro");
        browser.script("""
                const send = window.fetch;
                window.__held = [];
                window.fetch = async (...args) => {
                  const response = await send(...args);
                  if (String(args[0]).endsWith('/chat/new') && window.__held !== null) {
                    await new Promise((release) => window.__held.push(release));
                  }
                  return response;
                };""");

        browser.ask(question);
        await().atMost(Browser.WAIT).until(() -> browser.lastAnswerFinished()
                && browser.lastAnswerText().equals("Done already.")
                && ((Number) browser.script("return window.__held.length")).intValue() == 1);
        browser.script("const held = window.__held; window.__held = null; held.forEach((release) => release());");

        await().atMost(Browser.WAIT).until(() -> browser.driver().getCurrentUrl().matches(".*#/s/[^/]+$"));
        await().atMost(Browser.WAIT).until(() -> Boolean.TRUE.equals(browser.script(
                "return !document.getElementById('send-btn').hidden && document.getElementById('stop-btn').hidden")));
        browser.ask("And the next one?");
        await().atMost(Browser.WAIT).until(() -> browser.lastAnswerFinished()
                && browser.lastAnswerText().equals("Next answer."));
        assertThat(browser.count(".msg-assistant")).isEqualTo(2);
    }
}
