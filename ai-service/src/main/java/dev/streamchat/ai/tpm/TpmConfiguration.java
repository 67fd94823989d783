package dev.streamchat.ai.tpm;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;

import dev.streamchat.ai.model.ModelProperties;
import reactor.core.scheduler.Schedulers;

/** Wires the token-rate reservation. */
@Configuration(proxyBeanMethods = false)
class TpmConfiguration {

    @Bean
    TokenRateLimiter tokenRateLimiter(ReactiveStringRedisTemplate redis, TpmProperties properties) {
        return new TokenRateLimiter(redis, properties, Schedulers.parallel());
    }

    @Bean
    PromptTokenEstimator promptTokenEstimator(ModelProperties models) {
        return new PromptTokenEstimator(models.openai().model());
    }
}
