package dev.streamchat.gateway.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.web.server.MockServerWebExchange;

import reactor.core.publisher.Mono;

/** The Content-Security-Policy names the Socket.IO server at the Host the page came from, whatever was cached. */
class SecurityHeadersWebFilterTests {

    private static String policyFor(SecurityHeadersWebFilter filter, String url) {
        MockServerWebExchange exchange = MockServerWebExchange.from(MockServerHttpRequest.get(url).build());
        filter.filter(exchange, ignored -> Mono.empty()).block(Duration.ofSeconds(5));
        return exchange.getResponse().getHeaders().getFirst("Content-Security-Policy");
    }

    @Test
    void namesTheSocketServerAtEachHostAlsoPastTheCachedOnes() {
        SecurityHeadersWebFilter filter = new SecurityHeadersWebFilter(8081, "");
        for (int i = 0; i < SecurityHeadersWebFilter.MAX_CACHED_POLICIES + 10; i++) {
            assertThat(policyFor(filter, "http://host" + i + ".example:8080/api/v1/config"))
                    .contains("connect-src 'self' http://host" + i + ".example:8081 ws://host" + i + ".example:8081;");
        }
        assertThat(policyFor(filter, "https://host1.example/")).contains("https://host1.example:8081 wss://host1.example:8081;");
        assertThat(policyFor(filter, "http://host1.example:8080/")).contains("http://host1.example:8081 ws://host1.example:8081;");
    }

    @Test
    void aPublicSocketUrlIsTheSameForEveryHost() {
        SecurityHeadersWebFilter filter = new SecurityHeadersWebFilter(8081, "https://chat.example.com");
        assertThat(policyFor(filter, "http://anything.example:8080/"))
                .contains("connect-src 'self' https://chat.example.com wss://chat.example.com;");
    }
}
