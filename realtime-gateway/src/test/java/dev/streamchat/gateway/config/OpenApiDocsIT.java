package dev.streamchat.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.Test;
import org.springframework.test.context.TestPropertySource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.web.method.HandlerMethod;
import org.springframework.web.reactive.result.method.RequestMappingInfo;
import org.springframework.web.reactive.result.method.annotation.RequestMappingHandlerMapping;

import dev.streamchat.gateway.testing.GatewayStackTest;

/**
 * {@code GET /v3/api-docs} is public and lists exactly the REST routes the running gateway serves under
 * {@code /api/v1} (read from its handler mappings), with every method.
 */
@GatewayStackTest.BlockingCallsNotChecked("springdoc builds the document on its first request on the event loop and "
        + "reads class files to do it (ClassPathScanningCandidateComponentProvider via OpenAPIService.getApiDefClass)")
// One Spring context for AuthRestIT, RestPathMatrixIT, OpenApiDocsIT and GrafanaDashboardIT: keep these identical.
@TestPropertySource(properties = "gateway.auth.allowed-origins=" + TestBackends.ALLOWED_ORIGIN)
class OpenApiDocsIT extends GatewayStackTest {

    @Autowired
    @org.springframework.beans.factory.annotation.Qualifier("requestMappingHandlerMapping")
    RequestMappingHandlerMapping mappings;

    @Test
    void theDocumentListsEveryRestRouteTheAppServes() throws Exception {
        byte[] body = WebTestClient.bindToServer().baseUrl("http://127.0.0.1:" + port).responseTimeout(Duration.ofSeconds(30))
                .build().get().uri("/v3/api-docs").exchange()
                .expectStatus().isOk().expectBody().returnResult().getResponseBody();
        JsonNode doc = new ObjectMapper().readTree(body);
        assertThat(doc.get("openapi").asText()).startsWith("3.");

        Set<String> documented = new LinkedHashSet<>();
        doc.get("paths").properties().forEach(path -> path.getValue().properties()
                .forEach(op -> documented.add(op.getKey().toUpperCase(Locale.ROOT) + " " + path.getKey())));

        Set<String> served = new LinkedHashSet<>();
        for (Map.Entry<RequestMappingInfo, HandlerMethod> entry : mappings.getHandlerMethods().entrySet()) {
            for (var pattern : entry.getKey().getPatternsCondition().getPatterns()) {
                if (!pattern.getPatternString().startsWith("/api/v1/")) {
                    continue;
                }
                entry.getKey().getMethodsCondition().getMethods()
                        .forEach(method -> served.add(method.name() + " " + pattern.getPatternString()));
            }
        }
        assertThat(served).as("routes the app serves").contains("POST /api/v1/chat/new", "GET /api/v1/chat/sessions",
                "POST /api/v1/chat/stream", "GET /api/v1/chat/streams/{streamId}/events");
        assertThat(documented).as("routes in /v3/api-docs").containsAll(served);
        assertThat(documented.stream().filter(r -> r.contains(" /api/v1/")).toList())
                .as("nothing documented that the app does not serve").containsExactlyInAnyOrderElementsOf(served);
        assertThat(doc.at("/components/securitySchemes/bearer/scheme").asText()).isEqualTo("bearer");
    }
}
