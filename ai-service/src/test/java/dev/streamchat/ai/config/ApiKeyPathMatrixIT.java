package dev.streamchat.ai.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The X-API-Key rule over real HTTP with raw request targets: every path needs the key except the health probes,
 * whatever spelling of a path the router would decode, strip or fold into an API call.
 */
class ApiKeyPathMatrixIT extends LocalServiceTest {

    private static final String QUESTION = "{\"user_id\":\"alice\",\"user_query\":\"What is a cell?\"}";

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(delimiter = ' ', value = {
            "GET /api/v1/documents?user_id=alice",
            "GET /%61pi/v1/documents?user_id=alice",
            "GET /%2561pi/v1/documents?user_id=alice",
            "GET /ap%69/v1/documents?user_id=alice",
            "GET /api%2Fv1%2Fdocuments?user_id=alice",
            "GET /api;x=1/v1/documents?user_id=alice",
            "GET /api/v1;x=1/documents;y=2?user_id=alice",
            "GET /;/api/v1/documents?user_id=alice",
            "GET //api/v1/documents?user_id=alice",
            "GET /api//v1/documents?user_id=alice",
            "GET /api/./v1/documents?user_id=alice",
            "GET /x/../api/v1/documents?user_id=alice",
            "GET /api/v1/documents/?user_id=alice",
            "GET /API/v1/documents?user_id=alice",
            "GET /Api/v1/documents?user_id=alice",
            "HEAD /api/v1/documents?user_id=alice",
            "HEAD /%61pi/v1/documents?user_id=alice",
            "OPTIONS /api/v1/documents",
            "OPTIONS /%61pi/v1/documents",
            "DELETE /%61pi/v1/documents/some-doc?user_id=alice",
            "GET /actuator/prometheus",
            "GET /actuator/info",
            "GET /actuator/metrics",
            "GET /actuator/env",
            "GET /actuator",
            "GET /%61ctuator/prometheus",
            "GET /actuator/health/../prometheus",
            "GET /actuator/health;x=1/../../prometheus",
            "GET /actuator/prometheus;x=/actuator/health",
            "GET /anything-else",
            "GET /"})
    void everyPathButTheProbesNeedsTheKey(String method, String target) throws Exception {
        RawHttp.Answer answer = RawHttp.send(port, method, target, Map.of(), null);

        assertThat(answer.status()).as("%s %s without a key", method, target).isEqualTo(401);
        if (!method.equals("HEAD")) {
            assertThat(answer.body()).contains("\"code\":\"unauthorized\"");
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "/api/v1/semantic_search_stream",
            "/%61pi/v1/semantic_search_stream",
            "/api;x=1/v1/semantic_search_stream",
            "/api/v1/semantic%5Fsearch%5Fstream",
            "/api/v1/semantic_search",
            "/%61pi/v1/semantic_search"})
    void aQuestionNeedsTheKeyWhateverItsPath(String target) throws Exception {
        RawHttp.Answer answer = RawHttp.send(port, "POST", target,
                Map.of("Content-Type", "application/json", "Accept", "text/event-stream, application/json"), QUESTION);

        assertThat(answer.status()).as("POST %s without a key", target).isEqualTo(401);
        assertThat(answer.body()).doesNotContain("\"type\":\"token\"");
    }

    @Test
    void aWrongKeyIsRefusedEverywhere() throws Exception {
        for (String target : List.of("/api/v1/documents?user_id=alice", "/%61pi/v1/documents?user_id=alice",
                "/actuator/prometheus")) {
            assertThat(RawHttp.send(port, "GET", target, Map.of("X-API-Key", KEY + "x"), null).status())
                    .as(target).isEqualTo(401);
        }
    }

    @Test
    void theHealthProbesAreOpen() throws Exception {
        for (String target : List.of("/actuator/health", "/actuator/health/liveness", "/actuator/health/readiness")) {
            RawHttp.Answer answer = RawHttp.send(port, "GET", target, Map.of(), null);
            assertThat(answer.status()).as(target).isEqualTo(200);
            assertThat(answer.body()).contains("\"status\":\"UP\"");
        }
    }

    @Test
    void theKeyOpensTheApiAndTheMetrics() throws Exception {
        Map<String, String> key = Map.of("X-API-Key", KEY);
        assertThat(RawHttp.send(port, "GET", "/api/v1/documents?user_id=alice", key, null).status()).isEqualTo(200);
        assertThat(RawHttp.send(port, "GET", "/actuator/prometheus", key, null).status()).isEqualTo(200);
    }

    @Test
    void localModeListensOnLoopbackOnly() throws Exception {
        java.net.InetAddress external = java.util.Collections.list(java.net.NetworkInterface.getNetworkInterfaces())
                .stream().filter(nic -> { try { return nic.isUp() && !nic.isLoopback(); } catch (java.io.IOException e) { return false; } })
                .flatMap(nic -> java.util.Collections.list(nic.getInetAddresses()).stream())
                .filter(address -> address instanceof java.net.Inet4Address).findFirst().orElse(null);
        org.junit.jupiter.api.Assumptions.assumeTrue(external != null, "this host has no non-loopback IPv4 address");

        try (java.net.Socket socket = new java.net.Socket()) {
            org.assertj.core.api.Assertions.assertThatThrownBy(
                    () -> socket.connect(new java.net.InetSocketAddress(external, port), 2_000))
                    .as("connecting on %s", external).isInstanceOf(java.io.IOException.class);
        }
    }
}
