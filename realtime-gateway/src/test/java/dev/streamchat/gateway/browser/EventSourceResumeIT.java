package dev.streamchat.gateway.browser;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

import dev.streamchat.gateway.testing.AiReply;
import tools.jackson.databind.json.JsonMapper;

/**
 * A browser's own {@code EventSource} on {@code GET /api/v1/chat/streams/{id}/events}: when the connection is dropped
 * mid-stream (here by a proxy in front of the gateway), the browser reconnects by itself with {@code Last-Event-ID}
 * and the page ends up with every token exactly once, in order, then the final event.
 */
class EventSourceResumeIT extends BrowserTestBase {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static String post(int port, String path, String body, String bearer) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        if (bearer != null) {
            request.header("Authorization", "Bearer " + bearer);
        }
        HttpResponse<String> response = HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(path + " " + response.body()).isBetween(200, 299);
        return response.body();
    }

    @Test
    void eventSourceReconnectsAfterTheConnectionDropsAndGetsEveryTokenOnceThenComplete() throws Exception {
        int gatewayPort = URI.create(stack.pageUrlByIp()).getPort();
        String userId = newUserId("eventsource");
        String question = "eventsource resume " + System.nanoTime();
        int total = 40;
        CountDownLatch gate = new CountDownLatch(1);
        stack.ai().onQuestion(question, AiReply.slow(IntStream.range(0, total).mapToObj(i -> "e" + i + " ").toList(),
                Duration.ofMillis(10)).holdingAfter(15, gate));
        String token = JSON.readTree(post(gatewayPort, "/api/v1/auth/dev-login",
                "{\"userId\":\"" + userId + "\",\"plan\":\"pro\"}", null)).get("token").asString();
        String streamId = JSON.readTree(post(gatewayPort, "/api/v1/chat/new",
                JSON.writeValueAsString(java.util.Map.of("message", question)), token)).get("streamId").asString();

        try (CuttableProxy proxy = new CuttableProxy(gatewayPort)) {
            Browser browser = newBrowser();
            String origin = "http://127.0.0.1:" + proxy.port();
            browser.open(origin + "/api/v1/config");
            // The same user signs in in the browser (cookie), then listens as any EventSource client would.
            browser.driver().executeAsyncScript("""
                    const done = arguments[arguments.length - 1];
                    fetch('/api/v1/auth/dev-login', {method: 'POST', headers: {'Content-Type': 'application/json'},
                          body: JSON.stringify({userId: arguments[0], plan: 'pro'})}).then(r => done(r.status));""", userId);
            browser.script("""
                    window.got = []; window.errors = 0;
                    const es = new EventSource('/api/v1/chat/streams/' + arguments[0] + '/events?afterSeq=0');
                    es.addEventListener('token', e => got.push(['token', Number(e.lastEventId), JSON.parse(e.data).token]));
                    es.addEventListener('complete', e => { got.push(['complete', 0, JSON.parse(e.data).content]); es.close(); });
                    es.addEventListener('error', e => { if (e.data) { got.push(['error', 0, e.data]); es.close(); } else { errors++; } });
                    window.es = es;""", streamId);

            await().atMost(Duration.ofSeconds(20)).until(() -> ((Number) browser.script("return got.length")).intValue() >= 15);
            proxy.cutAll(); // the server side of the connection goes away mid-stream
            gate.countDown();
            await().atMost(Duration.ofSeconds(30)).until(() -> Boolean.TRUE.equals(
                    browser.script("return got.length > 0 && got[got.length - 1][0] !== 'token'")));

            List<?> got = (List<?>) browser.script("return got");
            List<Long> seqs = got.stream().map(e -> (List<?>) e).filter(e -> "token".equals(e.get(0)))
                    .map(e -> ((Number) e.get(1)).longValue()).toList();
            assertThat(seqs).containsExactlyElementsOf(IntStream.rangeClosed(1, total).mapToObj(i -> (long) i).toList());
            List<?> last = (List<?>) got.get(got.size() - 1);
            assertThat(last.get(0)).isEqualTo("complete");
            assertThat(last.get(2)).isEqualTo(String.join("", IntStream.range(0, total).mapToObj(i -> "e" + i + " ").toList()));
            assertThat(((Number) browser.script("return errors")).intValue()).as("the drop was seen").isGreaterThanOrEqualTo(1);
            List<String> eventRequests = proxy.requests.stream().filter(r -> r.contains("GET /api/v1/chat/streams/")).toList();
            assertThat(eventRequests).hasSizeGreaterThanOrEqualTo(2);
            assertThat(eventRequests.get(eventRequests.size() - 1).toLowerCase()).contains("last-event-id: ");
        }
    }
}
