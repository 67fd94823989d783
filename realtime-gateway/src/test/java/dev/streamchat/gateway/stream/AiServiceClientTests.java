package dev.streamchat.gateway.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.IntStream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.streamchat.gateway.config.GatewayLoops;
import dev.streamchat.gateway.testing.FakeAiService;
import dev.streamchat.gateway.testing.AiReply;
import reactor.core.Disposable;
import tools.jackson.databind.json.JsonMapper;

/** The ai-service client against a fake ai-service over real HTTP: status rule, retries, capacity, cancel. */
class AiServiceClientTests {

    private final JsonMapper json = JsonMapper.builder().build();
    private FakeAiService ai;
    private final GatewayLoops loops = new GatewayLoops(2);
    private LoopAffineClients clients;

    @BeforeEach
    void start() throws IOException {
        ai = new FakeAiService();
    }

    @AfterEach
    void stop() {
        ai.close();
        if (clients != null) {
            clients.close();
        }
        loops.close();
    }

    private AiServiceClient client(String url, int maxStreams, boolean streaming) {
        return client(url, maxStreams, streaming, Duration.ofSeconds(5));
    }

    private AiServiceClient client(String url, int maxStreams, boolean streaming, Duration idleTimeout) {
        AiServiceProperties properties = new AiServiceProperties(URI.create(url), FakeAiService.API_KEY, maxStreams,
                Duration.ofMillis(200), Duration.ofSeconds(1), Duration.ofSeconds(5));
        StreamProperties streams = new StreamProperties(streaming, idleTimeout, Duration.ofSeconds(20),
                Duration.ofSeconds(300), Duration.ofMillis(50));
        AiServiceConfiguration configuration = new AiServiceConfiguration();
        clients = configuration.aiServiceStreamClients(properties, loops);
        return configuration.aiServiceClient(clients, properties, streams, json);
    }

    private static AiRequest request(String query) {
        return new AiRequest("u1", null, null, query, List.of(), null);
    }

    @Test
    void acceptsOnTheStatusThenRelaysTokensAndDone() {
        AtomicBoolean accepted = new AtomicBoolean();
        List<AiStreamEvent> events = new CopyOnWriteArrayList<>();
        client(ai.url(), 10, true).stream(request("hello"), () -> accepted.set(true), events::add)
                .block(Duration.ofSeconds(10));
        assertThat(accepted).isTrue();
        assertThat(events).hasSize(6);
        assertThat(events.get(5)).isInstanceOf(AiStreamEvent.Done.class);
        assertThat(ai.lastCallFor("hello").body.get("source").asString()).isEqualTo("main_app");
    }

    /**
     * Each stream is read on the loop it was asked for (the user's socket's), also when a kept-alive connection of
     * another loop is idle: with one pool for all loops, either leasing order (FIFO or LIFO) would hand one of these
     * streams a connection of the wrong loop.
     */
    @Test
    void readsEveryStreamOnTheLoopItWasAskedFor() {
        AiServiceClient client = client(ai.url(), 10, true);
        for (int index : new int[] {0, 1, 1, 0, 1, 0}) {
            io.netty.channel.EventLoop loop = loops.loops().get(index);
            List<Boolean> onLoop = new CopyOnWriteArrayList<>();
            client.stream(request("hello"), loop, () -> onLoop.add(loop.inEventLoop()),
                    event -> onLoop.add(loop.inEventLoop())).block(Duration.ofSeconds(10));
            assertThat(onLoop).hasSize(7).containsOnly(true);
        }
    }

    @Test
    void keepsRelayingAfterAProgressEventUntilDone() {
        ai.onQuestion("deep", AiReply.tokens("a", "b").withProgress(0, 1, 2, "plan", "Plan")
                .withProgress(1, 2, 2, "conclusion", "End"));
        List<AiStreamEvent> events = new CopyOnWriteArrayList<>();
        client(ai.url(), 10, true).stream(request("deep"), () -> { }, events::add).block(Duration.ofSeconds(10));
        assertThat(events).extracting(e -> e.getClass().getSimpleName())
                .containsExactly("Progress", "Token", "Progress", "Token", "Done");
        assertThat(events.get(2)).isEqualTo(new AiStreamEvent.Progress(2, 2, "conclusion", "End"));
    }

