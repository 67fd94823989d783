package dev.streamchat.gateway.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import org.json.JSONObject;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpHeaders;

import dev.streamchat.gateway.testing.FakeAiService;
import dev.streamchat.gateway.testing.MultiNodeTest;
import dev.streamchat.gateway.testing.UserSocket;
import dev.streamchat.gateway.testing.AiReply;

/**
 * Two gateway nodes sharing one Redis and one MongoDB-wire server, with Java socket.io clients of one user spread
 * over both: a stream run by one node reaches the user's sockets on the other in seq order, each seq once; resume
 * and stop work from the node that does not run the stream; {@code document-ready} reaches every node.
 */
@MultiNodeTest.Nodes(2)
class MultiNodeFanoutIT extends MultiNodeTest {

    @Test
    void everyTabOnEveryNodeGetsEveryEventOfAStreamOnceAndInOrder() throws Exception {
        signInOnTwoNodes("fan");
        int total = 80;
        ai.planner = q -> AiReply.slow(tokens("w", total), Duration.ofMillis(10));
        try (UserSocket onA = connectedTab(a, token);
             UserSocket onB = connectedTab(b, token);
             UserSocket onB2 = connectedTab(b, token)) {
            awaitSubscribed(b, user);
            String streamId = askStream(a, token, "fan out across nodes");
            await().atMost(Duration.ofSeconds(30)).until(() -> onA.ended() == 1 && onB.ended() == 1 && onB2.ended() == 1);

            for (UserSocket tab : List.of(onA, onB, onB2)) {
                List<UserSocket.Received> events = tab.ofStream(streamId);
                assertThat(events.get(0).event()).isEqualTo("chat-stream-start");
                assertThat(seqs(events)).containsExactlyElementsOf(range(1, total));
                assertThat(events.get(events.size() - 1).event()).isEqualTo("chat-stream-complete");
                assertThat(events).hasSize(total + 2);
            }
            // The same payloads on both nodes.
            assertThat(onB.ofStream(streamId).stream().map(e -> e.payload().toString()).toList())
                    .containsExactlyElementsOf(onA.ofStream(streamId).stream().map(e -> e.payload().toString()).toList());

            // Added latency of the other node: arrival on B minus arrival on A, per token.
            List<Long> delays = new ArrayList<>();
            List<UserSocket.Received> onAEvents = onA.ofStream(streamId);
            List<UserSocket.Received> onBEvents = onB.ofStream(streamId);
            for (int i = 0; i < onAEvents.size(); i++) {
                delays.add((onBEvents.get(i).atNanos() - onAEvents.get(i).atNanos()) / 1_000);
            }
            List<Long> sorted = delays.stream().sorted().toList();
            System.out.printf("FANOUT added latency (us) over %d events: p50=%d p90=%d p99=%d max=%d%n", sorted.size(),
                    sorted.get(sorted.size() / 2), sorted.get(sorted.size() * 9 / 10), sorted.get(sorted.size() * 99 / 100),
                    sorted.get(sorted.size() - 1));
        }
    }

    /** {@code INFO commandstats} as command -> {calls, usec}. */
    static Map<String, long[]> commandStats() {
        return withRedis(redis -> {
            Map<String, long[]> stats = new java.util.TreeMap<>();
            for (String line : redis.info("commandstats").split("\r?\n")) {
                java.util.regex.Matcher m = java.util.regex.Pattern
                        .compile("cmdstat_(\\w+):calls=(\\d+),usec=(\\d+)").matcher(line);
                if (m.find()) {
                    stats.put(m.group(1), new long[] {Long.parseLong(m.group(2)), Long.parseLong(m.group(3))});
                }
            }
            return stats;
        });
    }

