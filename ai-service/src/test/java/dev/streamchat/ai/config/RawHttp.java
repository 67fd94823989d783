package dev.streamchat.ai.config;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * An HTTP/1.1 client that sends the request target byte for byte, as an attacker would: no client library gets the
 * chance to normalise {@code /%61pi}, {@code /api;x=1} or {@code //api} before the server sees it.
 */
public final class RawHttp {

    /** The status code and the body of one answer. */
    public record Answer(int status, String head, String body) {
    }

    private RawHttp() {
    }

    public static Answer send(int port, String method, String target, Map<String, String> headers, String body)
            throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            socket.setSoTimeout(20_000);
            byte[] payload = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
            StringBuilder request = new StringBuilder(method).append(' ').append(target).append(" HTTP/1.1\r\n")
                    .append("Host: 127.0.0.1:").append(port).append("\r\n")
                    .append("Connection: close\r\n");
            headers.forEach((name, value) -> request.append(name).append(": ").append(value).append("\r\n"));
            if (body != null) {
                request.append("Content-Length: ").append(payload.length).append("\r\n");
            }
            request.append("\r\n");
            OutputStream out = socket.getOutputStream();
            out.write(request.toString().getBytes(StandardCharsets.ISO_8859_1));
            // The body is written while the answer is read: a server refusing a large body answers (and may reset
            // the connection) before it has all been sent.
            Thread writer = new Thread(() -> {
                try {
                    out.write(payload);
                    out.flush();
                } catch (IOException refused) {
                    // the server stopped reading; its answer is what counts
                }
            }, "raw-http-body");
            writer.setDaemon(true);
            writer.start();
            String response = readAll(socket.getInputStream());
            int headEnd = response.indexOf("\r\n\r\n");
            String head = headEnd < 0 ? response : response.substring(0, headEnd);
            String rest = headEnd < 0 ? "" : response.substring(headEnd + 4);
            String[] statusLine = head.split("\r\n", 2)[0].split(" ");
            return new Answer(Integer.parseInt(statusLine[1]), head, rest);
        }
    }

    private static String readAll(InputStream in) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        // A bounded read: an SSE answer that somehow got through must not hang the test.
        try {
            for (int n; (n = in.read(buffer)) != -1 && bytes.size() < 1 << 20; ) {
                bytes.write(buffer, 0, n);
            }
        } catch (java.net.SocketException reset) {
            if (bytes.size() == 0) {
                throw reset;
            }
            // reset after the answer: keep what arrived
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }
}
