package dev.streamchat.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import org.bson.Document;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.data.mongodb.core.ReactiveMongoTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import dev.streamchat.gateway.auth.JwtTokens;
import dev.streamchat.gateway.auth.TokenCookie;

/**
 * The gateway as deployed ({@code APP_MODE=production} with strong secrets) against hostile REST input: a chunked
 * multipart flood, upload bursts, oversized and deeply nested JSON, odd titles, rating a question; and the
 * deployment defaults: security headers, metrics only on the loopback management port, secure cookie, no dev-login.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "APP_MODE=production",
        "JWT_SECRET=" + RestHardeningIT.JWT_SECRET,
        "AI_SERVICE_API_KEY=" + RestHardeningIT.AI_KEY,
        "UPLOAD_RATE_PER_MIN=3",
        "gateway.documents.uploads-per-minute=3",
        "gateway.auth.allowed-origins=" + TestBackends.ALLOWED_ORIGIN,
})
class RestHardeningIT {

    static final String JWT_SECRET = "9f1c2e7a4b8d0f3a6c5e1b7d9a2f4c8e0b3d6a9f1e4c7b2a5d8f0e3c6b9a1d4f";
    static final String AI_KEY = "Qm3xT8vL2pR7wK9zN4cH6jB1fD5gS0yA";
    static final int SOCKET_PORT = TestBackends.freePort();

    @DynamicPropertySource
    static void backends(DynamicPropertyRegistry registry) {
        TestBackends.register(registry, SOCKET_PORT);
    }

    @BeforeAll
    static void warmUp(@Autowired ReactiveMongoTemplate mongo) {
        mongo.findById("warm-up", Document.class, "users").block(Duration.ofSeconds(30));
    }

    @LocalServerPort
    int port;

    @LocalManagementPort
    int managementPort;

    @Autowired
    JwtTokens tokens;

    @Autowired
    TokenCookie cookie;

    @Autowired
    ReactiveMongoTemplate mongo;

    private List<String> bearer(String userId) {
        return List.of("Authorization: Bearer " + tokens.issue(userId, "free"));
    }

    // --- uploads -------------------------------------------------------------------------------------------------

    @Test
    void aChunkedMultipartFloodIs413AndOnlyABoundedPartIsRead() throws Exception {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        System.gc();
        long baseline = memory.getHeapMemoryUsage().getUsed();
        AtomicLong peak = new AtomicLong(baseline);
        AtomicBoolean sampling = new AtomicBoolean(true);
        Thread sampler = new Thread(() -> {
            while (sampling.get()) {
                peak.accumulateAndGet(memory.getHeapMemoryUsage().getUsed(), Math::max);
                try {
                    Thread.sleep(5);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        sampler.start();

        long sent = 0;
        String status;
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            socket.setSoTimeout(60_000);
            OutputStream out = socket.getOutputStream();
            InputStream in = socket.getInputStream();
            CompletableFuture<String> response = CompletableFuture.supplyAsync(() -> statusLine(in));
            out.write(("POST /api/v1/documents HTTP/1.1\r\nHost: 127.0.0.1\r\n" + bearer("flooder").get(0) + "\r\n"
                    + "Content-Type: multipart/form-data; boundary=XBOUNDARYX\r\nTransfer-Encoding: chunked\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            byte[] filler = new byte[200 * 1024];
            Arrays.fill(filler, (byte) 'a');
            try {
                for (int i = 0; i < 2000 && !response.isDone(); i++) {
                    byte[] head = ("--XBOUNDARYX\r\nContent-Disposition: form-data; name=\"f" + i + "\"\r\n\r\n")
                            .getBytes(StandardCharsets.ISO_8859_1);
                    int length = head.length + filler.length + 2;
                    out.write((Integer.toHexString(length) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
                    out.write(head);
                    out.write(filler);
                    out.write("\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
                    sent += length;
                }
                byte[] tail = ("--XBOUNDARYX\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\r\n"
                        + "Content-Type: text/plain\r\n\r\nhello\r\n--XBOUNDARYX--\r\n").getBytes(StandardCharsets.ISO_8859_1);
                out.write((Integer.toHexString(tail.length) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
                out.write(tail);
                out.write("\r\n0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
            } catch (IOException closedByServer) {
                // The server answered and closed the connection while the flood was still being sent.
            }
            status = response.get(60, java.util.concurrent.TimeUnit.SECONDS);
        } finally {
            sampling.set(false);
            sampler.join();
        }
        System.out.printf("multipart flood: status=%s sentBytes=%d heapGrowthBytes=%d%n", status, sent, peak.get() - baseline);
        assertThat(status).startsWith("HTTP/1.1 413");
        assertThat(sent).as("bytes the gateway let the client send").isLessThan(64L * 1024 * 1024);
        assertThat(peak.get() - baseline).as("heap growth while flooded").isLessThan(256L * 1024 * 1024);
    }

    private static String statusLine(InputStream in) {
        try {
            StringBuilder line = new StringBuilder();
            int b;
            while ((b = in.read()) != -1 && b != '\n') {
                line.append((char) b);
            }
            return line.toString().trim();
        } catch (IOException e) {
            return "closed: " + e.getMessage();
        }
    }

    @Test
    void tooManyPartsOrAnOversizedFieldIs413() {
        StringBuilder body = new StringBuilder();
        for (int i = 0; i < 10; i++) {
            body.append("--B\r\nContent-Disposition: form-data; name=\"f").append(i).append("\"\r\n\r\nx\r\n");
        }
        body.append("--B--\r\n");
        RawHttp.Response parts = RawHttp.send(port, "POST", "/api/v1/documents",
                List.of(bearer("parts").get(0), "Content-Type: multipart/form-data; boundary=B"), body.toString());
        assertThat(parts.status()).isEqualTo(413);
        assertThat(parts.body()).contains("\"code\":\"payload_too_large\"");

        String field = "--B\r\nContent-Disposition: form-data; name=\"classId\"\r\n\r\n" + "c".repeat(100_000)
                + "\r\n--B--\r\n";
        RawHttp.Response big = RawHttp.send(port, "POST", "/api/v1/documents",
                List.of(bearer("field").get(0), "Content-Type: multipart/form-data; boundary=B"), field);
        assertThat(big.status()).isEqualTo(413);
    }

    @Test
    void uploadsPerUserPerMinuteAreLimited() {
        String body = "--B\r\nContent-Disposition: form-data; name=\"file\"; filename=\"x.exe\"\r\n\r\nMZ\r\n--B--\r\n";
        List<String> headers = List.of(bearer("uploader").get(0), "Content-Type: multipart/form-data; boundary=B");
        for (int i = 0; i < 3; i++) {
            assertThat(RawHttp.send(port, "POST", "/api/v1/documents", headers, body).status()).isEqualTo(415);
        }
        RawHttp.Response limited = RawHttp.send(port, "POST", "/api/v1/documents", headers, body);
        assertThat(limited.status()).isEqualTo(429);
        assertThat(limited.body()).contains("\"code\":\"rate_limited\"");
        assertThat(Long.parseLong(limited.header("retry-after"))).isBetween(1L, 61L);
        // Another user is not affected.
        assertThat(RawHttp.send(port, "POST", "/api/v1/documents",
                List.of(bearer("other-uploader").get(0), headers.get(1)), body).status()).isEqualTo(415);
    }

    // --- JSON bodies and odd input -------------------------------------------------------------------------------

    @Test
    void anOversizedJsonBodyIs413AndDeepNestingIs400() {
        List<String> json = List.of(bearer("json").get(0), "Content-Type: application/json");
        RawHttp.Response big = RawHttp.send(port, "POST", "/api/v1/chat/new", json,
                "{\"message\":\"hi\",\"pad\":\"" + "p".repeat(200_000) + "\"}");
        assertThat(big.status()).isEqualTo(413);
        assertThat(big.body()).contains("\"code\":\"payload_too_large\"");
        RawHttp.Response deep = RawHttp.send(port, "POST", "/api/v1/chat/new", json,
                "{\"message\":\"hi\",\"x\":" + "[".repeat(5000) + "]".repeat(5000) + "}");
        assertThat(deep.status()).isEqualTo(400);
        assertThat(deep.body()).contains("\"code\":\"bad_request\"").doesNotContain("Exception", "jackson");
        RawHttp.Response dev = RawHttp.send(port, "POST", "/api/v1/auth/dev-login", List.of("Content-Type: application/json"),
                "{\"userId\":\"" + "u".repeat(100_000) + "\",\"plan\":\"free\"}");
        assertThat(dev.status()).isIn(404, 413);
        for (String query : List.of("?limit=", "?limit=1e3", "?limit=-1", "?limit=99999999999999999999", "?before=",
                "?before=yesterday", "?before=%00", "?limit=%ZZ")) {
            RawHttp.Response odd = RawHttp.send(port, "GET", "/api/v1/chat/sessions" + query, bearer("odd"), null);
            assertThat(odd.status()).as(query).isEqualTo(400);
        }
    }

    @Test
    void aTitleIsOneLineWithoutControlCharactersAndOnlyAnswersCanBeRated() {
        String sessionId = "s" + System.nanoTime();
        mongo.insert(new Document("_id", sessionId).append("userId", "rater").append("title", "t")
                        .append("messages", List.of(
                                new Document("id", "q1").append("role", "user").append("content", "question"),
                                new Document("id", "a1").append("role", "assistant").append("content", "answer"))),
                "chat_sessions").block(Duration.ofSeconds(5));
        List<String> json = List.of(bearer("rater").get(0), "Content-Type: application/json");
        for (String title : List.of("line\\nbreak", "bell\\u0007", "nul\\u0000", "bidi\\u202e", "tab\\tx")) {
            RawHttp.Response odd = RawHttp.send(port, "PATCH", "/api/v1/chat/sessions/" + sessionId, json,
                    "{\"title\":\"" + title + "\"}");
            assertThat(odd.status()).as(title).isEqualTo(400);
        }
        assertThat(RawHttp.send(port, "PATCH", "/api/v1/chat/sessions/" + sessionId, json,
                "{\"title\":\"Café ☕ notes\"}").status()).isEqualTo(200);
        assertThat(RawHttp.send(port, "POST", "/api/v1/chat/sessions/" + sessionId + "/messages/q1/feedback", json,
                "{\"rating\":\"up\"}").status()).isEqualTo(404);
        assertThat(RawHttp.send(port, "POST", "/api/v1/chat/sessions/" + sessionId + "/messages/a1/feedback", json,
                "{\"rating\":\"up\"}").status()).isEqualTo(204);
        assertThat(RawHttp.send(port, "POST", "/api/v1/chat/sessions/" + sessionId + "/messages/a1/feedback",
                List.of(bearer("someone-else").get(0), json.get(1)), "{\"rating\":\"down\"}").status()).isEqualTo(404);
    }

    // --- deployment defaults -------------------------------------------------------------------------------------

    @Test
    void thePageAndTheApiCarrySecurityHeaders() {
        for (String path : List.of("/", "/index.html", "/js/main.js", "/api/v1/config", "/api/v1/quota", "/nowhere")) {
            RawHttp.Response response = RawHttp.send(port, "GET", path, List.of(), null);
            String csp = response.header("content-security-policy");
            assertThat(csp).as(path).contains("frame-ancestors 'none'", "default-src 'none'", "script-src 'self'",
                    "connect-src 'self' http://127.0.0.1:" + SOCKET_PORT + " ws://127.0.0.1:");
            assertThat(csp).doesNotContain("unsafe-inline", "unsafe-eval", "*");
            assertThat(response.header("x-content-type-options")).isEqualTo("nosniff");
            assertThat(response.header("referrer-policy")).isEqualTo("no-referrer");
            assertThat(response.header("x-frame-options")).isEqualTo("DENY");
        }
        RawHttp.Response me = RawHttp.send(port, "GET", "/api/v1/quota", bearer("cache"), null);
        assertThat(me.status()).isEqualTo(200);
        assertThat(me.header("cache-control")).isEqualTo("no-store");
    }

    @Test
    void metricsAreOnlyOnTheLoopbackManagementPort() throws Exception {
        assertThat(managementPort).isNotEqualTo(port);
        assertThat(RawHttp.send(port, "GET", "/actuator/prometheus", List.of(), null).status()).isEqualTo(401);
        assertThat(RawHttp.send(port, "GET", "/actuator/prometheus", bearer("curious"), null).status()).isEqualTo(404);
        assertThat(RawHttp.send(port, "GET", "/actuator/health", List.of(), null).status()).isEqualTo(200);
        assertThat(RawHttp.send(port, "GET", "/actuator/health/readiness", List.of(), null).status()).isEqualTo(200);
        RawHttp.Response metrics = RawHttp.send(managementPort, "GET", "/actuator/prometheus", List.of(), null);
        assertThat(metrics.status()).isEqualTo(200);
        assertThat(metrics.body()).contains("gateway_socket_connections");
        InetAddress external = externalAddress();
        if (external != null) {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(external, managementPort), 2000);
                throw new AssertionError("the management port answers on " + external);
            } catch (IOException refused) {
                // bound to loopback only
            }
        }
    }

    @Test
    void productionHasSecureCookiesAndNoDevLogin() {
        assertThat(cookie.issue("x").isSecure()).isTrue();
        RawHttp.Response devLogin = RawHttp.send(port, "POST", "/api/v1/auth/dev-login",
                List.of("Content-Type: application/json"), "{\"userId\":\"x\",\"plan\":\"pro\"}");
        assertThat(devLogin.status()).isEqualTo(404);
        assertThat(devLogin.headers("set-cookie")).isEmpty();
    }

    private static InetAddress externalAddress() throws IOException {
        for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            if (!nic.isUp() || nic.isLoopback()) {
                continue;
            }
            for (InetAddress address : Collections.list(nic.getInetAddresses())) {
                if (address instanceof java.net.Inet4Address) {
                    return address;
                }
            }
        }
        return null;
    }

}
