package dev.streamchat.gateway.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;

import org.bson.Document;
import org.json.JSONObject;
import org.junit.jupiter.api.Test;
import org.springframework.data.mongodb.core.ReactiveMongoTemplate;

import com.mongodb.client.model.Filters;

import dev.streamchat.gateway.config.GatewayCluster;
import dev.streamchat.gateway.testing.AiReply;
import dev.streamchat.gateway.testing.HeapHistogram;
import dev.streamchat.gateway.testing.MultiNodeTest;
import dev.streamchat.gateway.testing.UserSocket;
import reactor.core.publisher.Mono;

/**
 * A bounded soak on two nodes: many sockets of a few users spread over both nodes, many concurrent streams, tabs that
 * drop at random and come back on the other node with {@code chat-resume}, and the MongoDB-wire server stopped and
 * restarted while streams end. Then: every stream's reply saved exactly once with its whole text; no quota drift (each
 * user's MongoDB count and charged ids, the free plan's Redis count and {@code GET /quota} on both nodes equal its
 * completed streams, no reservation left); every socket saw each stream's seqs contiguous (after its resume ack),
 * each once but for the contract's identical live/replayed copy, and the whole text across a tab's sockets; no Redis
 * key without a TTL; the heap after a full GC within 10 % of its start, both readings taken once the test's own
 * client threads have ended (the nodes share this JVM with the test's hundreds of tabs).
 * <p>
 * Its size comes from system properties ({@code soak.sockets}, {@code soak.streams}, {@code soak.tokens}): the
 * defaults are the small version {@code mvn verify} runs; {@code bench/soak.sh} runs 500 sockets and 100 streams.
 */
@MultiNodeTest.Nodes(value = 2, properties = {"gateway.socket.max-per-user=1000", "gateway.reply.save-window=1500ms",
        "gateway.reply.replay-interval=500ms",
        "gateway.quota.free-chats-per-month=100000"})
class ClusterSoakIT extends MultiNodeTest {

    static final int SOCKETS = Integer.getInteger("soak.sockets", 60);
    static final int STREAMS = Integer.getInteger("soak.streams", 20);
    static final int TOKENS = Integer.getInteger("soak.tokens", 100);
    static final int USERS = Math.max(1, STREAMS / 2);
    /** Tabs per node the warm-up opens: more than a node's socket event loops, so each has started its thread. */
    static final int WARM_TABS_PER_NODE = 8;
    static final Duration TOKEN_GAP = Duration.ofMillis(Integer.getInteger("soak.tokenGapMs", 30));


    /** One browser tab: the sockets it used in turn (each later one on the other node, resuming). */
    static final class Tab {
        final int user;
        final String token;
        final List<Socket> sockets = new CopyOnWriteArrayList<>();

        Tab(int user, String token) {
            this.user = user;
            this.token = token;
        }

        Socket current() {
            return sockets.get(sockets.size() - 1);
        }
    }

    /** One socket of a tab and, per stream it resumed, how many events had arrived when the resume ack came. */
    record Socket(UserSocket socket, int nodeIndex, Map<String, Long> resumedAfter, Map<String, Integer> ackAt) {
    }

    static String question(int stream) {
        return "soak " + stream;
    }

    static List<String> answer(String question) {
        String prefix = "s" + question.substring(question.indexOf(' ') + 1) + "w";
        return tokens(prefix, TOKENS);
    }

    /** Live threads by name, digits folded ({@code OkHttp Dispatcher}, {@code epollEventLoopGroup-#-#}, ...). */
    static Map<String, Long> threadsByName() {
        return Thread.getAllStackTraces().keySet().stream().collect(Collectors.groupingBy(
                t -> t.getName().replaceAll("[0-9]+", "#"), TreeMap::new, Collectors.counting()));
    }

    /**
     * The heap is the gateway nodes' measure, not this JVM's test clients': their pools (a handshake thread per tab,
     * the fake model's request threads) end 2 s after going idle, and both heap readings wait for that.
     */
    static void awaitTestThreadsGone() {
        await().atMost(Duration.ofSeconds(30)).until(() -> UserSocket.clientThreads() == 0 && ai.threads() == 0);
    }

