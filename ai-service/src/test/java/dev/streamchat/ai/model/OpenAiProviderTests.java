package dev.streamchat.ai.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.output.TokenUsage;
import dev.streamchat.ai.model.FakeOpenAiServer.Reply;
import dev.streamchat.ai.stream.ModelCallException;
import dev.streamchat.ai.stream.ModelOutput;
import dev.streamchat.ai.stream.TokenStreamBridge;
import reactor.core.Disposable;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

/** The real {@code OpenAiStreamingChatModel}, with the project's transport, against a fake OpenAI server. */
class OpenAiProviderTests {

    private static final ChatRequest REQUEST = ChatRequest.builder().messages(UserMessage.from("What is a cell?")).build();

    private static FakeOpenAiServer fake;
    private ChatProvider provider;
    private final TokenStreamBridge bridge = new TokenStreamBridge(256, Schedulers.boundedElastic());

    @BeforeAll
    static void startFake() {
        fake = FakeOpenAiServer.start();
    }

    @AfterAll
    static void stopFake() {
        fake.close();
    }

    @BeforeEach
    void setUp() {
        fake.reset();
        provider = ModelConfiguration.openAi(
                new ModelProperties.OpenAi("sk-test", fake.baseUrl(), "gpt-4o-mini", 64, Duration.ofSeconds(5)));
    }

    @Test
    void streamsTokensInOrderAndReadsUsageFromTheFinalChunk() {
        fake.enqueue(Reply.tokens("A", " cell", " is", " small", ".").usage(42, 5));

        List<ModelOutput> outputs = bridge.stream(provider.model(), REQUEST).collectList().block(Duration.ofSeconds(10));

        assertThat(outputs).hasSize(6);
        assertThat(outputs.subList(0, 5)).extracting(output -> ((ModelOutput.Partial) output).text())
                .containsExactly("A", " cell", " is", " small", ".");
        TokenUsage usage = ((ModelOutput.Completed) outputs.get(5)).response().tokenUsage();
        assertThat(usage.inputTokenCount()).isEqualTo(42);
        assertThat(usage.outputTokenCount()).isEqualTo(5);
        assertThat(fake.requestBodies()).singleElement().satisfies(body -> assertThat(body.replaceAll("\\s", ""))
                .contains("\"stream\":true", "\"include_usage\":true", "\"max_tokens\":64", "\"gpt-4o-mini\"",
                        "Whatisacell?"));
    }

    @Test
    void aConnectionDroppedMidStreamIsAnError() {
        fake.enqueue(Reply.tokens("A", " cell", " is").pace(Duration.ofMillis(150)).abortAfter(2));

        StepVerifier.create(bridge.stream(provider.model(), REQUEST))
                .expectNext(new ModelOutput.Partial("A"), new ModelOutput.Partial(" cell"))
                .expectError(ModelCallException.class)
                .verify(Duration.ofSeconds(10));
    }

    @Test
    void anErrorChunkMidStreamIsAnError() {
        fake.enqueue(Reply.tokens("A", " cell", " is").errorChunkAfter(1));

        StepVerifier.create(bridge.stream(provider.model(), REQUEST))
                .expectNext(new ModelOutput.Partial("A"))
                .expectError(ModelCallException.class)
                .verify(Duration.ofSeconds(10));
    }

    @Test
    void recognisesARefusedOverLongPrompt() {
        fake.enqueue(Reply.httpError(400, "{\"error\":{\"message\":\"This model's maximum context length is 128000 "
                + "tokens. However, your messages resulted in 130000 tokens.\",\"type\":\"invalid_request_error\","
                + "\"param\":\"messages\",\"code\":\"context_length_exceeded\"}}"));

        StepVerifier.create(bridge.stream(provider.model(), REQUEST))
                .expectErrorSatisfies(error -> {
                    assertThat(error).isInstanceOf(ModelCallException.class);
                    assertThat(ModelErrors.isPromptTooLong(error)).isTrue();
                })
                .verify(Duration.ofSeconds(10));
    }

    @Test
    void otherRefusalsAreNotTakenForAnOverLongPrompt() {
        fake.enqueue(Reply.httpError(401, "{\"error\":{\"message\":\"Incorrect API key provided\","
                + "\"type\":\"invalid_request_error\",\"code\":\"invalid_api_key\"}}"));

        StepVerifier.create(bridge.stream(provider.model(), REQUEST))
                .expectErrorSatisfies(error -> assertThat(ModelErrors.isPromptTooLong(error)).isFalse())
                .verify(Duration.ofSeconds(10));
    }

    @Test
    void cancellingMidStreamClosesTheConnectionToTheProvider() {
        String[] many = new String[400];
        java.util.Arrays.fill(many, " word");
        fake.enqueue(Reply.tokens(many).pace(Duration.ofMillis(20)));
        List<ModelOutput> seen = new java.util.concurrent.CopyOnWriteArrayList<>();

        Disposable subscription = bridge.stream(provider.model(), REQUEST).subscribe(seen::add);
        await().atMost(Duration.ofSeconds(10)).until(() -> seen.size() >= 3);
        long cancelledAt = System.nanoTime();
        subscription.dispose();

        await().atMost(Duration.ofSeconds(5)).until(() -> !fake.clientClosedAtNanos().isEmpty());
        assertThat(TimeUnit.NANOSECONDS.toMillis(fake.clientClosedAtNanos().get(0) - cancelledAt)).isLessThan(1000);
        assertThat(seen.size()).isLessThan(many.length);
    }

    @Test
    void cancellingBeforeTheFirstTokenClosesTheConnectionToo() {
        fake.enqueue(Reply.tokens("late").firstTokenAfter(Duration.ofSeconds(20)));
        List<ModelOutput> seen = new ArrayList<>();

        Disposable subscription = bridge.stream(provider.model(), REQUEST).subscribe(seen::add);
        await().atMost(Duration.ofSeconds(10)).until(() -> fake.requestBodies().size() == 1);
        long cancelledAt = System.nanoTime();
        subscription.dispose();

        await().atMost(Duration.ofSeconds(5)).until(() -> !fake.clientClosedAtNanos().isEmpty());
        assertThat(TimeUnit.NANOSECONDS.toMillis(fake.clientClosedAtNanos().get(0) - cancelledAt)).isLessThan(1000);
        assertThat(seen).isEmpty();
    }
}
