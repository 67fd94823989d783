package dev.streamchat.gateway.socket;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * Raw Engine.IO clients for protocol tests: no socket.io library in between, so a test can send exactly the bytes an
 * attacker would (old framing, binary frames, several packets in one frame) and read exactly what the server answers.
 */
final class RawEngineIo {

    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private RawEngineIo() {
    }

    static String sidOf(String openPacket) {
        int start = openPacket.indexOf("\"sid\":\"") + 7;
        return openPacket.substring(start, openPacket.indexOf('"', start));
    }

    /** A raw WebSocket Engine.IO session; answers pings so only the server's decisions end it. */
    static final class Ws implements AutoCloseable {
        final WebSocket socket;
        final List<String> received = new CopyOnWriteArrayList<>();
        final CompletableFuture<String> open = new CompletableFuture<>();
        final CompletableFuture<Integer> closed = new CompletableFuture<>();

        private Ws(int port) throws Exception {
            this.socket = HTTP.newWebSocketBuilder()
                    .buildAsync(URI.create("ws://127.0.0.1:" + port + "/socket.io/?EIO=4&transport=websocket"), new Listener())
                    .get(10, TimeUnit.SECONDS);
            open.get(10, TimeUnit.SECONDS);
        }

        static Ws open(int port) throws Exception {
            return new Ws(port);
        }

        /** Opens a session and authenticates it with {@code 40{"token":...}}; waits for the server's {@code 40{sid}}. */
        static Ws authenticated(int port, String token) throws Exception {
            Ws ws = new Ws(port);
            ws.text("40{\"token\":\"" + token + "\"}");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!ws.hasReceived("40{")) {
                if (System.nanoTime() > deadline || ws.closed.isDone()) {
                    throw new IllegalStateException("not accepted: " + ws.received);
                }
                Thread.onSpinWait();
            }
            return ws;
        }

        void text(String frame) {
            socket.sendText(frame, true).join();
        }

        void binary(byte[] frame) {
            socket.sendBinary(ByteBuffer.wrap(frame), true).join();
        }

        /** Sends without waiting: the server may already have closed the connection. */
        void tryText(String frame) {
            try {
                socket.sendText(frame, true).get(5, TimeUnit.SECONDS);
            } catch (Exception e) {
                // closed by the server: what many tests expect
            }
        }

        void tryBinary(byte[] frame) {
            try {
                socket.sendBinary(ByteBuffer.wrap(frame), true).get(5, TimeUnit.SECONDS);
            } catch (Exception e) {
                // closed by the server
            }
        }

        boolean hasReceived(String prefix) {
            return received.stream().anyMatch(packet -> packet.startsWith(prefix));
        }

        boolean isClosed() {
            return closed.isDone();
        }

        java.util.UUID sid() {
            return java.util.UUID.fromString(sidOf(open.join()));
        }

        @Override
        public void close() {
            socket.abort();
        }

        private final class Listener implements WebSocket.Listener {
            private final StringBuilder partial = new StringBuilder();

            @Override
            public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                partial.append(data);
                if (last) {
                    String text = partial.toString();
                    partial.setLength(0);
                    received.add(text);
                    if (text.startsWith("0{")) {
                        open.complete(text);
                    }
                    if ("2".equals(text)) {
                        webSocket.sendText("3", true);
                    }
                }
                webSocket.request(1);
                return null;
            }

            @Override
            public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
                received.add("<binary>");
                webSocket.request(1);
                return null;
            }

            @Override
            public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
                closed.complete(statusCode);
                return null;
            }

            @Override
            public void onError(WebSocket webSocket, Throwable error) {
                closed.complete(-1);
            }
        }
    }

    /** A raw HTTP long-polling Engine.IO session. */
    static final class Polling {
        final String base;
        final String sid;
        /**
         * HTTP/1.1 as a browser's polling: the server closes the connection after every answer and says so
         * ({@code Connection: close}), so no request is ever sent into a connection that is closing.
         */
        private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();

        private Polling(int port) throws IOException, InterruptedException {
            String handshakeUrl = "http://127.0.0.1:" + port + "/socket.io/?EIO=4&transport=polling";
            HttpResponse<String> handshake = http.send(HttpRequest.newBuilder(URI.create(handshakeUrl))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            if (handshake.statusCode() != 200 || !handshake.body().startsWith("0{")) {
                throw new IllegalStateException("handshake failed: " + handshake.statusCode() + " " + handshake.body());
            }
            this.sid = sidOf(handshake.body());
            this.base = handshakeUrl + "&sid=" + sid;
        }

        static Polling open(int port) throws IOException, InterruptedException {
            return new Polling(port);
        }

        /**
         * POSTs {@code body} as-is; the HTTP status (the server answers before it processes the packets), -1 when the
         * request failed (it may not have reached the server: a test that needs it delivered asserts 200).
         */
        int post(byte[] body) throws IOException, InterruptedException {
            try {
                return http.send(HttpRequest.newBuilder(URI.create(base)).timeout(Duration.ofSeconds(10))
                        .header("Content-Type", "text/plain;charset=UTF-8")
                        .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.discarding())
                        .statusCode();
            } catch (IOException e) {
                return -1;
            }
        }

        int post(String body) throws IOException, InterruptedException {
            return post(body.getBytes(StandardCharsets.UTF_8));
        }

        /**
         * One long-poll: the packets the server had queued (records split on 0x1E), or null when the session is gone.
         * Answers a ping with a pong. Keep {@code timeout} above the ping interval: a poll the client gives up on can
         * swallow the packets the server writes to it.
         */
        List<String> poll(Duration timeout) throws InterruptedException {
            try {
                HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(base)).timeout(timeout).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() != 200) {
                    return null;
                }
                List<String> packets = List.of(response.body().split("\u001e"));
                if (packets.contains("2")) {
                    post("3");
                }
                return packets;
            } catch (HttpTimeoutException e) {
                return List.of();
            } catch (IOException e) {
                return null;
            }
        }
    }
}
