package dev.streamchat.gateway.stream;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import io.netty.channel.EventLoop;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

/**
 * One ai-service HTTP client per event loop, each with a connection pool of its own whose connections all live on
 * that loop. Reactor Netty's pool places a new connection on the caller's loop but hands an idle one to any caller,
 * so with one shared pool a stream would often be read on another loop than its socket's. With one pool per loop, a
 * stream started for a socket of loop L is read on L, and each token is written to the socket inline. A caller with
 * no loop gets the loops in turn. Closing disposes the pools (their loops are closed later, by their owner).
 */
final class LoopAffineClients implements AutoCloseable {

    private final List<EventLoop> loops;
    private final List<HttpClient> clients = new ArrayList<>();
    private final List<ConnectionProvider> providers = new ArrayList<>();
    private final AtomicInteger next = new AtomicInteger();

    LoopAffineClients(List<EventLoop> loops, Function<EventLoop, ConnectionProvider> provider,
                      java.util.function.BiFunction<EventLoop, ConnectionProvider, HttpClient> client) {
        this.loops = List.copyOf(loops);
        for (EventLoop loop : this.loops) {
            ConnectionProvider pool = provider.apply(loop);
            providers.add(pool);
            clients.add(client.apply(loop, pool));
        }
    }

    /** The client whose connections run on {@code loop}; any (in turn) when it is null or not one of the loops. */
    HttpClient on(EventLoop loop) {
        int index = loop == null ? -1 : loops.indexOf(loop);
        if (index < 0) {
            index = Math.floorMod(next.getAndIncrement(), clients.size());
        }
        return clients.get(index);
    }

    @Override
    public void close() {
        providers.forEach(ConnectionProvider::dispose);
    }
}
