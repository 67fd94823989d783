package dev.streamchat.gateway.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;

import org.bson.Document;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.TestPropertySource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.data.mongodb.core.ReactiveMongoTemplate;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseCookie;
import org.springframework.test.web.reactive.server.WebTestClient;

import dev.streamchat.gateway.config.TestBackends;
import dev.streamchat.gateway.testing.GatewayStackTest;

/** The auth REST surface of contract section 2 against the whole gateway: dev-login, me, logout, 401/403, CSRF, config. */
// One Spring context for AuthRestIT, RestPathMatrixIT, OpenApiDocsIT and GrafanaDashboardIT: keep these identical.
@TestPropertySource(properties = "gateway.auth.allowed-origins=" + TestBackends.ALLOWED_ORIGIN)
class AuthRestIT extends GatewayStackTest {

    private static final String FOREIGN_ORIGIN = "http://evil.example";

    @Autowired
    JwtTokens tokens;

    @Autowired
    ReactiveMongoTemplate mongo;

    WebTestClient http;

    @BeforeEach
    void client() {
        http = WebTestClient.bindToServer().baseUrl("http://localhost:" + port).responseTimeout(Duration.ofSeconds(10)).build();
    }

    @Test
    void devLoginIssuesTokenAndCookieAndStoresTheUser() {
        var result = http.post().uri("/api/v1/auth/dev-login").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("userId", "alice.dev", "plan", "pro"))
                .exchange()
                .expectStatus().isOk()
                .expectBody(Map.class).returnResult();
        String token = (String) result.getResponseBody().get("token");
        assertThat(tokens.verify(token)).contains(new AuthenticatedUser("alice.dev", "pro"));
        String setCookie = result.getResponseHeaders().getFirst(HttpHeaders.SET_COOKIE);
        assertThat(setCookie).startsWith("token=" + token + ";").contains("Path=/").contains("HttpOnly")
                .contains("SameSite=Lax").contains("Max-Age=86400").doesNotContain("Secure");

