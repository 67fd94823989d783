package dev.streamchat.gateway.socket;

import java.time.Clock;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import com.corundumstudio.socketio.AckMode;
import com.corundumstudio.socketio.AuthorizationResult;
import com.corundumstudio.socketio.SocketIOChannelInitializer;
import com.corundumstudio.socketio.SocketIONamespace;
import com.corundumstudio.socketio.SocketIOServer;
import com.corundumstudio.socketio.Transport;
import com.corundumstudio.socketio.namespace.Namespace;
import com.corundumstudio.socketio.transport.NamespaceClient;

import dev.streamchat.gateway.auth.AllowedOrigins;
import dev.streamchat.gateway.auth.AuthenticatedUser;
import dev.streamchat.gateway.auth.RevokedTokens;
import dev.streamchat.gateway.auth.SocketAuthTokenListener;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.handler.codec.http.HttpHeaderNames;
import dev.streamchat.gateway.config.GatewayLoops;
import reactor.core.scheduler.Schedulers;

/**
 * Builds the netty-socketio server of contract section 3: default namespace only, auth on CONNECT, Origin allow-list,
 * contract JSON, manual acks, ping and size limits, bounded outbound buffers.
 */
@Configuration(proxyBeanMethods = false)
class SocketServerConfiguration {

    @Bean
    SocketIOServer socketIOServer(SocketProperties properties, AllowedOrigins allowedOrigins, MeterRegistry registry,
                                  GatewayLoops loops) {
        com.corundumstudio.socketio.Configuration config = new com.corundumstudio.socketio.Configuration();
        config.setHostname(properties.host());
        config.setPort(properties.port());
        config.setTransports(Transport.WEBSOCKET, Transport.POLLING);
        config.setPingInterval((int) properties.pingInterval().toMillis());
        config.setPingTimeout((int) properties.pingTimeout().toMillis());
        config.setJsonSupport(new SocketJsonSupport());
        config.setWebsocketCompression(properties.perMessageDeflate());
        config.setHttpCompression(properties.perMessageDeflate());
        // The gateway's own loops (one per core, shared with the WebFlux server and the ai-service client), not
        // netty-socketio's boss and worker groups; the channel type follows the loops' (native epoll where it loads).
        config.setUseLinuxNativeEpoll(loops.epoll());
        // Acks are sent when a command answers, after the listener has returned.
        config.setAckMode(AckMode.MANUAL);
        config.setMaxFramePayloadLength(properties.transportLimitBytes());
        config.setMaxHttpContentLength(properties.transportLimitBytes());
        // Never take a session id from the client's "io" cookie or header.
        config.setRandomSession(true);
        config.setAddVersionHeader(false);
        // Foreign Origins never get here (OriginGuardHandler): CORS reflects only allowed ones; this repeats the
        // check for the handshake in case the pipeline changes.
        config.setAuthorizationListener(data -> {
            String origin = data.getHttpHeaders().get(HttpHeaderNames.ORIGIN);
            return origin == null || allowedOrigins.isAllowed(origin)
                    ? AuthorizationResult.SUCCESSFUL_AUTHORIZATION : AuthorizationResult.FAILED_AUTHORIZATION;
        });
        config.setExceptionListener(new SocketExceptionListener(registry));
        int high = (int) Math.min(Integer.MAX_VALUE, properties.maxBufferedBytes().toBytes());
        config.getSocketConfig().setWriteBufferWaterMarkHigh(high);
        config.getSocketConfig().setWriteBufferWaterMarkLow(Math.max(1, high / 2));
        config.getSocketConfig().setReuseAddress(true);
        return new SharedLoopsSocketIOServer(config, loops);
    }

    @Bean
    SocketIONamespace socketDefaultNamespace(SocketIOServer server) {
        // getNamespace("/") returns null: the default namespace is named "".
        return server.getNamespace(Namespace.DEFAULT_NAME);
    }

    @Bean
    ResumeGates resumeGates() {
        return new ResumeGates();
    }

    @Bean
    ConnectingSockets connectingSockets() {
        return new ConnectingSockets();
    }

