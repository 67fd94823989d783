package dev.streamchat.gateway.persistence;

import java.util.concurrent.TimeUnit;

import org.springframework.boot.mongodb.autoconfigure.MongoClientSettingsBuilderCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Short driver timeouts so that a MongoDB outage is a fast 503, never a hang. */
@Configuration(proxyBeanMethods = false)
class MongoConfiguration {

    @Bean
    MongoClientSettingsBuilderCustomizer gatewayMongoTimeouts() {
        return settings -> settings
                .applyToClusterSettings(cluster -> cluster.serverSelectionTimeout(1500, TimeUnit.MILLISECONDS))
                .applyToSocketSettings(socket -> socket.connectTimeout(1000, TimeUnit.MILLISECONDS)
                        .readTimeout(10, TimeUnit.SECONDS));
    }
}