        Document stored = mongo.findById("alice.dev", Document.class, "users").block(Duration.ofSeconds(5));
        assertThat(stored).isNotNull();
        assertThat(stored.getString("plan")).isEqualTo("pro");
        assertThat(stored.get("chatRequestCount")).isEqualTo(0);
        assertThat(stored.get("periodStart")).isInstanceOf(java.util.Date.class);
    }

    @Test
    void devLoginChangesThePlanButKeepsTheCounter() {
        login("bob", "free");
        mongo.getCollection("users").flatMap(c -> reactor.core.publisher.Mono.from(
                c.updateOne(new Document("_id", "bob"), new Document("$set", new Document("chatRequestCount", 7)))))
                .block(Duration.ofSeconds(5));
        String token = login("bob", "pro");
        Document stored = mongo.findById("bob", Document.class, "users").block(Duration.ofSeconds(5));
        assertThat(stored.getString("plan")).isEqualTo("pro");
        assertThat(stored.get("chatRequestCount")).isEqualTo(7);
        http.get().uri("/api/v1/auth/me").header(HttpHeaders.AUTHORIZATION, "Bearer " + token).exchange()
                .expectStatus().isOk()
                .expectBody().jsonPath("$.userId").isEqualTo("bob").jsonPath("$.plan").isEqualTo("pro");
    }

    @Test
    void meReportsTheStoredPlanOverTheTokenClaim() {
        String token = login("carol", "free");
        mongo.getCollection("users").flatMap(c -> reactor.core.publisher.Mono.from(
                c.updateOne(new Document("_id", "carol"), new Document("$set", new Document("plan", "pro")))))
                .block(Duration.ofSeconds(5));
        http.get().uri("/api/v1/auth/me").cookie("token", token).exchange()
                .expectStatus().isOk()
                .expectBody().jsonPath("$.userId").isEqualTo("carol").jsonPath("$.plan").isEqualTo("pro");
    }

    @Test
    void meFallsBackToTheClaimForAUserWithoutDocument() {
        String token = tokens.issue("nodoc", "pro");
        http.get().uri("/api/v1/auth/me").header(HttpHeaders.AUTHORIZATION, "Bearer " + token).exchange()
                .expectStatus().isOk()
                .expectBody().jsonPath("$.plan").isEqualTo("pro");
    }

    @Test
    void devLoginRejectsBadInput() {
        for (Object body : new Object[] {Map.of("userId", "bad id!", "plan", "free"), Map.of("userId", "ok", "plan", "gold"),
                Map.of("userId", 5, "plan", "free"), Map.of("plan", "free"), "x".repeat(65)}) {
            http.post().uri("/api/v1/auth/dev-login").contentType(MediaType.APPLICATION_JSON)
                    .bodyValue(body instanceof String s ? Map.of("userId", s, "plan", "free") : body)
                    .exchange()
                    .expectStatus().isBadRequest()
                    .expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)
                    .expectBody().jsonPath("$.code").isEqualTo("bad_request");
        }
        http.post().uri("/api/v1/auth/dev-login").contentType(MediaType.APPLICATION_JSON).bodyValue("{not json")
                .exchange()
                .expectStatus().isBadRequest()
                .expectBody().jsonPath("$.code").isEqualTo("bad_request");
    }

    @Test
    void protectedCallsNeedAValidToken() {
        String expired = new JwtTokens(TestBackends.JWT_SECRET, Duration.ofSeconds(-60), java.time.Clock.systemUTC())
                .issue("dave", "free");
        String forged = new JwtTokens("another-secret-another-secret-another-secret", Duration.ofHours(1),
                java.time.Clock.systemUTC()).issue("dave", "free");
        http.get().uri("/api/v1/auth/me").exchange()
                .expectStatus().isUnauthorized()
                .expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody().jsonPath("$.code").isEqualTo("unauthorized");
        for (String bad : new String[] {expired, forged, "garbage"}) {
            http.get().uri("/api/v1/auth/me").header(HttpHeaders.AUTHORIZATION, "Bearer " + bad).exchange()
                    .expectStatus().isUnauthorized().expectBody().jsonPath("$.code").isEqualTo("unauthorized");
            http.get().uri("/api/v1/auth/me").cookie("token", bad).exchange()
                    .expectStatus().isUnauthorized().expectBody().jsonPath("$.code").isEqualTo("unauthorized");
        }
    }

    @Test
    void aBearerHeaderWinsOverTheCookie() {
        String good = tokens.issue("erin", "free");
        http.get().uri("/api/v1/auth/me").header(HttpHeaders.AUTHORIZATION, "Bearer garbage").cookie("token", good)
                .exchange().expectStatus().isUnauthorized();
        http.get().uri("/api/v1/auth/me").header(HttpHeaders.AUTHORIZATION, "Bearer " + good).cookie("token", "garbage")
                .exchange().expectStatus().isOk().expectBody().jsonPath("$.userId").isEqualTo("erin");
    }

    @Test
    void cookieAuthenticatedChangesNeedAnAllowedOrigin() {
        String token = tokens.issue("frank", "free");
        http.post().uri("/api/v1/auth/logout").cookie("token", token).exchange()
                .expectStatus().isForbidden()
                .expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody().jsonPath("$.code").isEqualTo("forbidden");
        http.post().uri("/api/v1/auth/logout").cookie("token", token).header(HttpHeaders.ORIGIN, FOREIGN_ORIGIN).exchange()
                .expectStatus().isForbidden();
        // Reads are not state-changing: no Origin needed.
        http.get().uri("/api/v1/auth/me").cookie("token", token).exchange().expectStatus().isOk();
        http.post().uri("/api/v1/auth/logout").cookie("token", token).header(HttpHeaders.ORIGIN, TestBackends.ALLOWED_ORIGIN)
                .exchange().expectStatus().isNoContent();
        String bearer = tokens.issue("frank", "pro");
        http.post().uri("/api/v1/auth/logout").header(HttpHeaders.AUTHORIZATION, "Bearer " + bearer).exchange()
                .expectStatus().isNoContent();
        // Logout revoked each token it was called with (docs/security.md, "Sign-out").
        http.get().uri("/api/v1/auth/me").cookie("token", token).exchange().expectStatus().isUnauthorized();
        http.get().uri("/api/v1/auth/me").header(HttpHeaders.AUTHORIZATION, "Bearer " + bearer).exchange()
                .expectStatus().isUnauthorized();
    }

    @Test
    void unauthorizedIsDecidedBeforeForbidden() {
        http.post().uri("/api/v1/auth/logout").cookie("token", "garbage").header(HttpHeaders.ORIGIN, FOREIGN_ORIGIN)
                .exchange().expectStatus().isUnauthorized().expectBody().jsonPath("$.code").isEqualTo("unauthorized");
        http.post().uri("/api/v1/auth/logout").header(HttpHeaders.ORIGIN, FOREIGN_ORIGIN)
                .exchange().expectStatus().isUnauthorized();
    }

    @Test
    void devLoginIsExemptFromTheCsrfRule() {
        String other = tokens.issue("gina", "free");
        http.post().uri("/api/v1/auth/dev-login").cookie("token", other).header(HttpHeaders.ORIGIN, FOREIGN_ORIGIN)
                .contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("userId", "gina", "plan", "free"))
                .exchange().expectStatus().isOk();
    }

    @Test
    void logoutClearsTheCookie() {
        String token = tokens.issue("hank", "free");
        var result = http.post().uri("/api/v1/auth/logout").header(HttpHeaders.AUTHORIZATION, "Bearer " + token)
                .exchange().expectStatus().isNoContent().expectBody().isEmpty();
        ResponseCookie cleared = result.getResponseCookies().getFirst("token");
        assertThat(cleared).isNotNull();
        assertThat(cleared.getValue()).isEmpty();
        assertThat(cleared.getMaxAge()).isEqualTo(Duration.ZERO);
        assertThat(cleared.getPath()).isEqualTo("/");
        assertThat(cleared.isHttpOnly()).isTrue();
    }

    @Test
    void configNamesTheSocketServerOnTheRequestHost() {
        http.get().uri("/api/v1/config").exchange()
                .expectStatus().isOk()
                .expectBody().jsonPath("$.socketUrl").isEqualTo("http://localhost:" + socketPort);
    }

    @Test
    void publicPathsNeedNoToken() {
        http.get().uri("/api/v1/config").exchange().expectStatus().isOk();
        http.get().uri("/actuator/health").exchange().expectStatus().value(status -> assertThat(status).isNotEqualTo(401));
    }

    private String login(String userId, String plan) {
        return (String) http.post().uri("/api/v1/auth/dev-login").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("userId", userId, "plan", plan))
                .exchange().expectStatus().isOk()
                .expectBody(Map.class).returnResult().getResponseBody().get("token");
    }
}
