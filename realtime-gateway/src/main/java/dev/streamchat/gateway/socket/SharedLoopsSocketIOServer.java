package dev.streamchat.gateway.socket;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

import com.corundumstudio.socketio.Configuration;
import com.corundumstudio.socketio.SocketIOChannelInitializer;
import com.corundumstudio.socketio.SocketIOServer;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.GlobalEventExecutor;

import dev.streamchat.gateway.config.GatewayLoops;

/**
 * netty-socketio's server on the gateway's own event loops ({@link GatewayLoops}) instead of a boss and a worker group
 * of its own, so a token read from the ai-service on a loop is written to a socket of that loop inline.
 *
 * <p>netty-socketio 2.0.14 creates its groups in the protected {@code initGroups()} but keeps them in private
 * fields, and its {@code stop()} shuts them down. So {@link #initGroups()} stores the shared loops in those fields
 * (checked when this class is built: a netty-socketio without them fails the start, never silently runs on other
 * loops), and {@link #stop()} closes only what this server owns: its listening channel, every connection it
 * accepted, and its pipeline's timer and store. The loops are closed by their owner, after this server.
 */
class SharedLoopsSocketIOServer extends SocketIOServer {

    private static final VarHandle BOSS_GROUP;
    private static final VarHandle WORKER_GROUP;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.privateLookupIn(SocketIOServer.class, MethodHandles.lookup());
            BOSS_GROUP = lookup.findVarHandle(SocketIOServer.class, "bossGroup", EventLoopGroup.class);
            WORKER_GROUP = lookup.findVarHandle(SocketIOServer.class, "workerGroup", EventLoopGroup.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError("this netty-socketio version has no bossGroup/workerGroup fields: " + e);
        }
    }

    private final GatewayLoops loops;
    private final ChannelGroup channels = new DefaultChannelGroup("socket.io", GlobalEventExecutor.INSTANCE);
    private SocketIOChannelInitializer pipeline;
    private volatile Channel listening;

    SharedLoopsSocketIOServer(Configuration configuration, GatewayLoops loops) {
        super(configuration);
        this.loops = loops;

    }

    @Override
    public void setPipelineFactory(SocketIOChannelInitializer pipelineFactory) {
        this.pipeline = pipelineFactory;
        super.setPipelineFactory(pipelineFactory);
    }

    @Override
    protected void initGroups() {
        BOSS_GROUP.set(this, loops.acceptor());
        WORKER_GROUP.set(this, loops.workers());
    }

    @Override
    public Future<Void> startAsync() {
        if (pipeline == null) {
            setPipelineFactory(new SocketIOChannelInitializer()); // netty-socketio's default, kept here to stop it
        }
        Future<Void> bound = super.startAsync();
        if (bound instanceof ChannelFuture channelFuture) {
            listening = channelFuture.channel();
        }
        return bound;
    }

    @Override
    public void stop() {
        Channel server = listening;
        if (server != null) {
            server.close().syncUninterruptibly();
        }
        channels.close().awaitUninterruptibly();
        if (pipeline != null) {
            pipeline.stop();
        }
    }

    /** Every accepted connection joins {@link #channels} (it leaves by itself when closed), so {@link #stop()} can close it. */
    @Override
    protected void applyConnectionOptions(ServerBootstrap bootstrap) {
        super.applyConnectionOptions(bootstrap);
        bootstrap.handler(new AcceptedChannels());
    }

    @Sharable
    private final class AcceptedChannels extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object accepted) {
            if (accepted instanceof Channel channel) {
                channels.add(channel);
            }
            ctx.fireChannelRead(accepted);
        }
    }
}
