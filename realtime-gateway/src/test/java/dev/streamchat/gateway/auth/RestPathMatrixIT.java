package dev.streamchat.gateway.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.springframework.test.context.TestPropertySource;
import org.springframework.beans.factory.annotation.Autowired;

import dev.streamchat.gateway.config.RawHttp;
import dev.streamchat.gateway.config.TestBackends;
import dev.streamchat.gateway.testing.GatewayStackTest;

/**
 * Deny by default, decided on the path the router uses: every spelling of a protected path (encoded letters,
 * {@code ;} parameters, {@code //}, {@code /./}, {@code %2F}, a trailing slash, case, HEAD/OPTIONS) needs a token,
 * and every state-changing spelling authenticated by the cookie needs an allowed Origin. Raw HTTP, so no client
 * library normalises the paths first.
 */
// One Spring context for AuthRestIT, RestPathMatrixIT, OpenApiDocsIT and GrafanaDashboardIT: keep these identical.
@TestPropertySource(properties = "gateway.auth.allowed-origins=" + TestBackends.ALLOWED_ORIGIN)
class RestPathMatrixIT extends GatewayStackTest {

    private static final List<String> PROTECTED_SPELLINGS = List.of(
            "/api/v1/auth/me", "/api;x/v1/auth/me", "/api;x=1/v1/auth/me", "/api/v1;x/auth/me", "/api/v1/auth/me;x",
            "/api/v1/auth;jsessionid=1/me", "/%61pi/v1/auth/me", "/api/v1/auth/%6De", "/%61%70%69/v1/auth/me",
            "//api/v1/auth/me", "/api//v1/auth/me", "/./api/v1/auth/me", "/api/./v1/auth/me", "/api/v1/../v1/auth/me",
            "/api%2Fv1/auth/me", "/api%2fv1%2fauth%2fme", "/api/v1/auth/me/", "/API/v1/auth/me", "/Api/V1/Auth/Me",
            "/api/v1/chat/sessions", "/api;/v1/chat/sessions", "/%61pi/v1/quota", "/api/v1/quota;a=b",
            "/api/v1/documents", "/api/v1/chat/streams/active", "/api/v1", "/api/v1/", "/api", "/actuator/prometheus",
            "/actuator/env", "/actuator;x/prometheus", "/%61ctuator/prometheus", "/actuator",
            "/api/v1/config/", "/api/v1/config;x/..", "/API/v1/config", "/api/v1/auth/dev-login/x", "/no/such/path",
            "/index.html/x", "/js/../api/v1/quota", "/api/v1/auth/me?x=/api/v1/config");

    private static final List<String> LOGOUT_SPELLINGS = List.of(
            "/api/v1/auth/logout", "/api;x/v1/auth/logout", "/api;x=1/v1/auth/logout", "/api/v1/auth/logout;x",
            "/%61pi/v1/auth/logout", "/api/v1/auth/%6Cogout", "//api/v1/auth/logout", "/api/./v1/auth/logout",
            "/api/v1/auth/logout/", "/API/v1/auth/logout", "/api%2Fv1/auth/logout");

    @Autowired
    JwtTokens tokens;

    @Test
    void everySpellingOfAProtectedPathNeedsAToken() {
        for (String method : List.of("GET", "HEAD", "OPTIONS", "POST", "DELETE", "PATCH", "PUT", "post", "FOO")) {
            for (String path : PROTECTED_SPELLINGS) {
                RawHttp.Response response = RawHttp.send(port, method, path, List.of(), "POST".equals(method) ? "{}" : null);
                assertThat(response.status()).as(method + " " + path).isEqualTo(401);
                assertThat(response.headers("set-cookie")).as(method + " " + path).isEmpty();
                if (!"HEAD".equals(method)) {
                    assertThat(response.body()).as(method + " " + path).contains("\"code\":\"unauthorized\"");
                }
            }
        }
    }