    /**
     * What fan-out costs Redis per token: with tabs on both nodes, 20 concurrent streams of 100 tokens at 50 tokens/s,
     * the Redis commands (and their server time) per relayed token, from {@code INFO commandstats} deltas. The batch
     * per flush keeps it well under one script call per token.
     */
    @Test
    void redisWorkPerTokenIsAFractionOfOneCall() throws Exception {
        signInOnTwoNodes("cost");
        int streams = 20;
        int perStream = 100;
        ai.planner = q -> AiReply.slow(tokens("c", perStream), Duration.ofMillis(20));
        try (UserSocket onA = connectedTab(a, token);
             UserSocket onB = connectedTab(b, token)) {
            awaitSubscribed(b, user);
            Map<String, long[]> before = commandStats();
            List<java.util.concurrent.CompletableFuture<String>> started = new ArrayList<>();
            for (int i = 0; i < streams; i++) {
                int n = i;
                started.add(java.util.concurrent.CompletableFuture.supplyAsync(() -> askStream(a, token, "cost " + n)));
            }
            started.forEach(java.util.concurrent.CompletableFuture::join);
            await().atMost(Duration.ofSeconds(90)).until(() -> onA.ended() == streams && onB.ended() == streams);
            Map<String, long[]> after = commandStats();
            long tokensRelayed = (long) streams * perStream;
            long calls = 0;
            long usec = 0;
            StringBuilder detail = new StringBuilder();
            for (Map.Entry<String, long[]> entry : after.entrySet()) {
                long[] was = before.getOrDefault(entry.getKey(), new long[2]);
                long dCalls = entry.getValue()[0] - was[0];
                long dUsec = entry.getValue()[1] - was[1];
                if (dCalls > 0 && !entry.getKey().equals("info")) {
                    calls += dCalls;
                    usec += dUsec;
                    detail.append(' ').append(entry.getKey()).append('=').append(dCalls).append('/').append(dUsec).append("us");
                }
            }
            long scripts = delta(before, after, "eval") + delta(before, after, "evalsha");
            System.out.printf("FANOUT redis cost: %d tokens, %d commands (%.3f/token), %d script calls (%.3f/token), "
                            + "%d us server time (%.2f us/token);%s%n", tokensRelayed, calls, calls / (double) tokensRelayed,
                    scripts, scripts / (double) tokensRelayed, usec, usec / (double) tokensRelayed, detail);
            assertThat(scripts / (double) tokensRelayed).isLessThan(0.6);
            assertThat(onB.received.stream().filter(e -> e.event().equals("chat-stream-token")).count()).isEqualTo(tokensRelayed);
        }
    }

    static long delta(Map<String, long[]> before, Map<String, long[]> after, String command) {
        return after.getOrDefault(command, new long[2])[0] - before.getOrDefault(command, new long[2])[0];
    }

    @Test
    void aSocketResumingOnTheOtherNodeGetsTheRestOnceAndInOrder() throws Exception {
        signInOnTwoNodes("res");
        int total = 120;
        ai.planner = q -> AiReply.slow(tokens("r", total), Duration.ofMillis(25));
        UserSocket first = connectedTab(a, token);
        String streamId = askStream(a, token, "resume on the other node");
        await().atMost(Duration.ofSeconds(10)).until(() -> seqs(first.ofStream(streamId)).size() >= 10);
        first.close();
        long lastApplied = seqs(first.ofStream(streamId)).stream().mapToLong(Long::longValue).max().orElse(0);
        FakeAiService.Call call = ai.lastCallFor("resume on the other node");
        await().atMost(Duration.ofSeconds(10)).until(() -> call.tokensWritten.get() >= lastApplied + 15);

        try (UserSocket second = connectedTab(b, token)) {
            awaitSubscribed(b, user);
            AtomicReference<JSONObject> ack = second.resume(streamId, lastApplied);
            await().atMost(Duration.ofSeconds(10)).until(() -> ack.get() != null);
            assertThat(ack.get().getBoolean("ok")).isTrue();
            assertThat(ack.get().getString("status")).isEqualTo("running");
            await().atMost(Duration.ofSeconds(30)).until(() -> second.ended() == 1);

            // Everything the server sent after the ack went through the resume gate: the replay from afterSeq + 1, then
            // the live events it did not cover: every missed seq exactly once, in order, then the final event. (Live
            // events that reached the socket before the ack may repeat some of them, as the contract allows.)
            List<UserSocket.Received> after = second.received.stream().skip(second.receivedAtAck.get())
                    .filter(e -> streamId.equals(e.streamId())).toList();
            assertThat(seqs(after)).containsExactlyElementsOf(range(lastApplied + 1, total));
            assertThat(after.get(after.size() - 1).event()).isEqualTo("chat-stream-complete");
            assertThat(after.stream().filter(e -> e.event().equals("chat-stream-complete"))).hasSize(1);
        }
    }