    static long heapAfterGc() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    @Test
    void manySocketsStreamsDropsAndAMongoOutageLoseAndDoubleNothing() throws Exception {
        long startedAt = System.nanoTime();
        ai.planner = q -> AiReply.slow(answer(q), TOKEN_GAP);
        List<String> users = new ArrayList<>();
        List<String> tokens = new ArrayList<>();
        String run = Long.toHexString(System.nanoTime());
        for (int u = 0; u < USERS; u++) {
            users.add("soak-" + run + "-" + u);
            // Odd users on the free plan: their streams reserve quota in Redis and count it there too.
            tokens.add(login(cluster.node(u % 2), users.get(u), u % 2 == 1 ? "free" : "pro"));
        }
        // Warm-up (classes, pools, caches, each node's socket event loops), then the heap baseline once the test's
        // own client threads are gone.
        String warmId;
        List<UserSocket> warmTabs = new ArrayList<>();
        try (UserSocket warm = connectedTab(cluster.node(1), tokens.get(0))) {
            for (int i = 0; i < WARM_TABS_PER_NODE; i++) {
                warmTabs.add(new UserSocket(cluster.node(0).socketPort(), tokens.get(0)));
                warmTabs.add(new UserSocket(cluster.node(1).socketPort(), tokens.get(0)));
            }
            await().atMost(Duration.ofSeconds(60)).until(() -> warmTabs.stream().allMatch(t -> t.connected.get()));
            awaitSubscribed(cluster.node(1), users.get(0));
            String id = askStream(cluster.node(0), tokens.get(0), "warm up");
            await().atMost(Duration.ofSeconds(30)).until(() -> warm.finalOf(id) != null);
            warmId = id;
        } finally {
            warmTabs.forEach(UserSocket::close);
        }
        awaitTestThreadsGone();
        long heapBefore = heapAfterGc();
        Path histogramBefore = Files.writeString(Files.createTempFile("soak-heap", ".txt"), HeapHistogram.text());
        Map<String, Long> threadsBefore = threadsByName();

        List<Tab> tabs = new ArrayList<>();
        for (int i = 0; i < SOCKETS; i++) {
            int user = i % USERS;
            Tab tab = new Tab(user, tokens.get(user));
            int node = (i / USERS) % 2; // each user's tabs alternate between the nodes
            tab.sockets.add(new Socket(new UserSocket(cluster.node(node).socketPort(), tab.token), node,
                    new ConcurrentHashMap<>(), new ConcurrentHashMap<>()));
            tabs.add(tab);
            if (tabs.size() % 50 == 0 || i == SOCKETS - 1) {
                // In batches: a burst of hundreds of handshakes on a loaded machine is not what is measured here.
                await().atMost(Duration.ofSeconds(120)).until(() -> tabs.stream().allMatch(t -> t.current().socket().connected.get()
                        || t.current().socket().connectError.get() != null));
                assertThat(tabs.stream().map(t -> t.current().socket().connectError.get()).filter(e -> e != null).toList())
                        .as("connect errors").isEmpty();
            }
        }
        for (int u = 0; u < USERS; u++) {
            awaitSubscribed(cluster.node(0), users.get(u));
            awaitSubscribed(cluster.node(1), users.get(u));
        }

        // The streams: user s % USERS, started on node s % 2.
        Map<String, Integer> streamOfId = new ConcurrentHashMap<>();
        Map<String, String> sessionOf = new ConcurrentHashMap<>();
        List<String> streamIds = new ArrayList<>();
        for (int s = 0; s < STREAMS; s++) {
            int user = s % USERS;
            Map<?, ?> accepted = ask(cluster.node(s % 2), tokens.get(user), question(s));
            String streamId = (String) accepted.get("streamId");
            streamIds.add(streamId);
            streamOfId.put(streamId, s);
            sessionOf.put(streamId, (String) accepted.get("sessionId"));
        }
        Map<Integer, List<String>> streamsOfUser = new HashMap<>();
        for (String id : streamIds) {
            streamsOfUser.computeIfAbsent(streamOfId.get(id) % USERS, u -> new ArrayList<>()).add(id);
        }

        // Random drops: a tab's socket closes and the tab comes back on the other node, resuming what it has not seen end.
        Random random = new Random(42);
        AtomicInteger drops = new AtomicInteger();
        // The MongoDB outage, on its own thread: down once the first stream is half way, back once a reply ended
        // while it was down (persisted: false).
        java.util.concurrent.CompletableFuture<Void> outage = java.util.concurrent.CompletableFuture.runAsync(() -> {
            await().atMost(Duration.ofSeconds(60)).until(() -> ai.calls.stream().anyMatch(c -> c.tokensWritten.get() >= TOKENS / 2));
            cluster.stopMongo();
            await().atMost(Duration.ofSeconds(120)).until(() -> anyCompleteUnpersisted(tabs));
            cluster.startMongo();
        });
        long deadline = System.nanoTime() + Duration.ofSeconds(Math.max(120, STREAMS)).toNanos();
        while (!allEnded(tabs, streamsOfUser) && System.nanoTime() < deadline) {
            if (drops.get() < SOCKETS / 3) {
                Tab tab = tabs.get(random.nextInt(tabs.size()));
                swap(tab, streamsOfUser.getOrDefault(tab.user, List.of()));
                drops.incrementAndGet();
            }
            // Paced by the streams: the next drop once they moved on (or ended).
            long mark = received(tabs);
            await().atMost(Duration.ofSeconds(10)).until(() -> received(tabs) > mark + SOCKETS || allEnded(tabs, streamsOfUser));
        }
        try {
            outage.get(60, java.util.concurrent.TimeUnit.SECONDS);
        } finally {
            cluster.startMongoIfStopped();
        }
        assertThat(allEnded(tabs, streamsOfUser)).as("every tab saw every stream of its user end").isTrue();

        // Saved once each, whole text, and charged once per stream.
        await().atMost(Duration.ofSeconds(60)).until(() -> streamIds.stream().allMatch(id -> session(sessionOf.get(id)) != null));
        for (String id : streamIds) {
            String expected = String.join("", answer(question(streamOfId.get(id))));
            @SuppressWarnings("unchecked")
            List<Document> messages = (List<Document>) session(sessionOf.get(id)).get("messages");
            assertThat(messages).as("stream %s saved once", id).hasSize(2);
            assertThat(messages.get(1).getString("content")).isEqualTo(expected);
        }
        // No quota drift: each free user charged once per completed stream (MongoDB count and its charged ids, Redis's
        // count equal to it, no reservation left), each pro user not at all, and GET /quota on either node the same.
        await().atMost(Duration.ofSeconds(30)).until(() -> pendingReplies() == 0);
        for (int u = 0; u < USERS; u++) {
            List<String> owned = new ArrayList<>(streamsOfUser.getOrDefault(u, List.of()));
            if (u == 0) {
                owned.add(warmId);
            }
            assertQuotaExact(users.get(u), tokens.get(u), u % 2 == 1, owned);
        }
        for (int s = 0; s < STREAMS; s++) {
            int stream = s;
            assertThat(ai.calls.stream().filter(c -> c.query().equals(question(stream)))).as("one model call per stream").hasSize(1);
        }

        // Every socket: contiguous seqs, no duplicate, the final event's text whole.
        long checkedSockets = 0;
        long seenTokens = 0;
        AtomicInteger repeats = new AtomicInteger();
        for (Tab tab : tabs) {
            for (String id : streamsOfUser.getOrDefault(tab.user, List.of())) {
                String expected = String.join("", answer(question(streamOfId.get(id))));
                long covered = 0;
                for (Socket socket : tab.sockets) {
                    List<UserSocket.Received> events = new ArrayList<>(socket.socket().ofStream(id));
                    long from = 1;
                    if (socket.resumedAfter().containsKey(id)) {
                        from = socket.resumedAfter().get(id) + 1;
                        int at = socket.ackAt().getOrDefault(id, 0);
                        events = new ArrayList<>(socket.socket().received.stream().skip(at)
                                .filter(e -> id.equals(e.streamId())).toList());
                    } else if (socket != tab.sockets.get(0)) {
                        continue; // opened after the stream ended for this tab: it did not ask for it
                    }
                    // The contract lets a seq arrive twice (live and replayed) with an identical payload; the client
                    // keeps the first copy. Anything else repeated, or any gap in what it keeps, fails.
                    List<Long> seqs = firstCopies(events, id);
                    repeats.addAndGet(seqs(events).size() - seqs.size());
                    if (!seqs.isEmpty()) {
                        assertThat(seqs).as("socket seqs of %s", id).containsExactlyElementsOf(range(from, from + seqs.size() - 1));
                        covered = Math.max(covered, from + seqs.size() - 1);
                    }
                    seenTokens += seqs.size();
                    UserSocket.Received fin = events.stream().filter(e -> e.event().equals("chat-stream-complete")).findFirst().orElse(null);
                    if (fin != null) {
                        assertThat(fin.payload().getString("content")).isEqualTo(expected);
                        assertThat(events.stream().filter(e -> e.event().equals("chat-stream-complete")
                                || e.event().equals("chat-stream-error"))).hasSize(1);
                        covered = Math.max(covered, from - 1);
                    }
                    checkedSockets++;
                }
                assertThat(covered).as("tab covered every seq of %s", id).isEqualTo(TOKENS);
            }
        }
        for (Tab tab : tabs) {
            tab.sockets.forEach(s -> s.socket().close());
        }
        int sockets = tabs.stream().mapToInt(t -> t.sockets.size()).sum();
        // What this test itself recorded (every event of every socket, the fake's calls) is not the gateway's heap.
        tabs.clear();
        ai.calls.clear();
        await().atMost(Duration.ofSeconds(60)).until(() -> pendingReplies() == 0);
        await().atMost(Duration.ofSeconds(30)).until(() -> keysWithoutTtl().isEmpty());
        awaitTestThreadsGone();
        long heapAfter = heapAfterGc();
        if (heapAfter > heapBefore * 1.10 || Boolean.getBoolean("soak.heapReport")) {
            // Say by what: the classes that grew most and the threads that were not there before.
            HeapHistogram after = HeapHistogram.take();
            System.out.println("SOAK heap grew by (after GC, bytes, objects, class):");
            after.grownSince(HeapHistogram.parse(Files.readString(histogramBefore)), 40).forEach(System.out::println);
            Map<String, Long> threadsAfter = threadsByName();
            threadsAfter.forEach((name, n) -> {
                if (!n.equals(threadsBefore.get(name))) {
                    System.out.println("SOAK threads " + name + ": " + threadsBefore.getOrDefault(name, 0L) + " -> " + n);
                }
            });
        }
        Files.deleteIfExists(histogramBefore);
        long tookMs = (System.nanoTime() - startedAt) / 1_000_000;
        System.out.printf("SOAK nodes=2 sockets=%d (opened %d) users=%d streams=%d tokens/stream=%d drops=%d "
                        + "socket-streams-checked=%d tokens-seen=%d repeated-seqs=%d mongo-outage=yes heapBefore=%dMB heapAfter=%dMB (%+.1f%%) took=%dms%n",
                SOCKETS, sockets, USERS, STREAMS, TOKENS, drops.get(), checkedSockets, seenTokens, repeats.get(), heapBefore >> 20, heapAfter >> 20,
                (heapAfter - heapBefore) * 100.0 / heapBefore, tookMs);
        assertThat(heapAfter).as("heap after GC within 10 %% of its start").isLessThanOrEqualTo((long) (heapBefore * 1.10));
    }

