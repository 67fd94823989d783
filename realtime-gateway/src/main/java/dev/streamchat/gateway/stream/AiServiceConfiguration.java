package dev.streamchat.gateway.stream;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import io.netty.channel.ChannelOption;

import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.web.reactive.function.client.WebClient;

import dev.streamchat.gateway.config.GatewayLoops;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;
import tools.jackson.databind.json.JsonMapper;

/**
 * The HTTP clients to the ai-service, on the gateway's own event loops. Streams go through {@link LoopAffineClients}
 * (one pool per loop, so a stream is read on its user's socket's loop); the model list and documents through one
 * shared pool. Each running stream holds a connection; {@code AI_SERVICE_MAX_STREAMS} bounds them all together
 * ({@link AiServiceClient} refuses one more at once: 503, never a silent queue), and a stream waits at most
 * {@code pendingAcquireTimeout} for a connection of its loop's pool.
 */
@Configuration(proxyBeanMethods = false)
class AiServiceConfiguration {

    static final String AI_WEB_CLIENT = "aiServiceWebClient";

    @Bean(destroyMethod = "dispose")
    ConnectionProvider aiServiceConnectionProvider(AiServiceProperties properties) {
        return pool("ai-service", properties);
    }

    @Bean(AI_WEB_CLIENT)
    WebClient aiServiceWebClient(AiServiceProperties properties,
                                 @Qualifier("aiServiceConnectionProvider") ConnectionProvider provider, GatewayLoops loops) {
        return webClient(properties, HttpClient.create(provider).runOn(loops.resources()));
    }

    @Bean(destroyMethod = "close")
    LoopAffineClients aiServiceStreamClients(AiServiceProperties properties, GatewayLoops loops) {
        AtomicInteger index = new AtomicInteger();
        return new LoopAffineClients(loops.loops(), loop -> pool("ai-service-stream-" + index.getAndIncrement(), properties),
                (loop, pool) -> httpClient(properties, HttpClient.create(pool).runOn(loop)));
    }

    @Bean
    AiServiceClient aiServiceClient(LoopAffineClients aiServiceStreamClients, AiServiceProperties ai,
                                    StreamProperties stream, JsonMapper json) {
        return new AiServiceClient(aiServiceStreamClients, ai, stream, json);
    }

    private static ConnectionProvider pool(String name, AiServiceProperties properties) {
        return ConnectionProvider.builder(name)
                .maxConnections(properties.maxStreams())
                // The connection released last goes out first: a steady trickle of streams keeps a few connections
                // warm, and the rest of a burst's connections idle out (maxIdleTime) instead of being rotated alive.
                .lifo()
                .pendingAcquireMaxCount(Math.max(16, properties.maxStreams() / 10))
                .pendingAcquireTimeout(properties.pendingAcquireTimeout())
                // A finished stream's connection serves the next one. Closed after 55 s unused: under the 60 s idle
                // timeout of common proxies and load balancers (nginx, AWS ALB) that may sit before the ai-service,
                // so a connection they closed is not handed out.
                .maxIdleTime(Duration.ofSeconds(55))
                .evictInBackground(Duration.ofSeconds(30))
                // Active, idle and pending connections per pool as gauges (reactor.netty.connection.provider.*),
                // read only when scraped.
                .metrics(true)
                .build();
    }

    /**
     * A stream's client: Reactor Netty's own, not a WebClient over it. The stream needs no codec (it sends bytes it
     * encoded and parses the body's bytes in place), and WebClient's layers (exchange functions, body inserters, the
     * encoder lookup, a DataBuffer per network chunk) were the largest part of a stream start's CPU on the event
     * loop after the stores' and the JWT's. The WebClient below is built over the same settings (connect timeout,
     * {@code X-API-Key}).
     */
    private static HttpClient httpClient(AiServiceProperties properties, HttpClient http) {
        HttpClient client = http.baseUrl(properties.url().toString())
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) properties.connectTimeout().toMillis());
        String apiKey = properties.apiKey();
        return apiKey == null || apiKey.isEmpty() ? client : client.headers(headers -> headers.set("X-API-Key", apiKey));
    }

    private static WebClient webClient(AiServiceProperties properties, HttpClient http) {
        return WebClient.builder()
                .baseUrl(properties.url().toString())
                .clientConnector(new ReactorClientHttpConnector(httpClient(properties, http)))
                .codecs(codecs -> codecs.defaultCodecs().maxInMemorySize(4 * 1024 * 1024))
                .build();
    }
}
