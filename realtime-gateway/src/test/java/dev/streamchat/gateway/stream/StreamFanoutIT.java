package dev.streamchat.gateway.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;

import org.json.JSONArray;
import org.json.JSONException;
import org.json.JSONObject;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.test.context.TestPropertySource;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

import io.lettuce.core.Range;
import io.lettuce.core.RedisClient;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.pubsub.RedisPubSubAdapter;

import com.corundumstudio.socketio.AuthTokenResult;
import com.corundumstudio.socketio.SocketIONamespace;

import dev.streamchat.gateway.auth.AuthenticatedUser;
import dev.streamchat.gateway.cluster.UserChannels;
import dev.streamchat.gateway.config.GatewayLoops;
import dev.streamchat.gateway.persistence.RedisConfiguration.GatewayRedis;
import dev.streamchat.gateway.socket.SocketEvents;
import dev.streamchat.gateway.socket.StreamPayloads;
import dev.streamchat.gateway.socket.UserEvents;
import dev.streamchat.gateway.socket.UserSocketLoops;
import dev.streamchat.gateway.testing.FakeAiService;
import dev.streamchat.gateway.testing.UserSocket;
import dev.streamchat.gateway.testing.AiReply;
import dev.streamchat.gateway.testing.GatewayStackTest;

/**
 * The relay through the real netty-socketio server to Java socket.io clients: rooms keep users apart under
 * concurrency, every tab of a user gets everything, and a socket that disconnects and resumes on a new
 * connection gets every seq.
 */
@TestPropertySource(properties = {
        "gateway.ratelimit.chat-per-minute=100",
        "gateway.chat.max-concurrent-streams-per-user=50",
        "gateway.sse.keepalive=1s", // shared with PlainSseIT (one Spring context for both)
})
class StreamFanoutIT extends GatewayStackTest {

    @Value("${spring.data.redis.url}")
    String redisUrl;

    @Autowired
    UserChannels channels;

    @Autowired
    SocketIONamespace namespace;

    @Autowired
    UserEvents events;

    @Autowired
    UserSocketLoops socketLoops;

    @Autowired
    GatewayLoops gatewayLoops;

    @Autowired
    GatewayRedis redis;

    /**
     * A user's WebSocket runs on one of the gateway's loops and is found there, so the user's streams are read on
     * that loop (AiServiceClientTests checks the reading side) and written to the socket without a hand-off.
     */
    @Test
    void aUsersWebSocketIsFoundOnOneOfTheGatewayLoops() throws Exception {
        String user = "loop-" + Long.toHexString(System.nanoTime());
        assertThat(socketLoops.loopOf(user)).isNull();
        try (UserSocket tab = new UserSocket(socketPort, login(user))) {
            await().atMost(Duration.ofSeconds(15)).until(() -> tab.connected.get() && socketLoops.loopOf(user) != null);
            assertThat(gatewayLoops.loops()).contains(socketLoops.loopOf(user));
        }
    }

    /** Redis replies are decoded on a gateway loop (Lettuce runs on them), so the next step needs no hand-off. */
    @Test
    void redisRepliesArriveOnAGatewayLoop() {
        Boolean onGatewayLoop = redis.commands().flatMap(commands -> commands.ping())
                .map(pong -> gatewayLoops.current() != null)
                .block(Duration.ofSeconds(5));
        assertThat(onGatewayLoop).isTrue();
    }

    private static void assertWellFormed(List<UserSocket.Received> events, int expectedTokens) {
        assertThat(events.get(0).event()).isEqualTo("chat-stream-start");
        assertThat(events.get(events.size() - 1).event()).isEqualTo("chat-stream-complete");
        List<Long> seqs = events.stream().filter(e -> e.event().equals("chat-stream-token")).map(UserSocket.Received::seq).toList();
        assertThat(seqs).containsExactlyElementsOf(IntStream.rangeClosed(1, expectedTokens).mapToObj(i -> (long) i).toList());
        assertThat(events.stream().filter(e -> e.event().startsWith("chat-stream-complete") || e.event().equals("chat-stream-error")))
                .hasSize(1);
    }