    /** The token seqs a client keeps (the first copy of each); a later copy must be identical to the first. */
    static List<Long> firstCopies(List<UserSocket.Received> events, String streamId) {
        Map<Long, String> first = new java.util.LinkedHashMap<>();
        for (UserSocket.Received event : events) {
            if (!event.event().equals("chat-stream-token")) {
                continue;
            }
            String payload = event.payload().toString();
            String kept = first.putIfAbsent(event.seq(), payload);
            if (kept != null) {
                assertThat(payload).as("seq %d of %s repeated with another payload", event.seq(), streamId).isEqualTo(kept);
            }
        }
        return new ArrayList<>(first.keySet());
    }

    /**
     * A free user was charged exactly once for each of {@code streams}: MongoDB's count and its remembered charged ids,
     * Redis's count of the month and no reservation left, and {@code GET /quota} on each node. A pro user was charged
     * nothing (contract section 4: only free-plan replies are counted).
     */
    static void assertQuotaExact(String userId, String token, boolean free, List<String> streams) {
        Document user = cluster.node(0).bean(ReactiveMongoTemplate.class).getCollection("users")
                .flatMap(c -> Mono.from(c.find(Filters.eq("_id", userId)).first()))
                .block(Duration.ofSeconds(10));
        assertThat(user).as("user %s in MongoDB", userId).isNotNull();
        List<String> charged = free ? streams : List.of();
        assertThat(((Number) user.get("chatRequestCount")).longValue()).as("charged replies of %s", userId)
                .isEqualTo(charged.size());
        assertThat(user.getList("charged", String.class, List.of())).as("charged stream ids of %s", userId)
                .containsExactlyInAnyOrderElementsOf(charged);
        if (free) {
            String month = java.time.YearMonth.now(java.time.ZoneOffset.UTC).toString();
            String redisCount = withRedis(redis -> redis.get("chat:quota:{" + userId + "}:used:" + month));
            assertThat(redisCount)
                    .as("Redis count of %s", userId).isEqualTo(Integer.toString(streams.size()));
            long reserved = withRedis(redis -> redis.zcard("chat:quota:{" + userId + "}:reserved"));
            assertThat(reserved)
                    .as("reservations left for %s", userId).isZero();
        }
        for (GatewayCluster.Node node : cluster.nodes()) {
            Map<?, ?> quota = http(node).get().uri("/api/v1/quota")
                    .header(org.springframework.http.HttpHeaders.AUTHORIZATION, "Bearer " + token)
                    .exchange().expectStatus().isOk().expectBody(Map.class).returnResult().getResponseBody();
            assertThat(((Number) quota.get("used")).longValue()).as("GET /quota used of %s", userId)
                    .isEqualTo(charged.size());
            assertThat(((Number) quota.get("reserved")).longValue()).as("GET /quota reserved of %s", userId).isZero();
        }
    }