    @Bean
    UserRooms userRooms(SocketIONamespace socketDefaultNamespace, ConnectingSockets connectingSockets,
                        ResumeGates resumeGates, MeterRegistry registry) {
        return new UserRooms(socketDefaultNamespace, connectingSockets, resumeGates, registry);
    }

    @Bean
    ChatSocketHandler chatSocketHandler(ObjectProvider<StreamCommands> commands, ResumeGates resumeGates,
                                        SocketProperties properties) {
        return new ChatSocketHandler(commands, resumeGates, properties);
    }

    @Bean
    SocketDrops socketDrops(ConnectingSockets connectingSockets) {
        return new SocketDrops(Schedulers.parallel(), connectingSockets);
    }

    @Bean
    SocketCredentialWatch socketCredentialWatch(RevokedTokens revokedTokens, SocketDrops socketDrops) {
        return new SocketCredentialWatch(revokedTokens, socketDrops, Schedulers.parallel(), Clock.systemUTC());
    }

    @Bean
    SocketServerLifecycle socketServerLifecycle(SocketIOServer server, SocketIONamespace socketDefaultNamespace,
                                                SocketProperties properties, AllowedOrigins allowedOrigins,
                                                SocketAuthTokenListener authListener, ChatSocketHandler chatHandler,
                                                SocketDrops socketDrops, SocketCredentialWatch credentialWatch,
                                                ObjectProvider<SocketCounts> socketCounts, ConnectingSockets connectingSockets,
                                                MeterRegistry registry) {
        Namespace namespace = (Namespace) socketDefaultNamespace;
        OriginGuardHandler originGuard = new OriginGuardHandler(allowedOrigins);
        InboundLimitsHandler inboundLimits = new InboundLimitsHandler(properties, namespace, socketDrops, registry);
        ConnectPacketNormalizer connectNormalizer = new ConnectPacketNormalizer();
        UpgradeProbeFlusher upgradeProbeFlusher = new UpgradeProbeFlusher(server.getConfiguration().getUpgradeTimeout());
        // A pipeline's timer dies with SocketIOServer.stop(): each start gets a new pipeline (the handlers are shared).
        Supplier<SocketIOChannelInitializer> pipelines = () -> new SocketPipeline(originGuard, inboundLimits,
                connectNormalizer, upgradeProbeFlusher, connectingSockets);
        // Order matters: hold room events until the CONNECT reply is queued (never ahead of it), authenticate (joins
        // the room), then the per-user cap, then watch the accepted token's lifetime.
        namespace.addAuthTokenListener(connectingSockets);
        namespace.addAuthTokenListener(authListener);
        SocketsPerUserCap cap = new SocketsPerUserCap(namespace, properties.maxPerUser(), socketCounts.getIfAvailable(),
                socketDrops, registry);
        namespace.addAuthTokenListener(cap);
        namespace.addDisconnectListener(cap);
        namespace.addAuthTokenListener(credentialWatch);
        namespace.addDisconnectListener(credentialWatch);
        UnauthenticatedSessions unauthenticated = new UnauthenticatedSessions(properties.maxUnauthenticated(), registry);
        namespace.addConnectListener(unauthenticated);
        namespace.addAuthTokenListener(unauthenticated);
        namespace.addDisconnectListener(unauthenticated);
        chatHandler.register(namespace);
        // The default namespace's connect listener fires at Engine.IO open, before authentication (and for clients
        // refused later): use it only to close sessions that never authenticate.
        long authTimeoutMs = properties.authTimeout().toMillis();
        namespace.addConnectListener(client -> Schedulers.parallel().schedule(() -> {
            if (!client.has(AuthenticatedUser.SOCKET_KEY) && client instanceof NamespaceClient namespaceClient
                    && namespaceClient.getBaseClient().isConnected()) {
                namespaceClient.getBaseClient().disconnect();
            }
        }, authTimeoutMs, TimeUnit.MILLISECONDS));
        Gauge.builder("gateway.socket.connections", namespace,
                        ns -> ns.getAllClients().stream().filter(c -> c.has(AuthenticatedUser.SOCKET_KEY)).count())
                .description("Authenticated Socket.IO connections on this node")
                .register(registry);
        return new SocketServerLifecycle(server, pipelines, properties);
    }
}
