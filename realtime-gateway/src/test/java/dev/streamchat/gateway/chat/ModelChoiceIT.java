package dev.streamchat.gateway.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.stream.LongStream;

import org.bson.Document;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.annotation.Import;
import org.springframework.core.io.ByteArrayResource;
import org.springframework.data.mongodb.core.ReactiveMongoTemplate;
import org.springframework.http.client.MultipartBodyBuilder;
import org.springframework.test.context.TestPropertySource;
import org.springframework.web.reactive.function.BodyInserters;

import dev.streamchat.gateway.chat.RecordedEvents.Emitted;
import dev.streamchat.gateway.testing.AiReply;
import dev.streamchat.gateway.testing.FakeAiService;
import dev.streamchat.gateway.testing.GatewayClient;
import dev.streamchat.gateway.testing.GatewayStackTest;
import dev.streamchat.gateway.testing.UserSocket;
import io.socket.client.IO;
import io.socket.client.Socket;
import tools.jackson.databind.json.JsonMapper;

/**
 * Contract section 6 through the whole gateway: the models list, {@code model} and {@code mode} on {@code /chat/new}
 * and {@code /retry} (checked against the list, carried to the ai-service, recorded on each version), and indexing
 * progress as {@code document-progress} before {@code document-ready} on a real socket. Same context as
 * {@link ChatRelayIT} (same properties), so it starts nothing of its own.
 */