    @Test
    void aStopFromTheOtherNodeCancelsTheStreamWithinASecond() throws Exception {
        signInOnTwoNodes("stop");
        ai.planner = q -> AiReply.slow(tokens("s", 400), Duration.ofMillis(20));
        try (UserSocket onA = connectedTab(a, token);
             UserSocket onB = connectedTab(b, token)) {
            awaitSubscribed(b, user);
            String streamId = askStream(a, token, "stop me from node b");
            await().atMost(Duration.ofSeconds(10)).until(() -> seqs(onB.ofStream(streamId)).size() >= 5);
            FakeAiService.Call call = ai.lastCallFor("stop me from node b");
            long stoppedAt = System.nanoTime();
            AtomicReference<JSONObject> ack = onB.stop(streamId);
            await().atMost(Duration.ofSeconds(5)).until(() -> ack.get() != null);
            assertThat(ack.get().getBoolean("ok")).isTrue();
            await().atMost(Duration.ofSeconds(5)).until(() -> call.disconnected);
            assertThat((call.disconnectedAtNanos - stoppedAt) / 1_000_000).isLessThan(1000);
            await().atMost(Duration.ofSeconds(10)).until(() -> onA.ended() == 1 && onB.ended() == 1);
            for (UserSocket tab : List.of(onA, onB)) {
                UserSocket.Received last = tab.ofStream(streamId).get(tab.ofStream(streamId).size() - 1);
                assertThat(last.event()).isEqualTo("chat-stream-complete");
                assertThat(last.payload().getBoolean("stopped")).isTrue();
                List<Long> seqs = seqs(tab.ofStream(streamId));
                assertThat(seqs).containsExactlyElementsOf(range(1, seqs.size()));
            }
            assertThat(seqs(onB.ofStream(streamId))).isEqualTo(seqs(onA.ofStream(streamId)));
        }
    }

    @Test
    void documentReadyReachesTheUsersSocketsOnEveryNode() throws Exception {
        signInOnTwoNodes("doc");
        try (UserSocket onA = connectedTab(a, token);
             UserSocket onB = connectedTab(b, token)) {
            awaitSubscribed(b, user);
            var upload = new org.springframework.http.client.MultipartBodyBuilder();
            upload.part("file", new org.springframework.core.io.ByteArrayResource("hello".getBytes()) {
                @Override
                public String getFilename() {
                    return "notes.md";
                }
            });
            @SuppressWarnings("unchecked")
            Map<String, Object> accepted = http(a).post().uri("/api/v1/documents")
                    .header(HttpHeaders.AUTHORIZATION, "Bearer " + token)
                    .body(org.springframework.web.reactive.function.BodyInserters.fromMultipartData(upload.build()))
                    .exchange().expectStatus().isAccepted().expectBody(Map.class).returnResult().getResponseBody();
            String docId = (String) accepted.get("docId");
            for (UserSocket tab : List.of(onA, onB)) {
                await().atMost(Duration.ofSeconds(10)).until(() -> tab.received.stream()
                        .anyMatch(e -> e.event().equals("document-ready") && docId.equals(e.payload().optString("docId"))));
            }
            // Exactly once on each.
            for (UserSocket tab : List.of(onA, onB)) {
                assertThat(tab.received.stream().filter(e -> e.event().equals("document-ready"))).hasSize(1);
            }
        }
    }

    @Test
    void progressReachesTheOtherNodeAndAnSseResumeThereGetsEverySeqOnceThenTheFinalEvent() throws Exception {
        signInOnTwoNodes("sse-nodes");
        String question = "deep research across nodes " + System.nanoTime();
        java.util.concurrent.CountDownLatch gate = new java.util.concurrent.CountDownLatch(1);
        ai.onQuestion(question, StreamFanoutIT.deepResearch("Plan. ", "Heart ", "pumps ", "blood. ", "Done", ".")
                .holdingAfter(3, gate));
        try (UserSocket onB = connectedTab(b, token)) {
            awaitSubscribed(b, user);
            String streamId = askStream(a, token, question);
            // Held after 3 tokens (seq 1..5 with two progress events): resume on node B from seq 2.
            await().atMost(Duration.ofSeconds(15)).until(() -> onB.ofStream(streamId).size() >= 6);
            try (dev.streamchat.gateway.testing.SseReader sse = dev.streamchat.gateway.testing.SseReader.get(
                    b.http() + "/api/v1/chat/streams/" + streamId + "/events", "Authorization", "Bearer " + token,
                    "Last-Event-ID", "2")) {
                assertThat(sse.status()).isEqualTo(200);
                await().atMost(Duration.ofSeconds(10)).until(() -> sse.seqs().size() >= 3);
                gate.countDown();
                await().atMost(Duration.ofSeconds(20)).until(sse::hasFinal);
                assertThat(sse.seqs()).containsExactlyElementsOf(range(3, 9));
                assertThat(sse.names()).containsExactly("token", "progress", "token", "token", "progress", "token",
                        "token", "complete");
                assertThat(sse.last().json().get("content").asString()).isEqualTo("Plan. Heart pumps blood. Done.");
            }
            await().atMost(Duration.ofSeconds(20)).until(() -> onB.ended() == 1);
            assertThat(StreamFanoutIT.rendered(onB.ofStream(streamId)))
                    .isEqualTo("1:plan 2=Plan.  3=Heart  4:research 5=pumps  6=blood.  7:conclusion 8=Done 9=.");
        }
    }
}
