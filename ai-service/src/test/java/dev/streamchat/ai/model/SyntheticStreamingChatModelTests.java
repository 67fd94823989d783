package dev.streamchat.ai.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.PartialResponse;
import dev.langchain4j.model.chat.response.PartialResponseContext;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.streamchat.ai.stream.ModelCallException;
import dev.streamchat.ai.stream.ModelOutput;
import dev.streamchat.ai.stream.TokenStreamBridge;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;
import reactor.test.scheduler.VirtualTimeScheduler;

class SyntheticStreamingChatModelTests {

    private static final ChatRequest WITH_SOURCES = ChatRequest.builder()
            .messages(SystemMessage.from("Sources:\n[1] A cell is small."), UserMessage.from("What is a cell?")).build();

    private final TokenStreamBridge bridge = new TokenStreamBridge(1024, Schedulers.immediate());

    @Test
    void streamsTheConfiguredTokensAtTheConfiguredRateAndReportsUsage() {
        VirtualTimeScheduler time = VirtualTimeScheduler.create();
        SyntheticStreamingChatModel model = new SyntheticStreamingChatModel(50, 10, null, time);

        StepVerifier.withVirtualTime(() -> bridge.stream(model, WITH_SOURCES), () -> time, Long.MAX_VALUE)
                .expectSubscription()
                .expectNoEvent(Duration.ofMillis(99))
                .thenAwait(Duration.ofMillis(1))
                .expectNextMatches(ModelOutput.Partial.class::isInstance)
                .thenAwait(Duration.ofSeconds(4))
                .expectNextCount(40)
                .expectNoEvent(Duration.ofMillis(99))
                .thenAwait(Duration.ofMillis(901))
                .expectNextCount(9)
                .assertNext(output -> {
                    var usage = ((ModelOutput.Completed) output).response().tokenUsage();
                    assertThat(usage.outputTokenCount()).isEqualTo(50);
                    assertThat(usage.inputTokenCount()).isPositive();
                    assertThat(((ModelOutput.Completed) output).response().aiMessage().text()).contains("[1]");
                })
                .expectComplete()
                .verify(Duration.ofSeconds(5));
    }

    @Test
    void failsAfterTheConfiguredNumberOfTokens() {
        SyntheticStreamingChatModel model = new SyntheticStreamingChatModel(50, 1000, 3, Schedulers.parallel());

        StepVerifier.create(bridge.stream(model, WITH_SOURCES))
                .expectNextCount(3)
                .expectErrorSatisfies(error -> assertThat(error).isInstanceOf(ModelCallException.class)
                        .hasRootCauseMessage("synthetic failure after 3 tokens"))
                .verify(Duration.ofSeconds(5));
    }

    @Test
    void aFailureThresholdAboveTheAnswerLengthNeverFires() {
        SyntheticStreamingChatModel model = new SyntheticStreamingChatModel(5, 1000, 10, Schedulers.parallel());

        StepVerifier.create(bridge.stream(model, WITH_SOURCES))
                .expectNextCount(5)
                .expectNextMatches(ModelOutput.Completed.class::isInstance)
                .verifyComplete();
    }

    @Test
    void cancellingTheHandleStopsTheTokens() {
        VirtualTimeScheduler time = VirtualTimeScheduler.create();
        SyntheticStreamingChatModel model = new SyntheticStreamingChatModel(1000, 10, null, time);
        AtomicInteger partials = new AtomicInteger();
        AtomicBoolean ended = new AtomicBoolean();

        model.chat(WITH_SOURCES, new StreamingChatResponseHandler() {
            @Override
            public void onPartialResponse(PartialResponse partial, PartialResponseContext context) {
                if (partials.incrementAndGet() == 3) {
                    context.streamingHandle().cancel();
                }
            }

            @Override
            public void onCompleteResponse(ChatResponse response) {
                ended.set(true);
            }

            @Override
            public void onError(Throwable error) {
                ended.set(true);
            }
        });
        time.advanceTimeBy(Duration.ofSeconds(60));

        assertThat(partials).hasValue(3);
        assertThat(ended).as("after a cancel neither complete nor error is called").isFalse();
    }

    @Test
    void citesNothingWhenThePromptHasNoSources() {
        SyntheticStreamingChatModel model = new SyntheticStreamingChatModel(60, 10_000, null, Schedulers.parallel());

        List<ModelOutput> outputs = bridge.stream(model, ChatRequest.builder().messages(UserMessage.from("hi")).build())
                .collectList().block(Duration.ofSeconds(5));

        assertThat(outputs).hasSize(61);
        assertThat(outputs).noneMatch(o -> o instanceof ModelOutput.Partial p && p.text().contains("["));
    }

    @Test
    void stampsEachTokenWithItsEmitTimeOnlyWhenAsked() {
        AtomicInteger clock = new AtomicInteger(1_000);
        SyntheticStreamingChatModel stamped = new SyntheticStreamingChatModel(30, 10_000, null, Schedulers.parallel(),
                () -> 1_764_632_096_000_000L + clock.getAndAdd(7));
        SyntheticStreamingChatModel plain = new SyntheticStreamingChatModel(30, 10_000, null, Schedulers.parallel());

        List<String> stampedTokens = partials(stamped);
        List<String> plainTokens = partials(plain);

        assertThat(stampedTokens).hasSize(30);
        for (int i = 0; i < stampedTokens.size(); i++) {
            String token = stampedTokens.get(i);
            int mark = token.lastIndexOf(SyntheticStreamingChatModel.STAMP_MARK);
            assertThat(token.substring(0, mark)).as("the text before the stamp is the unstamped token").isEqualTo(plainTokens.get(i));
            assertThat(Long.parseLong(token.substring(mark + 2))).as("token %d carries the clock's reading when it was emitted", i + 1)
                    .isEqualTo(1_764_632_096_000_000L + 1_000 + 7L * i);
        }
        assertThat(plainTokens).noneMatch(t -> t.contains(SyntheticStreamingChatModel.STAMP_MARK));
    }

    @Test
    void theWallClockStampIsEpochMicroseconds() {
        long before = System.currentTimeMillis() * 1_000;
        long stamp = SyntheticStreamingChatModel.wallClockMicros();
        long after = (System.currentTimeMillis() + 1) * 1_000;

        assertThat(stamp).isBetween(before, after);
    }

    private List<String> partials(SyntheticStreamingChatModel model) {
        return bridge.stream(model, WITH_SOURCES).collectList().block(Duration.ofSeconds(5)).stream()
                .filter(ModelOutput.Partial.class::isInstance).map(o -> ((ModelOutput.Partial) o).text()).toList();
    }

    @Test
    void refusesNonPositiveSettings() {
        assertThatThrownBy(() -> new SyntheticStreamingChatModel(0, 10, null, Schedulers.parallel()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new SyntheticStreamingChatModel(10, 0, null, Schedulers.parallel()))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
