package dev.streamchat.gateway.persistence;

import java.util.concurrent.TimeUnit;

import org.springframework.boot.mongodb.autoconfigure.MongoClientSettingsBuilderCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import com.mongodb.connection.TransportSettings;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import reactor.netty.http.HttpResources;

/**
 * Short driver timeouts so that a MongoDB outage is a fast 503, never a hang; and the driver's connections on the
 * event loops the WebFlux server and the ai-service client already share (Reactor Netty's, epoll where available)
 * instead of a set of NIO loops of its own (Boot's default: two threads per core), so that a save or a read does
 * not hop to another thread and back. This bean runs after Boot's customizer and replaces its transport.
 */
@Configuration(proxyBeanMethods = false)
class MongoConfiguration {

    @Bean
    MongoClientSettingsBuilderCustomizer gatewayMongoTimeouts() {
        return settings -> settings
                .applyToClusterSettings(cluster -> cluster.serverSelectionTimeout(1500, TimeUnit.MILLISECONDS))
                .applyToSocketSettings(socket -> socket.connectTimeout(1000, TimeUnit.MILLISECONDS)
                        .readTimeout(10, TimeUnit.SECONDS));
    }

    @Bean
    MongoClientSettingsBuilderCustomizer gatewayMongoEventLoops() {
        return settings -> {
            EventLoopGroup loops = HttpResources.get().onClient(true);
            Class<? extends SocketChannel> channel = HttpResources.get().onChannelClass(SocketChannel.class, loops);
            settings.transportSettings(TransportSettings.nettyBuilder().eventLoopGroup(loops).socketChannelClass(channel)
                    .build());
        };
    }
}
