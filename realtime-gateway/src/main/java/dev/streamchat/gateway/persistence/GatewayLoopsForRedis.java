package dev.streamchat.gateway.persistence;

import java.util.concurrent.TimeUnit;

import io.lettuce.core.resource.EpollProvider;
import io.lettuce.core.resource.EventLoopGroupProvider;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutorGroup;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ImmediateEventExecutor;

import dev.streamchat.gateway.config.GatewayLoops;

/**
 * Lends Lettuce the gateway's own event loops instead of a pool of its own: a Redis reply is decoded, and the
 * request's next step runs, on a gateway loop, without a hand-off to a Lettuce thread that waits for a core. Lettuce
 * never shuts them down: they belong to {@link GatewayLoops}, closed with its bean. Lettuce picks its channel type on
 * its own (native epoll unless {@code -Dio.lettuce.core.epoll=false}); a choice that does not fit the loops fails at
 * the first connection with a message naming the setting, not with Netty's "incompatible event loop type".
 */
final class GatewayLoopsForRedis implements EventLoopGroupProvider {

    private final GatewayLoops loops;

    GatewayLoopsForRedis(GatewayLoops loops) {
        this.loops = loops;
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T extends EventLoopGroup> T allocate(Class<T> type) {
        if (EpollProvider.isAvailable() != loops.epoll()) {
            throw new IllegalStateException("the Redis client's transport (native epoll: " + EpollProvider.isAvailable()
                    + ") does not fit the gateway's event loops (native epoll: " + loops.epoll()
                    + "); remove -Dio.lettuce.core.epoll or set it to " + loops.epoll());
        }
        return (T) loops.workers();
    }

    @Override
    public int threadPoolSize() {
        return loops.loops().size();
    }

    @Override
    public Future<Boolean> release(EventExecutorGroup eventLoopGroup, long quietPeriod, long timeout, TimeUnit unit) {
        return ImmediateEventExecutor.INSTANCE.newSucceededFuture(true);
    }

    @Override
    public Future<Boolean> shutdown(long quietPeriod, long timeout, TimeUnit timeUnit) {
        return ImmediateEventExecutor.INSTANCE.newSucceededFuture(true);
    }
}
