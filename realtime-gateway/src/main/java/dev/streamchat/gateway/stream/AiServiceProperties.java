package dev.streamchat.gateway.stream;

import java.net.URI;
import java.time.Duration;

import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Positive;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * How the gateway reaches the ai-service ({@code AI_SERVICE_URL}, {@code AI_SERVICE_API_KEY},
 * {@code AI_SERVICE_MAX_STREAMS}). The key is mapped by the auth/secrets code onto {@code gateway.ai.api-key}.
 */
@Validated
@ConfigurationProperties("gateway.ai")
public record AiServiceProperties(@NotNull @DefaultValue("http://127.0.0.1:8090") URI url,
                                  String apiKey,
                                  @DefaultValue("1000") @Positive int maxStreams,
                                  @DefaultValue("200ms") Duration pendingAcquireTimeout,
                                  @DefaultValue("1s") Duration connectTimeout,
                                  @DefaultValue("5s") Duration statusTimeout) {

    @Override
    public String toString() {
        return "AiServiceProperties[url=" + url + ", apiKey=" + (apiKey == null || apiKey.isEmpty() ? "<none>" : "<set>")
                + ", maxStreams=" + maxStreams + "]";
    }
}
