package dev.streamchat.gateway.testing;

import java.time.Duration;
import java.util.Map;

import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

/** REST calls as a signed-in user (dev-login, then the Bearer token). */
public final class GatewayClient {

    public final WebTestClient http;

    public GatewayClient(int port) {
        http = WebTestClient.bindToServer().baseUrl("http://127.0.0.1:" + port)
                .responseTimeout(Duration.ofSeconds(30)).build();
    }

    /** Signs {@code userId} in as a pro user; the JWT. */
    public String login(String userId) {
        return login(userId, "pro");
    }

    public String login(String userId, String plan) {
        @SuppressWarnings("unchecked")
        Map<String, Object> body = http.post().uri("/api/v1/auth/dev-login").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("userId", userId, "plan", plan))
                .exchange().expectStatus().isOk()
                .expectBody(Map.class).returnResult().getResponseBody();
        return (String) body.get("token");
    }

    public WebTestClient.ResponseSpec post(String token, String uri, String json) {
        WebTestClient.RequestBodySpec spec = http.post().uri(uri)
                .header(HttpHeaders.AUTHORIZATION, "Bearer " + token)
                .contentType(MediaType.APPLICATION_JSON);
        return json == null ? spec.exchange() : spec.bodyValue(json).exchange();
    }

    public WebTestClient.ResponseSpec get(String token, String uri) {
        return http.get().uri(uri).header(HttpHeaders.AUTHORIZATION, "Bearer " + token).exchange();
    }

    public WebTestClient.ResponseSpec delete(String token, String uri) {
        return http.delete().uri(uri).header(HttpHeaders.AUTHORIZATION, "Bearer " + token).exchange();
    }

    public WebTestClient.ResponseSpec patch(String token, String uri, String json) {
        return http.patch().uri(uri).header(HttpHeaders.AUTHORIZATION, "Bearer " + token)
                .contentType(MediaType.APPLICATION_JSON).bodyValue(json).exchange();
    }

    /** POST /chat/new and the 202 body. */
    @SuppressWarnings("unchecked")
    public Map<String, Object> ask(String token, String json) {
        return post(token, "/api/v1/chat/new", json).expectStatus().isAccepted()
                .expectBody(Map.class).returnResult().getResponseBody();
    }

    /** POST /chat/new with {@code message}; the new stream's id. */
    public String startStream(String token, String message) {
        return (String) http.post().uri("/api/v1/chat/new").header(HttpHeaders.AUTHORIZATION, "Bearer " + token)
                .contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("message", message))
                .exchange().expectStatus().isAccepted()
                .expectBody(Map.class).returnResult().getResponseBody().get("streamId");
    }

    @SuppressWarnings("unchecked")
    public Map<String, Object> json(WebTestClient.ResponseSpec response, int status) {
        return response.expectStatus().isEqualTo(status).expectBody(Map.class).returnResult().getResponseBody();
    }
}
