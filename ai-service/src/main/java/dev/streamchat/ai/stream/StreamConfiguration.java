package dev.streamchat.ai.stream;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import reactor.core.scheduler.Schedulers;
import tools.jackson.databind.json.JsonMapper;

/** Wires the callback bridge and the SSE framing. */
@Configuration(proxyBeanMethods = false)
class StreamConfiguration {

    @Bean
    TokenStreamBridge tokenStreamBridge(StreamProperties properties) {
        // Model calls start on boundedElastic: a provider may do a little blocking work before going async.
        return new TokenStreamBridge(properties.bufferSize(), Schedulers.boundedElastic());
    }

    @Bean
    SseFrames sseFrames(JsonMapper json, StreamProperties properties) {
        return new SseFrames(json, properties.keepalive(), Schedulers.parallel());
    }
}
