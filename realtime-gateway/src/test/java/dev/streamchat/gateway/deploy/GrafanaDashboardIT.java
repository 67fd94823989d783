package dev.streamchat.gateway.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.Test;
import org.springframework.test.context.TestPropertySource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

import dev.streamchat.gateway.config.TestBackends;
import dev.streamchat.gateway.testing.GatewayStackTest;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

/**
 * {@code infra/deploy/grafana/streamchat.json} is a dashboard whose every query names metrics that a running gateway
 * really exports: one chat is streamed (so the per-outcome series exist), then each metric name of each expression
 * is looked up in the gateway's Prometheus scrape.
 */
// One Spring context for AuthRestIT, RestPathMatrixIT, OpenApiDocsIT and GrafanaDashboardIT: keep these identical.
@TestPropertySource(properties = "gateway.auth.allowed-origins=" + TestBackends.ALLOWED_ORIGIN)
class GrafanaDashboardIT extends GatewayStackTest {

    private static final Path DASHBOARD = Path.of("..", "infra", "deploy", "grafana", "streamchat.json");
    private static final Pattern METRIC = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)\\{");
    @Autowired
    PrometheusMeterRegistry prometheus;

    @Test
    void everyQueryNamesMetricsTheGatewayExports() throws Exception {
        JsonNode dashboard = new ObjectMapper().readTree(Files.readString(DASHBOARD));
        assertThat(dashboard.get("uid").asText()).isNotBlank();
        Set<String> queried = new TreeSet<>();
        for (JsonNode panel : dashboard.get("panels")) {
            assertThat(panel.get("targets")).as(panel.get("title").asText()).isNotEmpty();
            for (JsonNode target : panel.get("targets")) {
                queried.addAll(metricNames(target.get("expr").asText()));
            }
        }
        for (JsonNode variable : dashboard.at("/templating/list")) {
            if (variable.has("query") && variable.get("query").isTextual()) {
                queried.addAll(metricNames(variable.get("query").asText()));
            }
        }
        assertThat(queried).as("metrics the dashboard queries").contains("chat_stream_duration_seconds_count",
                "chat_stream_first_token_seconds_bucket", "chat_stream_tokens_relayed_total", "gateway_socket_connections",
                "lettuce_command_completion_seconds_sum", "mongodb_driver_commands_seconds_sum");

        streamOneChat();
        await("a finished stream in the scrape").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                .until(() -> prometheus.scrape().contains("chat_stream_duration_seconds_count{"));

        Set<String> exported = prometheus.scrape().lines().filter(line -> !line.startsWith("#") && !line.isBlank())
                .map(line -> line.split("[{ ]", 2)[0]).collect(Collectors.toCollection(TreeSet::new));
        assertThat(exported).as("exported by the running gateway").containsAll(queried);
        assertThat(prometheus.scrape()).contains("outcome=\"complete\"").contains("application=\"realtime-gateway\"");
    }

    private void streamOneChat() {
        WebTestClient http = WebTestClient.bindToServer().baseUrl("http://127.0.0.1:" + port)
                .responseTimeout(Duration.ofSeconds(30)).build();
        // A fresh context on a loaded machine may answer 503 ("try again shortly") until it reaches MongoDB.
        java.util.concurrent.atomic.AtomicReference<Map<String, Object>> login = new java.util.concurrent.atomic.AtomicReference<>();
        await("dev-login").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250)).until(() -> {
            var result = http.post().uri("/api/v1/auth/dev-login").contentType(MediaType.APPLICATION_JSON)
                    .bodyValue(Map.of("userId", "grafana", "plan", "pro")).exchange().expectBody(Map.class).returnResult();
            @SuppressWarnings("unchecked")
            Map<String, Object> body = result.getStatus().value() == 200 ? result.getResponseBody() : null;
            login.set(body);
            return body != null;
        });
        // 503 is "unavailable, retry": a loaded machine can be slow to reach Redis, MongoDB or the fake ai-service.
        await("chat/new accepted").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).until(() ->
                http.post().uri("/api/v1/chat/new").header("Authorization", "Bearer " + login.get().get("token"))
                        .contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("message", "metrics please"))
                        .exchange().returnResult(Void.class).getStatus().value() == 202);
    }

    private static Set<String> metricNames(String expr) {
        return METRIC.matcher(expr).results().map(m -> m.group(1)).collect(Collectors.toSet());
    }
}