    /** Closes the tab's socket and opens one on the other node, resuming the user's streams it has not seen end. */
    static void swap(Tab tab, List<String> streams) {
        Socket old = tab.current();
        Map<String, Long> applied = new HashMap<>();
        for (String id : streams) {
            applied.put(id, contiguous(tab, id));
        }
        old.socket().close();
        int node = 1 - old.nodeIndex();
        UserSocket fresh = new UserSocket(cluster.node(node).socketPort(), tab.token);
        Socket next = new Socket(fresh, node, new ConcurrentHashMap<>(), new ConcurrentHashMap<>());
        tab.sockets.add(next);
        await().atMost(Duration.ofSeconds(15)).until(fresh.connected::get);
        for (String id : streams) {
            if (endedFor(tab, id, old)) {
                continue;
            }
            long after = applied.get(id);
            next.resumedAfter().put(id, after);
            AtomicReference<JSONObject> ack = new AtomicReference<>();
            try {
                fresh.socket.emit("chat-resume", new JSONObject().put("streamId", id).put("afterSeq", after),
                        (io.socket.client.Ack) args -> {
                            next.ackAt().put(id, fresh.received.size());
                            ack.set((JSONObject) args[0]);
                        });
            } catch (org.json.JSONException e) {
                throw new IllegalStateException(e);
            }
            await().atMost(Duration.ofSeconds(15)).until(() -> ack.get() != null);
            assertThat(ack.get().optBoolean("ok")).as("resume of %s: %s", id, ack.get()).isTrue();
        }
    }

