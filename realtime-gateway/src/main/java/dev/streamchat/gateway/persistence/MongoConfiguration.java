package dev.streamchat.gateway.persistence;

import java.util.concurrent.TimeUnit;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.mongodb.autoconfigure.MongoClientSettingsBuilderCustomizer;
import org.springframework.boot.mongodb.autoconfigure.MongoConnectionDetails;
import org.springframework.boot.mongodb.autoconfigure.MongoProperties;
import org.springframework.boot.mongodb.autoconfigure.StandardMongoClientSettingsBuilderCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import com.mongodb.MongoClientSettings;
import com.mongodb.connection.TransportSettings;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;

import dev.streamchat.gateway.config.EventLoopSizing;

/**
 * Short driver timeouts so that a MongoDB outage is a fast 503, never a hang; and the driver's I/O on event loops
 * sized like the gateway's others (one per core, epoll where available) instead of Boot's default for the reactive
 * driver, NIO loops at two per core. They are the driver's own, not Reactor Netty's global loops: those are disposed
 * when any application context in the JVM stops, which would leave the driver on dead loops. The transport is in
 * the base settings Boot builds the client from, so Boot sees a custom transport and creates no loops of its own
 * (a group it would have shut down with a blocking 2 s quiet period whenever a context closes). With base settings
 * of ours Boot backs off from its own, and with them from the customizer that applies the connection string
 * ({@code MONGODB_URI}): that one is declared here as Boot declares it.
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

    /**
     * The driver's loops. The client is built from settings that hold them, so it is closed first; then the loops
     * stop without Netty's default 2 s quiet period (nothing is left to run on them), which Spring would wait out
     * every time a context closes.
     */
    @Bean
    MongoEventLoops mongoEventLoops() {
        return MongoEventLoops.create();
    }

    /** The loops and the channel class that matches them (epoll where available), chosen once. */
    record MongoEventLoops(EventLoopGroup group, Class<? extends SocketChannel> channelClass) implements DisposableBean {

        static MongoEventLoops create() {
            boolean epoll = Epoll.isAvailable();
            IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
            return new MongoEventLoops(new MultiThreadIoEventLoopGroup(EventLoopSizing.ioThreads(),
                    new DefaultThreadFactory("mongo-io", true), io),
                    epoll ? EpollSocketChannel.class : NioSocketChannel.class);
        }

        @Override
        public void destroy() {
            group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(3, TimeUnit.SECONDS);
        }
    }

    @Bean
    StandardMongoClientSettingsBuilderCustomizer standardMongoSettingsCustomizer(MongoProperties properties,
                                                                                 MongoConnectionDetails connection) {
        return new StandardMongoClientSettingsBuilderCustomizer(connection, properties.getRepresentation().getUuid());
    }

    /** The base Boot applies the connection string and the customizers to. */
    @Bean
    MongoClientSettings mongoClientSettings(MongoEventLoops mongoEventLoops) {
        return MongoClientSettings.builder()
                .transportSettings(TransportSettings.nettyBuilder()
                        .eventLoopGroup(mongoEventLoops.group())
                        .socketChannelClass(mongoEventLoops.channelClass())
                        .build())
                .build();
    }
}