    @Test
    void everySpellingTheRouterAcceptsWorksWithAToken() {
        String bearer = "Authorization: Bearer " + tokens.issue("matrix-reader", "free");
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30))
                .until(() -> RawHttp.send(port, "GET", "/api/v1/auth/me", List.of(bearer), null).status() == 200);
        for (String path : List.of("/api/v1/auth/me", "/api;x/v1/auth/me", "/%61pi/v1/auth/me", "/api/v1/auth/%6De",
                "/api/v1;x/auth/me", "/api/v1/auth/me;x")) {
            RawHttp.Response response = RawHttp.send(port, "GET", path, List.of(bearer), null);
            assertThat(response.status()).as(path).isEqualTo(200);
            assertThat(response.body()).as(path).contains("\"userId\":\"matrix-reader\"");
        }
        // Spellings the router does not match are a clean problem+json, never a 500 or an HTML page.
        for (String path : PROTECTED_SPELLINGS) {
            RawHttp.Response response = RawHttp.send(port, "GET", path, List.of(bearer), null);
            // (503: /api/v1/documents forwards to an ai-service this test does not run.)
            assertThat(response.status()).as(path).isIn(200, 400, 404, 405, 503);
            if (response.status() != 200) {
                assertThat(response.header("content-type")).as(path).startsWith("application/problem+json");
            }
        }
    }

    @Test
    void cookieChangesNeedAnAllowedOriginWhateverTheSpelling() {
        String cookie = "Cookie: token=" + tokens.issue("matrix-writer", "free");
        for (String path : LOGOUT_SPELLINGS) {
            for (List<String> origin : List.of(List.<String>of(), List.of("Origin: http://evil.example"),
                    List.of("Origin: null"))) {
                List<String> headers = new java.util.ArrayList<>(origin);
                headers.add(cookie);
                for (String method : List.of("POST", "post", "PUT", "DELETE", "PATCH")) {
                    RawHttp.Response response = RawHttp.send(port, method, path, headers, "");
                    assertThat(response.status()).as(method + " " + path + " " + origin).isEqualTo(403);
                    assertThat(response.headers("set-cookie")).as(method + " " + path).isEmpty();
                }
            }
        }
        for (String path : List.of("/api;x/v1/chat/sessions/abc", "/%61pi/v1/chat/sessions/abc")) {
            RawHttp.Response response = RawHttp.send(port, "DELETE", path,
                    List.of(cookie, "Origin: http://evil.example"), null);
            assertThat(response.status()).as(path).isEqualTo(403);
        }
        RawHttp.Response allowed = RawHttp.send(port, "POST", "/api;x/v1/auth/logout",
                List.of(cookie, "Origin: " + TestBackends.ALLOWED_ORIGIN), "");
        assertThat(allowed.status()).isEqualTo(204);
    }

    @Test
    void localModeListensOnLoopbackOnly() throws Exception {
        java.net.InetAddress external = null;
        for (java.net.NetworkInterface nic : java.util.Collections.list(java.net.NetworkInterface.getNetworkInterfaces())) {
            if (nic.isUp() && !nic.isLoopback()) {
                for (java.net.InetAddress address : java.util.Collections.list(nic.getInetAddresses())) {
                    if (address instanceof java.net.Inet4Address) {
                        external = address;
                    }
                }
            }
        }
        org.junit.jupiter.api.Assumptions.assumeTrue(external != null, "no non-loopback interface to try");
        try (java.net.Socket socket = new java.net.Socket()) {
            socket.connect(new java.net.InetSocketAddress(external, port), 2000);
            throw new AssertionError("the REST port answers on " + external);
        } catch (java.io.IOException refused) {
            // bound to 127.0.0.1
        }
    }

    @Test
    void theAllowListNeedsNoToken() {
        assertThat(RawHttp.send(port, "GET", "/", List.of(), null).status()).isEqualTo(200);
        for (String path : List.of("/index.html", "/js/main.js", "/css/app.css", "/vendor/socket.io.esm.min.js",
                "/api/v1/config", "/%61pi/v1/config", "/api;x/v1/config", "/actuator/health")) {
            assertThat(RawHttp.send(port, "GET", path, List.of(), null).status()).as(path).isEqualTo(200);
            assertThat(RawHttp.send(port, "HEAD", path, List.of(), null).status()).as("HEAD " + path).isEqualTo(200);
        }
    }
}
