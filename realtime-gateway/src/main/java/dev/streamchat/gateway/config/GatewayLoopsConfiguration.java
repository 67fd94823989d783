package dev.streamchat.gateway.config;

import java.time.Duration;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.client.ReactorResourceFactory;

/**
 * Puts the WebFlux server on the context's {@link GatewayLoops} instead of Reactor Netty's global resources (Boot's
 * own {@link ReactorResourceFactory} backs off when this one exists). The factory does not manage the loops: they
 * are closed with their bean, after the factory and every other bean that uses them.
 */
@Configuration(proxyBeanMethods = false)
class GatewayLoopsConfiguration {

    @Bean(destroyMethod = "close")
    GatewayLoops gatewayLoops(LoopProperties properties) {
        return new GatewayLoops(properties.threads());
    }

    @Bean
    ReactorResourceFactory reactorResourceFactory(GatewayLoops gatewayLoops) {
        ReactorResourceFactory factory = new ReactorResourceFactory();
        factory.setUseGlobalResources(false);
        factory.setLoopResources(gatewayLoops.resources());
        factory.setShutdownQuietPeriod(Duration.ZERO);
        return factory;
    }
}