    /** The last seq the tab applied without a gap (what a client sends as afterSeq). */
    static long contiguous(Tab tab, String streamId) {
        java.util.Set<Long> seen = new java.util.HashSet<>();
        for (Socket socket : tab.sockets) {
            seen.addAll(seqs(socket.socket().ofStream(streamId)));
        }
        long last = 0;
        while (seen.contains(last + 1)) {
            last++;
        }
        return last;
    }

    static boolean endedFor(Tab tab, String streamId, Socket upTo) {
        for (Socket socket : tab.sockets) {
            if (socket.socket().finalOf(streamId) != null) {
                return true;
            }
            if (socket == upTo) {
                break;
            }
        }
        return false;
    }

    static boolean allEnded(List<Tab> tabs, Map<Integer, List<String>> streamsOfUser) {
        for (Tab tab : tabs) {
            for (String id : streamsOfUser.getOrDefault(tab.user, List.of())) {
                if (tab.sockets.stream().noneMatch(s -> s.socket().finalOf(id) != null)) {
                    return false;
                }
            }
        }
        return true;
    }

    static long received(List<Tab> tabs) {
        return tabs.stream().flatMap(t -> t.sockets.stream()).mapToLong(s -> s.socket().received.size()).sum();
    }

    static boolean anyCompleteUnpersisted(List<Tab> tabs) {
        return tabs.stream().flatMap(t -> t.sockets.stream()).flatMap(s -> s.socket().received.stream())
                .anyMatch(e -> e.event().equals("chat-stream-complete") && !e.payload().optBoolean("persisted", true));
    }

    static Document session(String sessionId) {
        return cluster.node(0).bean(ReactiveMongoTemplate.class).getCollection("chat_sessions")
                .flatMap(c -> Mono.from(c.find(Filters.eq("_id", sessionId)).first()))
                .block(Duration.ofSeconds(10));
    }

    static long pendingReplies() {
        return withRedis(redis -> redis.zcard("chat:reply:pending"));
    }
}
