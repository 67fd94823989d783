package dev.streamchat.gateway.socket;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.bean.override.mockito.MockitoBean;

import com.corundumstudio.socketio.SocketIONamespace;

import dev.streamchat.gateway.auth.JwtTokens;
import dev.streamchat.gateway.config.TestBackends;
import dev.streamchat.gateway.testing.NonBlockingCheckedTest;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * The one Spring context of the raw inbound-protocol ITs ({@link InboundProtocolIT}, {@link InboundFuzzIT}): the real
 * socket server on a free port with a small payload and event cap, a fast ping, a short auth timeout and no practical
 * per-user socket cap, stream commands mocked (the inbound path is under test, not streaming), and BlockHound
 * watching. Subclasses add no properties, so they share the context.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "JWT_SECRET=" + TestBackends.JWT_SECRET,
        "AI_SERVICE_API_KEY=" + TestBackends.AI_KEY,
        "gateway.socket.max-payload=4KB",
        "gateway.socket.max-events-per-second=10",
        "gateway.socket.ping-interval=1000ms",
        "gateway.socket.ping-timeout=5000ms",
        "gateway.socket.auth-timeout=3s",
        "gateway.socket.max-per-user=1000",
})
abstract class InboundSocketTest extends NonBlockingCheckedTest {

    static final int SOCKET_PORT = TestBackends.freePort();

    @DynamicPropertySource
    static void backends(DynamicPropertyRegistry registry) {
        TestBackends.register(registry, SOCKET_PORT);
    }

    @MockitoBean
    StreamCommands streamCommands;

    @Autowired
    JwtTokens tokens;

    @Autowired
    SocketIONamespace namespace;

    @Autowired
    MeterRegistry meters;
}
