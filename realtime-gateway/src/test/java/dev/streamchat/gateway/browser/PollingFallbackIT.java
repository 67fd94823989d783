package dev.streamchat.gateway.browser;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.streamchat.gateway.testing.AiReply;

/**
 * Where the WebSocket handshake fails (old proxies), the page falls back to HTTP long-polling across ports, with
 * the cookie (CORS with credentials), and still streams answers.
 */
class PollingFallbackIT extends BrowserTestBase {

    /** A WebSocket whose handshake always fails, as behind a proxy that refuses the upgrade. */
    private static final String BLOCKED_WEBSOCKET = """
            window.__websocketAttempts = 0;
            class BlockedWebSocket extends EventTarget {
              constructor(url) {
                super();
                window.__websocketAttempts++;
                this.url = url;
                this.readyState = 0;
                setTimeout(() => {
                  this.readyState = 3;
                  const error = new Event('error');
                  if (this.onerror) this.onerror(error);
                  this.dispatchEvent(error);
                  const close = new CloseEvent('close', { code: 1006 });
                  if (this.onclose) this.onclose(close);
                  this.dispatchEvent(close);
                }, 5);
              }
              send() {}
              close() {}
            }
            BlockedWebSocket.CONNECTING = 0; BlockedWebSocket.OPEN = 1; BlockedWebSocket.CLOSING = 2; BlockedWebSocket.CLOSED = 3;
            window.WebSocket = BlockedWebSocket;
            """;

    @Test
    void answersStreamOverLongPollingWhenTheWebSocketHandshakeFails() {
        Browser browser = newBrowser();
        browser.driver().executeCdpCommand("Page.addScriptToEvaluateOnNewDocument",
                Map.of("source", BLOCKED_WEBSOCKET));
        String question = "Stream to me without websockets";
        AiReply reply = AiReply.text("Long polling carries this answer too.", 4).every(Duration.ofMillis(20));
        stack.ai().onQuestion(question, reply);

        browser.signIn(stack.pageUrl(), newUserId("polling"), "pro");
        assertThat(browser.script("return window.__websocketAttempts > 0")).isEqualTo(true);
        browser.ask(question);

        await().atMost(Browser.WAIT).until(browser::lastAnswerFinished);
        assertThat(browser.lastAnswerText()).isEqualTo(reply.fullText());
    }
}
