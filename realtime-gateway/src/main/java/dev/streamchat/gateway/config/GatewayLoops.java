package dev.streamchat.gateway.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.util.concurrent.EventExecutor;
import reactor.netty.resources.LoopResources;

/**
 * The gateway's one set of network event loops, owned by the application context: the WebFlux server, the
 * Socket.IO server and the HTTP client to the ai-service all run on them, so a token read from the ai-service can be
 * written to the user's socket on the same thread, without a task hand-off and a wake-up per token. One loop per core
 * ({@link EventLoopSizing}) plus one acceptor, native epoll where it loads.
 *
 * <p>They are not Reactor Netty's global {@code HttpResources}: those are disposed when any application context in
 * the JVM stops (the tests run many). Disposed when this bean is destroyed, after the beans that use it (the servers
 * and the HTTP client are stopped and closed first).
 */
public final class GatewayLoops implements AutoCloseable {

    private final LoopResources resources;
    private final boolean epoll;
    private final EventLoopGroup workers;
    private final List<EventLoop> loops;

    public GatewayLoops(int threads) {
        this.epoll = Epoll.isAvailable();
        this.resources = LoopResources.create("gateway-io", 1, threads, true);
        this.workers = resources.onServer(epoll);
        List<EventLoop> all = new ArrayList<>();
        for (EventExecutor executor : workers) {
            all.add((EventLoop) executor);
        }
        this.loops = List.copyOf(all);
    }

    /** The loops in a Reactor Netty container, for the WebFlux server and the HTTP clients. */
    public LoopResources resources() {
        return resources;
    }

    /** Whether the loops are native epoll ones (the channels must match). */
    public boolean epoll() {
        return epoll;
    }

    /** The acceptor loop for servers. */
    public EventLoopGroup acceptor() {
        return resources.onServerSelect(epoll);
    }

    /** The I/O loops every connection is registered on. */
    public EventLoopGroup workers() {
        return workers;
    }

    /** Each I/O loop, in a fixed order. */
    public List<EventLoop> loops() {
        return loops;
    }

    /** The loop running the calling thread, or null when the caller is not on one of them. */
    public EventLoop current() {
        for (EventLoop loop : loops) {
            if (loop.inEventLoop()) {
                return loop;
            }
        }
        return null;
    }

    @Override
    public void close() {
        resources.disposeLater(Duration.ZERO, Duration.ofSeconds(5)).block(Duration.ofSeconds(10));
    }
}
