package dev.streamchat.gateway.stream;

import java.time.Duration;

import io.netty.channel.ChannelOption;

import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.web.reactive.function.client.WebClient;

import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;
import tools.jackson.databind.json.JsonMapper;

/**
 * The one HTTP client to the ai-service. Each running stream holds a connection, so the pool is sized by
 * {@code AI_SERVICE_MAX_STREAMS} and a stream beyond it waits at most {@code pendingAcquireTimeout}
 * before failing fast (503), never parking silently in a queue.
 */
@Configuration(proxyBeanMethods = false)
class AiServiceConfiguration {

    static final String AI_WEB_CLIENT = "aiServiceWebClient";

    @Bean(destroyMethod = "dispose")
    ConnectionProvider aiServiceConnectionProvider(AiServiceProperties properties) {
        return ConnectionProvider.builder("ai-service")
                .maxConnections(properties.maxStreams())
                .pendingAcquireMaxCount(Math.max(16, properties.maxStreams() / 10))
                .pendingAcquireTimeout(properties.pendingAcquireTimeout())
                // The ai-service may close idle keep-alive connections; do not hand out stale ones.
                .maxIdleTime(Duration.ofSeconds(20))
                .evictInBackground(Duration.ofSeconds(30))
                .build();
    }

    @Bean(AI_WEB_CLIENT)
    WebClient aiServiceWebClient(AiServiceProperties properties,
                                 @Qualifier("aiServiceConnectionProvider") ConnectionProvider provider) {
        HttpClient http = HttpClient.create(provider)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) properties.connectTimeout().toMillis());
        WebClient.Builder builder = WebClient.builder()
                .baseUrl(properties.url().toString())
                .clientConnector(new ReactorClientHttpConnector(http))
                .codecs(codecs -> codecs.defaultCodecs().maxInMemorySize(4 * 1024 * 1024));
        if (properties.apiKey() != null && !properties.apiKey().isEmpty()) {
            builder.defaultHeader("X-API-Key", properties.apiKey());
        }
        return builder.build();
    }

    @Bean
    AiServiceClient aiServiceClient(@Qualifier(AI_WEB_CLIENT) WebClient webClient, AiServiceProperties ai,
                                    StreamProperties stream, JsonMapper json) {
        return new AiServiceClient(webClient, ai, stream, json);
    }
}
