package dev.streamchat.gateway.socket;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Locale;

import org.junit.jupiter.api.Test;
import org.mockito.Mockito;
import org.springframework.util.unit.DataSize;

import com.corundumstudio.socketio.SocketIOServer;

import dev.streamchat.gateway.auth.AllowedOrigins;
import dev.streamchat.gateway.config.GatewayLoops;
import dev.streamchat.gateway.config.TestBackends;

/**
 * permessage-deflate is off unless {@code SOCKET_PER_MESSAGE_DEFLATE} turns it on: a browser offers it in every
 * WebSocket handshake, and the 101 answer decides. Checked on the real server with a raw HTTP upgrade.
 */
class WebSocketCompressionTests {

    @Test
    void refusesPerMessageDeflateByDefault() throws Exception {
        String answer = upgradeOfferingDeflate(false);
        assertThat(answer).startsWith("HTTP/1.1 101");
        assertThat(answer.toLowerCase(Locale.ROOT)).doesNotContain("sec-websocket-extensions");
    }

    @Test
    void acceptsPerMessageDeflateWhenEnabled() throws Exception {
        String answer = upgradeOfferingDeflate(true);
        assertThat(answer).startsWith("HTTP/1.1 101");
        assertThat(answer.toLowerCase(Locale.ROOT)).contains("sec-websocket-extensions: permessage-deflate");
    }

    private static String upgradeOfferingDeflate(boolean deflate) throws Exception {
        int port = TestBackends.freePort();
        SocketProperties properties = new SocketProperties(port, "127.0.0.1", null, Duration.ofSeconds(25),
                Duration.ofSeconds(20), DataSize.ofKilobytes(16), 20, DataSize.ofMegabytes(1), Duration.ofSeconds(10),
                Duration.ofSeconds(30), deflate, 20, 30, 2000);
        GatewayLoops loops = new GatewayLoops(1);
        SocketIOServer server = new SocketServerConfiguration().socketIOServer(properties, Mockito.mock(AllowedOrigins.class),
                new io.micrometer.core.instrument.simple.SimpleMeterRegistry(), loops);
        server.start();
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(5000);
            String key = Base64.getEncoder().encodeToString("0123456789abcdef".getBytes(StandardCharsets.US_ASCII));
            OutputStream out = socket.getOutputStream();
            out.write(("GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\n"
                    + "Host: 127.0.0.1:" + port + "\r\n"
                    + "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Key: " + key + "\r\nSec-WebSocket-Version: 13\r\n"
                    + "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            return readHeaders(socket.getInputStream());
        } finally {
            server.stop();
            loops.close();
        }
    }

    private static String readHeaders(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        byte[] end = {'\r', '\n', '\r', '\n'};
        while (matched < end.length) {
            int b = in.read();
            if (b < 0) {
                break;
            }
            head.write(b);
            matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        return head.toString(StandardCharsets.US_ASCII);
    }
}