    @Test
    void aDeadAiServiceIsUnavailableAfterTwoRetriesWithinFiveSeconds() throws IOException {
        int deadPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            deadPort = socket.getLocalPort();
        }
        long begin = System.nanoTime();
        AtomicBoolean accepted = new AtomicBoolean();
        Throwable error = client("http://127.0.0.1:" + deadPort, 10, true)
                .stream(request("anyone?"), () -> accepted.set(true), e -> { })
                .materialize().block(Duration.ofSeconds(10)).getThrowable();
        long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - begin);
        assertThat(error).isInstanceOf(AiServiceUnavailableException.class);
        assertThat(accepted).isFalse();
        assertThat(tookMs).as("two retries 1 s apart, then give up").isBetween(1800L, 5000L);
    }

    @Test
    void neverRetriesAfterA4xx() {
        ai.planner = q -> AiReply.status(400);
        Throwable error = client(ai.url(), 10, true).stream(request("bad"), () -> { }, e -> { })
                .materialize().block(Duration.ofSeconds(10)).getThrowable();
        assertThat(error).isInstanceOf(AiServiceUnavailableException.class);
        assertThat(((AiServiceUnavailableException) error).status()).isEqualTo(400);
        assertThat(ai.streamRequests.get()).isEqualTo(1);
    }

    @Test
    void streamsBeyondThePoolFailFastInsteadOfQueueing() {
        ai.planner = q -> AiReply.slow(IntStream.range(0, 100).mapToObj(i -> "x").toList(), Duration.ofMillis(50));
        AiServiceClient client = client(ai.url(), 2, true);
        List<Disposable> running = new CopyOnWriteArrayList<>();
        AtomicBoolean first = new AtomicBoolean();
        AtomicBoolean second = new AtomicBoolean();
        running.add(client.stream(request("one"), () -> first.set(true), e -> { }).subscribe(null, e -> { }));
        running.add(client.stream(request("two"), () -> second.set(true), e -> { }).subscribe(null, e -> { }));
        await().atMost(Duration.ofSeconds(5)).until(() -> first.get() && second.get());

        long begin = System.nanoTime();
        Throwable error = client.stream(request("three"), () -> { }, e -> { }).materialize()
                .block(Duration.ofSeconds(10)).getThrowable();
        long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - begin);
        assertThat(error).isInstanceOf(AiServiceUnavailableException.class);
        assertThat(tookMs).isLessThan(1500);
        assertThat(ai.lastCallFor("three")).isNull();
        running.forEach(Disposable::dispose);
    }

    @Test
    void cancellingTheFluxDisconnectsFromTheAiServiceWithinOneSecond() {
        ai.planner = q -> AiReply.slow(IntStream.range(0, 200).mapToObj(i -> "t").toList(), Duration.ofMillis(20));
        List<AiStreamEvent> seen = new CopyOnWriteArrayList<>();
        Disposable subscription = client(ai.url(), 10, true).stream(request("cancel me"), () -> { }, seen::add)
                .subscribe();
        await().atMost(Duration.ofSeconds(5)).until(() -> seen.size() >= 3);
        FakeAiService.Call call = ai.lastCallFor("cancel me");
        long cancelledAt = System.nanoTime();
        subscription.dispose();
        await().atMost(Duration.ofSeconds(3)).until(() -> call.disconnected);
        assertThat(TimeUnit.NANOSECONDS.toMillis(call.disconnectedAtNanos - cancelledAt)).isLessThan(1000);
        assertThat(call.tokensWritten.get()).isLessThan(200);
    }

    @Test
    void anAiServiceThatFallsSilentTimesOutAfterTheIdleLimit() {
        ai.planner = q -> AiReply.fault(AiReply.Fault.STALL, List.of("a", "b"));
        List<AiStreamEvent> seen = new CopyOnWriteArrayList<>();
        long begin = System.nanoTime();
        Throwable error = client(ai.url(), 10, true, Duration.ofMillis(600))
                .stream(request("silent"), () -> { }, seen::add)
                .materialize().block(Duration.ofSeconds(10)).getThrowable();
        long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - begin);
        assertThat(error).isInstanceOf(java.util.concurrent.TimeoutException.class);
        // The message tells a silent ai-service (the connection open and reading) from a connection that stopped
        // reading.
        assertThat(error.getMessage()).contains("2 events read").contains("active=true autoRead=true");
        assertThat(seen).containsExactly(new AiStreamEvent.Token("a"), new AiStreamEvent.Token("b"));
        assertThat(tookMs).isBetween(500L, 5000L);
    }

    @Test
    void withStreamingOffTheWholeAnswerIsOneTokenThenDone() {
        List<AiStreamEvent> events = new CopyOnWriteArrayList<>();
        client(ai.url(), 10, false).stream(request("blocking"), () -> { }, events::add).block(Duration.ofSeconds(10));
        assertThat(events).hasSize(2);
        assertThat(((AiStreamEvent.Token) events.get(0)).content()).isEqualTo("Answer to: blocking ✓");
        assertThat(events.get(1)).isInstanceOf(AiStreamEvent.Done.class);
    }

    /** The blocking endpoint's answer is held in memory whole, so it is capped: a larger one fails the stream. */
    @Test
    void withStreamingOffAnAnswerOverTheLimitFailsTheStream() {
        ai.onQuestion("huge", AiReply.text("x".repeat(AiServiceClient.MAX_BLOCKING_BODY + 1), 1 << 20));
        List<AiStreamEvent> events = new CopyOnWriteArrayList<>();
        AtomicBoolean accepted = new AtomicBoolean();
        assertThatThrownBy(() -> client(ai.url(), 10, false)
                .stream(request("huge"), () -> accepted.set(true), events::add).block(Duration.ofSeconds(20)))
                .isInstanceOf(AiProtocolException.class);
        assertThat(accepted).isTrue();
        assertThat(events).isEmpty();
    }
}
