package dev.streamchat.gateway.browser;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;

import dev.streamchat.gateway.testing.AiReply;

/** Every tab of a user gets every event: a second tab on the same conversation watches the answer stream in. */
class SameUserTabsIT extends BrowserTestBase {

    /**
     * Records, in the page, every distinct text the second answer shows while it grows: sampling it over
     * WebDriver missed states on a busy machine (each round trip can take longer than a token's 80 ms).
     */
    private static final String RECORD_ANSWER_STATES = "window.__answerStates = [];"
            + " new MutationObserver(() => {"
            + "   const answers = document.querySelectorAll('.msg-assistant .answer-content');"
            + "   const states = window.__answerStates;"
            + "   const text = answers.length === 2 ? answers[1].textContent : '';"
            + "   if (text && !text.includes('Thinking') && states[states.length - 1] !== text) states.push(text);"
            + " }).observe(document.getElementById('messages'), {childList: true, subtree: true, characterData: true});";

    @Test
    void secondTabOnTheSameSessionShowsTheAnswerLive() {
        String user = newUserId("twotabs");
        Browser asking = newBrowser();
        asking.signIn(stack.pageUrl(), user, "pro");
        asking.ask("Start the conversation");
        await().atMost(Browser.WAIT).until(() -> asking.lastAnswerFinished() && asking.onSessionUrl());
        String sessionUrl = asking.driver().getCurrentUrl();

        Browser watching = newBrowser();
        watching.signIn(stack.pageUrlByIp(), user, "pro");
        watching.open(sessionUrl.replace("localhost", "127.0.0.1"));
        await().atMost(Browser.WAIT).until(() -> watching.count(".msg-assistant") == 1 && "connected".equals(watching.connectionState()));

        String question = "Second question, watched from another tab";
        AiReply reply = AiReply.text("Both tabs see this answer grow word by word.", 3).every(Duration.ofMillis(80));
        stack.ai().onQuestion(question, reply);
        watching.script(RECORD_ANSWER_STATES);
        asking.ask(question);

        await().atMost(Browser.WAIT).until(() -> watching.count(".msg-assistant") == 2 && watching.lastAnswerFinished()
                && watching.lastAnswerText().equals(reply.fullText()));
        List<?> seen = (List<?>) watching.script("return window.__answerStates");
        assertThat(seen).as("partial states seen in the watching tab").hasSizeGreaterThanOrEqualTo(3);
        // One read: the watching tab re-renders the session from the server once the answer is complete.
        assertThat(watching.script("return document.querySelectorAll('.msg-user .bubble')[1]?.textContent"))
                .isEqualTo(question);
        await().atMost(Browser.WAIT).until(asking::lastAnswerFinished);
        assertThat(asking.lastAnswerText()).isEqualTo(reply.fullText());
    }
}