    @Test
    void twoUsersWithTwentyConcurrentStreamsEachSeeOnlyTheirOwnAndEveryTabSeesEverything() throws Exception {
        String suffix = Long.toHexString(System.nanoTime());
        String alice = login("alice-" + suffix);
        String bob = login("bob-" + suffix);
        AI.planner = q -> AiReply.slow(List.of("a", "b", "c", "d", "e", "f", "g", "h"), Duration.ofMillis(15));
        try (UserSocket aliceTab1 = new UserSocket(socketPort, alice);
             UserSocket aliceTab2 = new UserSocket(socketPort, alice);
             UserSocket bobTab = new UserSocket(socketPort, bob)) {
            await().atMost(Duration.ofSeconds(15)).until(() -> aliceTab1.connected.get() && aliceTab2.connected.get()
                    && bobTab.connected.get());

            List<CompletableFuture<String>> aliceStreams = new ArrayList<>();
            List<CompletableFuture<String>> bobStreams = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                int n = i;
                aliceStreams.add(CompletableFuture.supplyAsync(() -> ask(alice, "alice question " + n)));
                bobStreams.add(CompletableFuture.supplyAsync(() -> ask(bob, "bob question " + n)));
            }
            Set<String> aliceIds = new HashSet<>(aliceStreams.stream().map(CompletableFuture::join).toList());
            Set<String> bobIds = new HashSet<>(bobStreams.stream().map(CompletableFuture::join).toList());
            assertThat(aliceIds).hasSize(20);
            assertThat(bobIds).hasSize(20);

            await().atMost(Duration.ofSeconds(60)).until(() -> aliceTab1.ended() == 20 && aliceTab2.ended() == 20
                    && bobTab.ended() == 20);
            assertThat(aliceTab1.errors()).isEmpty();
            assertThat(bobTab.errors()).isEmpty();

            assertThat(aliceTab1.received).allMatch(e -> aliceIds.contains(e.streamId()));
            assertThat(aliceTab2.received).allMatch(e -> aliceIds.contains(e.streamId()));
            assertThat(bobTab.received).allMatch(e -> bobIds.contains(e.streamId()));
            for (String id : aliceIds) {
                assertWellFormed(aliceTab1.ofStream(id), 8);
                assertWellFormed(aliceTab2.ofStream(id), 8);
                assertThat(aliceTab2.ofStream(id).stream().map(e -> e.payload().toString()).toList())
                        .containsExactlyElementsOf(aliceTab1.ofStream(id).stream().map(e -> e.payload().toString()).toList());
            }
            for (String id : bobIds) {
                assertWellFormed(bobTab.ofStream(id), 8);
            }
        }
    }

    @Test
    void aStopFlagSetInRedisByAnotherNodeStopsTheStreamWithinASecond() throws Exception {
        String token = login("dave-" + Long.toHexString(System.nanoTime()));
        AI.planner = q -> AiReply.slow(IntStream.range(0, 300).mapToObj(i -> "z" + i + " ").toList(), Duration.ofMillis(20));
        try (UserSocket tab = new UserSocket(socketPort, token)) {
            await().atMost(Duration.ofSeconds(15)).until(tab.connected::get);
            String streamId = ask(token, "stopped from elsewhere");
            await().atMost(Duration.ofSeconds(10)).until(() -> tab.ofStream(streamId).size() >= 4);
            FakeAiService.Call call = AI.lastCallFor("stopped from elsewhere");
            // What the stop of another gateway node does: only the durable flag in the stream's meta hash.
            io.lettuce.core.RedisClient redis = io.lettuce.core.RedisClient.create(redisUrl);
            try (var connection = redis.connect()) {
                long flaggedAt = System.nanoTime();
                connection.sync().hset(StreamStore.metaKey(streamId), "stop", "1");
                await().atMost(Duration.ofSeconds(5)).until(() -> call.disconnected);
                assertThat(java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(call.disconnectedAtNanos - flaggedAt))
                        .isLessThan(1000);
            } finally {
                redis.shutdown();
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> tab.ofStream(streamId).stream()
                    .anyMatch(e -> e.event().equals("chat-stream-complete")));
            UserSocket.Received complete = tab.ofStream(streamId).stream()
                    .filter(e -> e.event().equals("chat-stream-complete")).findFirst().orElseThrow();
            assertThat(complete.payload().getBoolean("stopped")).isTrue();
        }
    }

    @Test
    void aSocketThatDisconnectsAndResumesOnANewConnectionGetsEverySeq() throws Exception {
        String token = login("carol-" + Long.toHexString(System.nanoTime()));
        int total = 60;
        AI.planner = q -> AiReply.slow(IntStream.range(0, total).mapToObj(i -> "k" + i + " ").toList(), Duration.ofMillis(30));
        UserSocket first = new UserSocket(socketPort, token);
        await().atMost(Duration.ofSeconds(15)).until(first.connected::get);
        String streamId = ask(token, "resume across sockets");
        await().atMost(Duration.ofSeconds(10)).until(() -> first.ofStream(streamId).size() >= 6);
        first.close();
        List<UserSocket.Received> before = first.ofStream(streamId);
        long lastApplied = before.stream().mapToLong(UserSocket.Received::seq).max().orElse(0);
        FakeAiService.Call call = AI.lastCallFor("resume across sockets");
        await().atMost(Duration.ofSeconds(10)).until(() -> call.tokensWritten.get() >= lastApplied + 10);

        try (UserSocket second = new UserSocket(socketPort, token)) {
            await().atMost(Duration.ofSeconds(15)).until(second.connected::get);
            AtomicReference<JSONObject> ack = second.resume(streamId, lastApplied);
            await().atMost(Duration.ofSeconds(10)).until(() -> ack.get() != null);
            assertThat(ack.get().getBoolean("ok")).isTrue();
            assertThat(ack.get().getString("status")).isIn("running", "complete");
            await().atMost(Duration.ofSeconds(20)).until(() -> second.ofStream(streamId).stream()
                    .anyMatch(e -> e.event().equals("chat-stream-complete")));

            // A client keeps the first copy of each seq and applies them in seq order (live events of the room may
            // overtake the replay): together the two sockets saw every seq, and the new one every seq it missed.
            Set<Long> seen = new java.util.TreeSet<>();
            before.stream().filter(e -> e.event().equals("chat-stream-token")).forEach(e -> seen.add(e.seq()));
            List<Long> resumed = second.ofStream(streamId).stream().filter(e -> e.event().equals("chat-stream-token"))
                    .map(UserSocket.Received::seq).toList();
            seen.addAll(resumed);
            assertThat(seen).containsExactlyElementsOf(IntStream.rangeClosed(1, total).mapToObj(i -> (long) i).toList());
            assertThat(new HashSet<>(resumed)).containsAll(
                    IntStream.rangeClosed((int) lastApplied + 1, total).mapToObj(i -> (long) i).toList());
            // The replay itself runs in seq order from afterSeq + 1.
            int start = resumed.indexOf(lastApplied + 1);
            List<Long> replayRun = new ArrayList<>();
            for (int i = start; i < resumed.size() && (replayRun.isEmpty() || resumed.get(i) == replayRun.get(replayRun.size() - 1) + 1); i++) {
                replayRun.add(resumed.get(i));
            }
            assertThat(replayRun.size()).isGreaterThanOrEqualTo(10);
            // Duplicates carry the identical payload.
            Map<Long, String> firstCopy = new java.util.HashMap<>();
            for (UserSocket.Received e : second.ofStream(streamId)) {
                if (e.event().equals("chat-stream-token")) {
                    String previous = firstCopy.putIfAbsent(e.seq(), e.payload().toString());
                    if (previous != null) {
                        assertThat(e.payload().toString()).isEqualTo(previous);
                    }
                }
            }
        }
    }

    /**
     * netty-socketio runs the authentication listeners (the socket joins its user's room there) before it queues the
     * CONNECT reply, so a stream event emitted to the room at that moment (a tab connecting while its user's answer
     * streams) used to reach the client ahead of CONNECT: socket.io-client-java then delivers it, once connected, with
     * the event name as its payload (a String), and no client may see events of a socket that is not connected. An
     * authentication listener registered last emits exactly in that window: the event must arrive after CONNECT, once,
     * as the object it is.
     */
    @Test
    void aStreamEventEmittedWhileTheSocketIsBeingAcceptedArrivesAfterItsConnectAsAnObject() throws Exception {
        String userId = "gina-" + Long.toHexString(System.nanoTime());
        String token = login(userId);
        String streamId = "accept-window-" + userId;
        namespace.addAuthTokenListener((authData, client) -> {
            AuthenticatedUser user = client.get(AuthenticatedUser.SOCKET_KEY);
            if (user != null && user.userId().equals(userId)) {
                events.emit(userId, SocketEvents.STREAM_START,
                        new StreamPayloads.Started("session-" + userId, streamId, "message-" + userId, null));
            }
            return AuthTokenResult.AuthTokenResultSuccess;
        });
        UserSocket tab = new UserSocket(socketPort, token);
        try {
            await().atMost(Duration.ofSeconds(15)).until(() -> tab.connected.get()
                    && (!tab.ofStream(streamId).isEmpty() || !tab.notObjects.isEmpty()));
            tab.assertPayloadsWereObjects();
            List<UserSocket.Received> received = tab.ofStream(streamId);
            assertThat(received).extracting(UserSocket.Received::event).containsExactly("chat-stream-start");
            assertThat(received.get(0).payload().getString("messageId")).isEqualTo("message-" + userId);
        } finally {
            tab.close();
        }
    }

    /** A Deep Research answer as the ai-service streams it: progress events between the tokens. */
    static AiReply deepResearch(String... tokens) {
        return AiReply.slow(List.of(tokens), Duration.ofMillis(5))
                .withProgress(0, 1, 3, "plan", "Research plan")
                .withProgress(2, 2, 3, "research", "How does the heart pump?")
                .withProgress(4, 3, 3, "conclusion", "Conclusion");
    }

    /** What a client that saw these events renders, in arrival order: tokens as text, progress as (seq:phase). */
    static String rendered(List<UserSocket.Received> events) {
        StringBuilder out = new StringBuilder();
        for (UserSocket.Received e : events) {
            if (e.event().equals("chat-stream-token")) {
                out.append(e.seq()).append('=').append(e.payload().optString("token")).append(' ');
            } else if (e.event().equals("chat-stream-progress")) {
                out.append(e.seq()).append(":").append(e.payload().optString("phase")).append(' ');
            }
        }
        return out.toString().trim();
    }

    @Test
    void deepResearchProgressIsRelayedInTheStreamsSeqSpaceAndReplayedByResumeLikeTokens() throws Exception {
        String token = login("erin-" + Long.toHexString(System.nanoTime()));
        String question = "deep research relay " + System.nanoTime();
        AI.onQuestion(question, deepResearch("Plan. ", "Heart ", "pumps ", "blood. ", "Done", "."));
        String expected = "1:plan 2=Plan.  3=Heart  4:research 5=pumps  6=blood.  7:conclusion 8=Done 9=.";
        try (UserSocket live = new UserSocket(socketPort, token)) {
            await().atMost(Duration.ofSeconds(15)).until(live.connected::get);
            String streamId = ask(token, question);
            await().atMost(Duration.ofSeconds(15)).until(() -> live.ofStream(streamId).stream()
                    .anyMatch(e -> e.event().equals("chat-stream-complete")));
            List<UserSocket.Received> events = live.ofStream(streamId);
            assertThat(events.get(0).event()).isEqualTo("chat-stream-start");
            assertThat(events.get(events.size() - 1).event()).isEqualTo("chat-stream-complete");
            assertThat(rendered(events)).isEqualTo(expected);
            JSONObject research = events.stream().filter(e -> e.event().equals("chat-stream-progress"))
                    .skip(1).findFirst().orElseThrow().payload();
            List<String> keys = new ArrayList<>();
            research.keys().forEachRemaining(k -> keys.add(String.valueOf(k)));
            assertThat(keys).containsExactlyInAnyOrder("sessionId", "streamId", "seq", "iteration", "of", "phase", "title");
            assertThat(research.getString("streamId")).isEqualTo(streamId);
            assertThat(research.getLong("seq")).isEqualTo(4);
            assertThat(research.getInt("iteration")).isEqualTo(2);
            assertThat(research.getInt("of")).isEqualTo(3);
            assertThat(research.getString("title")).isEqualTo("How does the heart pump?");
            // The progress titles are not part of the saved reply.
            assertThat(events.get(events.size() - 1).payload().getString("content")).isEqualTo("Plan. Heart pumps blood. Done.");

            // chat-resume replays progress from the Redis log in its place, byte-identical to the live events.
            try (UserSocket late = new UserSocket(socketPort, token)) {
                await().atMost(Duration.ofSeconds(15)).until(late.connected::get);
                AtomicReference<JSONObject> ack = late.resume(streamId, 3);
                await().atMost(Duration.ofSeconds(10)).until(() -> late.ofStream(streamId).stream()
                        .anyMatch(e -> e.event().equals("chat-stream-complete")));
                assertThat(ack.get().getString("status")).isEqualTo("complete");
                assertThat(rendered(late.ofStream(streamId))).isEqualTo(expected.substring(expected.indexOf("4:research")));
                List<String> livePayloads = events.stream().filter(e -> e.seq() >= 4).map(e -> e.payload().toString()).toList();
                assertThat(late.ofStream(streamId).stream().filter(e -> e.seq() >= 4).map(e -> e.payload().toString()).toList())
                        .isEqualTo(livePayloads);
            }
        }
    }

    /**
     * The resume flush publishes a stream's frame for other nodes only while another node listens on the user's
     * channel: a user whose sockets are all on this node costs no PUBLISH per flush, and this node no read of its own
     * echo. A pattern subscription watches what is published without counting as a listener (PUBSUB NUMSUB counts
     * channel subscribers only); a plain subscriber stands for another node.
     */
    @Test
    void streamFramesArePublishedOnlyWhileAnotherNodeListensOnTheUsersChannel() throws Exception {
        String userId = "frank-" + Long.toHexString(System.nanoTime());
        String token = login(userId);
        AI.planner = q -> AiReply.slow(List.of("p", "q", "r", "s", "t", "u"), Duration.ofMillis(40));
        RedisClient redis = RedisClient.create(redisUrl);
        try (UserSocket tab = new UserSocket(socketPort, token);
             var watch = redis.connectPubSub();
             var otherNode = redis.connectPubSub()) {
            List<String> published = new CopyOnWriteArrayList<>();
            watch.addListener(new RedisPubSubAdapter<>() {
                @Override
                public void message(String pattern, String channel, String message) {
                    published.add(message);
                }
            });
            watch.sync().psubscribe(UserChannels.channel(userId));
            await().atMost(Duration.ofSeconds(15)).until(() -> tab.connected.get() && channels.isSubscribed(userId));

            String alone = ask(token, "only this node listens");
            await().atMost(Duration.ofSeconds(20)).until(() -> tab.ofStream(alone).stream()
                    .anyMatch(e -> e.event().equals("chat-stream-complete")));
            assertWellFormed(tab.ofStream(alone), 6);
            assertThat(published).noneMatch(message -> message.contains(alone));

            List<String> received = new CopyOnWriteArrayList<>();
            otherNode.addListener(new RedisPubSubAdapter<>() {
                @Override
                public void message(String channel, String message) {
                    received.add(message);
                }
            });
            otherNode.sync().subscribe(UserChannels.channel(userId));
            String shared = ask(token, "another node listens");
            await().atMost(Duration.ofSeconds(20)).until(() -> tab.ofStream(shared).stream()
                    .anyMatch(e -> e.event().equals("chat-stream-complete")));
            assertWellFormed(tab.ofStream(shared), 6);
            await().atMost(Duration.ofSeconds(5)).until(() -> received.stream()
                    .anyMatch(message -> message.contains(shared) && message.contains("\"end\":{")));
            assertThat(received.stream().filter(message -> message.contains(shared))).allMatch(published::contains);
        } finally {
            redis.shutdown();
        }
    }

    /**
     * The resume log costs Redis one script call per stream per batch ({@code resume-batch}, 250 ms), not one per flush
     * tick (50 ms), while only this node reads the stream; once another node listens on the user's channel (known from
     * the first flush's answer) the tokens go every tick, so that node relays them with no more delay than before.
     * 40 tokens 20 ms apart per stream; each log entry with tokens is one flush that carried them.
     */
    @Test
    void aStreamOnlyThisNodeReadsIsLoggedInBatchesAndOneAnotherNodeReadsEveryTick() throws Exception {
        String userId = "gina-" + Long.toHexString(System.nanoTime());
        String token = login(userId);
        List<String> forty = IntStream.range(0, 40).mapToObj(i -> "w" + i + " ").toList();
        AI.planner = q -> AiReply.slow(forty, Duration.ofMillis(20));
        RedisClient redis = RedisClient.create(redisUrl);
        try (UserSocket tab = new UserSocket(socketPort, token);
             var commands = redis.connect();
             var otherNode = redis.connectPubSub()) {
            await().atMost(Duration.ofSeconds(15)).until(() -> tab.connected.get() && channels.isSubscribed(userId));
            String alone = ask(token, "only this node reads it");
            await().atMost(Duration.ofSeconds(20)).until(() -> tab.ofStream(alone).stream()
                    .anyMatch(e -> e.event().equals("chat-stream-complete")));

            otherNode.sync().subscribe(UserChannels.channel(userId));
            String shared = ask(token, "another node reads it");
            await().atMost(Duration.ofSeconds(20)).until(() -> tab.ofStream(shared).stream()
                    .anyMatch(e -> e.event().equals("chat-stream-complete")));

            List<Integer> aloneBatches = loggedTokenBatches(commands.sync(), alone);
            List<Integer> sharedBatches = loggedTokenBatches(commands.sync(), shared);
            assertThat(aloneBatches.stream().mapToInt(Integer::intValue).sum()).isEqualTo(40);
            assertThat(sharedBatches.stream().mapToInt(Integer::intValue).sum()).isEqualTo(40);
            assertThat(aloneBatches).as("0.8 s of tokens in 250 ms batches (one per 50 ms tick would be ~16)")
                    .hasSizeLessThanOrEqualTo(7);
            assertThat(sharedBatches).as("0.8 s of tokens, one batch per 50 ms tick").hasSizeGreaterThanOrEqualTo(9);
        } finally {
            redis.shutdown();
        }
    }

    /** The number of tokens in each entry of a stream's resume log that carries tokens, in order. */
    private static List<Integer> loggedTokenBatches(RedisCommands<String, String> redis, String streamId)
            throws JSONException {
        List<Integer> batches = new ArrayList<>();
        for (StreamMessage<String, String> entry : redis.xrange(StreamStore.eventsKey(streamId), Range.create("-", "+"))) {
            if ("tok".equals(entry.getBody().get("t"))) {
                batches.add(new JSONArray(entry.getBody().get("d")).length());
            }
        }
        return batches;
    }
}
