package dev.streamchat.gateway.socket;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;


class ClientConfigControllerTests {

    private static ClientConfigController controller(Map<String, String> properties) {
        SocketProperties socket = new Binder(new MapConfigurationPropertySource(properties))
                .bindOrCreate("gateway.socket", SocketProperties.class);
        return new ClientConfigController(socket);
    }

    @Test
    void usesThePublicUrlWhenSet() {
        var config = controller(Map.of("gateway.socket.public-url", "https://chat.example/")).config(
                MockServerHttpRequest.get("http://localhost:8080/api/v1/config").build());
        assertThat(config.socketUrl()).isEqualTo("https://chat.example/");
    }

    @Test
    void otherwiseTheRequestSchemeAndHostWithTheSocketPort() {
        var config = controller(Map.of("gateway.socket.port", "9001")).config(
                MockServerHttpRequest.get("https://gw.example:8443/api/v1/config").build());
        assertThat(config.socketUrl()).isEqualTo("https://gw.example:9001");
    }
}