@TestPropertySource(properties = {
        "gateway.stream.idle-timeout=1500ms",
        "gateway.ratelimit.chat-per-minute=8",
        "gateway.quota.free-chats-per-month=25",
        "gateway.chat.max-concurrent-streams-per-user=50",
})
@Import(RecordedEvents.Wiring.class)
@SuppressWarnings("unchecked")
class ModelChoiceIT extends GatewayStackTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Autowired
    ReactiveMongoTemplate mongo;

    GatewayClient client;

    @BeforeEach
    void setUp() {
        client = new GatewayClient(port);
    }

    static String unique(String text) {
        return text + " " + UUID.randomUUID().toString().substring(0, 8);
    }

    static Emitted awaitFinal(String streamId) {
        List<Emitted> events = ChatRelayIT.awaitEnd(streamId);
        return events.get(events.size() - 1);
    }

    List<Map<String, Object>> versions(String token, String sessionId) {
        Map<String, Object> session = client.json(client.get(token, "/api/v1/chat/sessions/" + sessionId), 200);
        List<Map<String, Object>> messages = (List<Map<String, Object>>) session.get("messages");
        return (List<Map<String, Object>>) messages.get(messages.size() - 1).get("versions");
    }

    @Test
    void listsTheOfferedModelsWithTheDefaultForSignedInUsersOnly() throws Exception {
        String token = client.login(ChatRelayIT.user(), "free");

        Map<String, Object> listed = client.json(client.get(token, "/api/v1/models"), 200);

        Map<String, Object> fixture = JSON.readValue(
                Files.readString(Path.of("..", "docs", "protocol", "ai-models.json")), Map.class);
        assertThat(listed).isEqualTo(fixture);
        assertThat(listed.get("default")).isEqualTo("openai:gpt-4o-mini");
        assertThat((List<Map<String, Object>>) listed.get("models")).filteredOn(m -> "local".equals(m.get("id")))
                .singleElement().satisfies(local -> assertThat(local).containsEntry("provider", "local")
                        .containsEntry("model", null));
        client.http.get().uri("/api/v1/models").exchange().expectStatus().isUnauthorized()
                .expectBody(Map.class).value(body -> assertThat(body).containsEntry("code", "unauthorized"));
    }

    @Test
    void aModelOrModeThatIsNotOfferedIs400AndTakesNoRateLimitTokenNorReachesTheAiService() {
        String token = client.login(ChatRelayIT.user(), "free");
        String question = unique("which model?");
        int requestsBefore = AI.streamRequests.get();

        // More refusals than the rate limit allows (8 a minute): none of them takes a token.
        for (int i = 0; i < 5; i++) {
            client.json(client.post(token, "/api/v1/chat/new",
                    "{\"message\":\"" + question + "\",\"model\":\"openai:gpt-9-imaginary\"}"), 400);
            client.json(client.post(token, "/api/v1/chat/new", "{\"message\":\"" + question + "\",\"model\":42}"), 400);
        }
        Map<String, Object> badMode = client.json(client.post(token, "/api/v1/chat/new",
                "{\"message\":\"" + question + "\",\"mode\":\"fast\"}"), 400);
        assertThat(badMode).containsEntry("code", "bad_request");
        Map<String, Object> notOffered = client.json(client.post(token, "/api/v1/chat/new",
                "{\"message\":\"" + question + "\",\"model\":\"openai:gpt-9-imaginary\"}"), 400);
        assertThat(notOffered).containsEntry("code", "bad_request");
        assertThat((String) notOffered.get("detail")).contains("/api/v1/models");

        assertThat(AI.streamRequests.get()).isEqualTo(requestsBefore);
        assertThat(client.json(client.get(token, "/api/v1/quota"), 200)).containsEntry("reserved", 0).containsEntry("used", 0);
        Map<String, Object> accepted = client.ask(token, "{\"message\":\"" + question + "\",\"model\":\"local\"}");
        assertThat(awaitFinal((String) accepted.get("streamId")).event()).isEqualTo("chat-stream-complete");

        String sessionId = (String) accepted.get("sessionId");
        Map<String, Object> badRetry = client.json(client.post(token, "/api/v1/chat/sessions/" + sessionId + "/retry",
                "{\"model\":\"openai:gpt-9-imaginary\"}"), 400);
        assertThat(badRetry).containsEntry("code", "bad_request");
        assertThat(versions(token, sessionId)).hasSize(1);
    }

    @Test
    void theChosenModelReachesTheAiServiceAndEachVersionRecordsWhatWroteIt() {
        String token = client.login(ChatRelayIT.user(), "pro");
        String question = unique("compare models");

        Map<String, Object> first = client.ask(token, "{\"message\":\"" + question + "\",\"model\":\"openai:gpt-4o\"}");
        Emitted complete = awaitFinal((String) first.get("streamId"));
        assertThat(complete.payload()).containsEntry("provider", "openai").containsEntry("model", "gpt-4o");
        FakeAiService.Call call = AI.lastCallFor(question);
        assertThat(call.body.get("model").asString()).isEqualTo("openai:gpt-4o");
        assertThat(call.body.get("mode").isNull()).isTrue();

        // A retry may pick another model: both versions stay, side by side, each with its own.
        String sessionId = (String) first.get("sessionId");
        Map<String, Object> retried = client.json(client.post(token, "/api/v1/chat/sessions/" + sessionId + "/retry",
                "{\"model\":\"local\"}"), 202);
        Emitted second = awaitFinal((String) retried.get("streamId"));
        assertThat(second.payload()).containsEntry("provider", "local").containsEntry("model", null);
        assertThat(AI.lastCallFor(question).body.get("model").asString()).isEqualTo("local");

        List<Map<String, Object>> versions = versions(token, sessionId);
        assertThat(versions).extracting(v -> v.get("provider"), v -> v.get("model"))
                .containsExactly(org.assertj.core.groups.Tuple.tuple("openai", "gpt-4o"),
                        org.assertj.core.groups.Tuple.tuple("local", null));
        assertThat(versions.get(1)).containsKey("model");
        Document stored = mongo.findById(sessionId, Document.class, "chat_sessions").block(Duration.ofSeconds(5));
        List<Document> storedVersions = (List<Document>) ChatService.messages(stored).get(1).get("versions");
        assertThat(storedVersions).extracting(v -> v.getString("model")).containsExactly("gpt-4o", null);
    }

    @Test
    void aStoppedReplyRecordsTheModelThatWasAskedFor() {
        String token = client.login(ChatRelayIT.user(), "pro");
        String question = unique("stop me");
        CountDownLatch never = new CountDownLatch(1);
        AI.onQuestion(question, AiReply.tokens("Partial", " answer", " never sent").holdingAfter(2, never));
        Map<String, Object> accepted = client.ask(token, "{\"message\":\"" + question + "\",\"model\":\"openai:gpt-4o\"}");
        String streamId = (String) accepted.get("streamId");
        await().atMost(Duration.ofSeconds(15)).until(() -> RecordedEvents.ofStream(streamId).stream()
                .filter(e -> e.event().equals("chat-stream-token")).count() == 2);

        client.post(token, "/api/v1/chat/streams/" + streamId + "/stop", null).expectStatus().isAccepted();

        Emitted complete = awaitFinal(streamId);
        assertThat(complete.payload()).containsEntry("stopped", true).containsEntry("provider", "openai")
                .containsEntry("model", "gpt-4o");
        assertThat(versions(token, (String) accepted.get("sessionId")).get(0)).containsEntry("stopped", true)
                .containsEntry("provider", "openai").containsEntry("model", "gpt-4o");
    }

    @Test
    void withoutAModelTheRequestSaysNullAndTheAiServiceDefaultIsRecorded() {
        String token = client.login(ChatRelayIT.user(), "pro");
        String question = unique("default model");
        Map<String, Object> accepted = client.ask(token, "{\"message\":\"" + question + "\"}");
        Emitted complete = awaitFinal((String) accepted.get("streamId"));

        FakeAiService.Call call = AI.lastCallFor(question);
        assertThat(call.body.has("model")).isTrue();
        assertThat(call.body.get("model").isNull()).isTrue();
        // The fake's default provider names no model: kept as the ai-service said it.
        assertThat(complete.payload()).containsEntry("provider", "synthetic").containsEntry("model", null);
        assertThat(versions(token, (String) accepted.get("sessionId")).get(0))
                .containsEntry("provider", "synthetic").containsEntry("model", null);
    }

    @Test
    void deepResearchIsAskedByModeOrByTheSeedsPrefixOnNewQuestionsAndRetries() {
        String token = client.login(ChatRelayIT.user(), "pro");
        String byMode = unique("how does the heart pump?");
        Map<String, Object> first = client.ask(token, "{\"message\":\"" + byMode + "\",\"mode\":\"deep_research\"}");
        awaitFinal((String) first.get("streamId"));
        assertThat(AI.lastCallFor(byMode).body.get("mode").asString()).isEqualTo("deep_research");

        String byPrefix = "[DEEP RESEARCH] " + unique("what is in blood?");
        Map<String, Object> second = client.ask(token, "{\"message\":\"" + byPrefix + "\"}");
        awaitFinal((String) second.get("streamId"));
        assertThat(AI.lastCallFor(byPrefix).body.get("mode").asString()).isEqualTo("deep_research");
        // The question is stored and sent as asked; the ai-service strips the prefix.
        assertThat(versions(token, (String) second.get("sessionId")).get(0)).containsEntry("route", "deep_research");

        String sessionId = (String) first.get("sessionId");
        Map<String, Object> answerAgain = client.json(client.post(token, "/api/v1/chat/sessions/" + sessionId + "/retry",
                "{\"mode\":\"answer\"}"), 202);
        awaitFinal((String) answerAgain.get("streamId"));
        assertThat(AI.lastCallFor(byMode).body.get("mode").isNull()).isTrue();
        Map<String, Object> researchAgain = client.json(client.post(token, "/api/v1/chat/sessions/" + sessionId + "/retry",
                "{\"mode\":\"deep_research\",\"model\":\"openai:gpt-4o-mini\"}"), 202);
        awaitFinal((String) researchAgain.get("streamId"));
        assertThat(AI.lastCallFor(byMode).body.get("mode").asString()).isEqualTo("deep_research");
        assertThat(versions(token, sessionId)).extracting(v -> v.get("route"))
                .containsExactly("deep_research", "general_qa", "deep_research");
    }

    @Test
    void stoppingDeepResearchInItsResearchPhaseEndsItWithinASecondAndSavesWhatWasWritten() {
        String token = client.login(ChatRelayIT.user(), "pro");
        String question = unique("research the tides");
        List<String> tokens = new ArrayList<>(List.of("## Plan\n\n", "1. Tides\n\n"));
        IntStream.range(0, 200).forEach(i -> tokens.add("r" + i + " "));
        tokens.add("## Conclusion\n\n");
        AI.onQuestion(question, AiReply.slow(tokens, Duration.ofMillis(40))
                .withProgress(0, 1, 3, "plan", "Research plan")
                .withProgress(2, 2, 3, "research", "Tides")
                .withProgress(tokens.size() - 1, 3, 3, "conclusion", "Conclusion"));
        Map<String, Object> accepted = client.ask(token, "{\"message\":\"" + question + "\",\"mode\":\"deep_research\"}");
        String streamId = (String) accepted.get("streamId");
        // In the research phase: its progress event and a few of its tokens are out.
        await().atMost(Duration.ofSeconds(15)).until(() -> ChatRelayIT.tokensOf(RecordedEvents.ofStream(streamId)).contains("r2 "));
        FakeAiService.Call call = AI.lastCallFor(question);

        long stopAt = System.nanoTime();
        client.post(token, "/api/v1/chat/streams/" + streamId + "/stop", null).expectStatus().isAccepted();

        await().atMost(Duration.ofSeconds(5)).until(() -> call.disconnected);
        assertThat(TimeUnit.NANOSECONDS.toMillis(call.disconnectedAtNanos - stopAt)).as("ms from stop to the ai-service call's end")
                .isLessThan(1000);
        List<Emitted> events = ChatRelayIT.awaitEnd(streamId);
        // Contract order: start; tokens and progress in one seq space with no gap; exactly one complete, last.
        assertThat(events.get(0).event()).isEqualTo("chat-stream-start");
        List<Emitted> streamed = events.subList(1, events.size() - 1);
        assertThat(streamed).extracting(Emitted::event).containsOnly("chat-stream-progress", "chat-stream-token");
        assertThat(streamed).extracting(e -> ((Number) e.get("seq")).longValue())
                .containsExactlyElementsOf(LongStream.rangeClosed(1, streamed.size()).boxed().toList());
        assertThat(streamed).filteredOn(e -> e.event().equals("chat-stream-progress")).extracting(e -> e.get("phase"))
                .containsExactly("plan", "research");
        Emitted complete = events.get(events.size() - 1);
        assertThat(complete.event()).isEqualTo("chat-stream-complete");
        String written = ChatRelayIT.tokensOf(events);
        assertThat(written).startsWith("## Plan\n\n1. Tides\n\nr0 r1 r2 ").doesNotContain("Conclusion");
        assertThat(complete.payload()).containsEntry("stopped", true).containsEntry("content", written);
        assertThat(versions(token, (String) accepted.get("sessionId")).get(0)).containsEntry("stopped", true)
                .containsEntry("content", written);
    }

    @Test
    void indexingProgressReachesEverySocketOfTheUserBeforeDocumentReady() throws Exception {
        String user = ChatRelayIT.user();
        String token = client.login(user, "pro");
        String fileName = "progress-" + UUID.randomUUID().toString().substring(0, 8) + ".txt";
        CountDownLatch embedded = new CountDownLatch(1);
        AI.onUpload(fileName, FakeAiService.Indexing.fromFixture(embedded));
        Queue<String> received = new ConcurrentLinkedQueue<>();
        Socket socket = IO.socket(URI.create("http://127.0.0.1:" + socketPort), UserSocket.onSharedHttp(IO.Options.builder()
                .setForceNew(true).setReconnection(false).setTransports(new String[] {"websocket"})
                .setAuth(Map.of("token", token)).build()));
        for (String event : List.of("document-progress", "document-ready")) {
            socket.on(event, args -> received.add(event + " " + args[0]));
        }
        socket.connect();
        try {
            await().atMost(Duration.ofSeconds(10)).until(socket::connected);
            MultipartBodyBuilder upload = new MultipartBodyBuilder();
            upload.part("file", new ByteArrayResource("the heart pumps blood".getBytes()) {
                @Override
                public String getFilename() {
                    return fileName;
                }
            });
            Map<String, Object> accepted = client.http.post().uri("/api/v1/documents")
                    .header("Authorization", "Bearer " + token)
                    .body(BodyInserters.fromMultipartData(upload.build()))
                    .exchange().expectStatus().isAccepted().expectBody(Map.class).returnResult().getResponseBody();
            String docId = (String) accepted.get("docId");

            await().atMost(Duration.ofSeconds(15)).until(() -> received.stream().anyMatch(e -> e.contains("embedding")));
            assertThat(received).noneMatch(e -> e.startsWith("document-ready"));
            embedded.countDown();
            await().atMost(Duration.ofSeconds(15)).until(() -> received.stream().anyMatch(e -> e.startsWith("document-ready")));

            List<Map<String, Object>> progress = received.stream().filter(e -> e.startsWith("document-progress "))
                    .map(e -> (Map<String, Object>) JSON.readValue(e.substring("document-progress ".length()), Map.class))
                    .toList();
            assertThat(progress).extracting(p -> p.get("docId")).containsOnly(docId);
            assertThat(progress).extracting(p -> p.get("phase") + " " + p.get("percent"))
                    .containsExactly("parsing 0", "chunking 10", "embedding 55");
            assertThat(progress.get(0)).containsOnlyKeys("docId", "phase", "percent");
            assertThat(received.stream().reduce((a, b) -> b).orElseThrow())
                    .startsWith("document-ready").contains("\"status\":\"ready\"");
            assertThat(received.stream().filter(e -> e.startsWith("document-ready"))).hasSize(1);
        } finally {
            socket.close();
        }
    }
}
