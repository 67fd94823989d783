package dev.streamchat.gateway.browser;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;

import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.support.ui.Select;

import dev.streamchat.gateway.testing.AiReply;
import dev.streamchat.gateway.testing.FakeAiService;

/**
 * Contract section 6 on the page: the model picker under the composer, remembered per conversation (also across a
 * reload), the model that wrote each version, Deep Research phases as they happen, and a document's indexing phase
 * and percent in the document list.
 */
class ModelsAndResearchIT extends BrowserTestBase {

    private static String unique(String text) {
        return text + " " + UUID.randomUUID().toString().substring(0, 8);
    }

    private static String picked(Browser browser) {
        return (String) browser.script("return document.getElementById('model-picker').value");
    }

    private static void pick(Browser browser, String modelId) {
        new Select(browser.waitFor(By.id("model-picker"))).selectByValue(modelId);
    }

    private static String sessionOfPage(Browser browser) {
        String hash = (String) browser.script("return location.hash");
        assertThat(hash).startsWith("#/s/");
        return hash.substring("#/s/".length());
    }

    private static void open(Browser browser, String hash) {
        browser.script("location.hash = arguments[0]", hash);
    }

    @Test
    void thePickedModelIsRememberedPerConversationAndEachVersionSaysWhichModelWroteIt() {
        Browser browser = signedIn("picker", "pro");
        browser.waitFor(By.id("model-picker"));
        await().atMost(Browser.WAIT).until(() -> "openai:gpt-4o-mini".equals(picked(browser)));

        // Conversation A, written by gpt-4o, then a second version by the local provider.
        pick(browser, "openai:gpt-4o");
        String first = unique("Which model writes this?");
        browser.ask(first);
        await().atMost(Browser.WAIT).until(() -> browser.lastAnswerFinished() && browser.lastAnswerText().contains(first)
                && browser.onSessionUrl());
        await().atMost(Browser.WAIT).until(() -> "written by openai:gpt-4o".equals(browser.text(".msg-assistant .version-model")));
        assertThat(stack.ai().lastCallFor(first).body.get("model").asString()).isEqualTo("openai:gpt-4o");
        String conversationA = sessionOfPage(browser);

        pick(browser, "local");
        browser.waitFor(By.cssSelector(".msg-assistant .retry-btn")).click();
        await().atMost(Browser.WAIT).until(() -> "2 / 2".equals(browser.text(".msg-assistant .version-label")));
        assertThat(browser.text(".msg-assistant .version-model")).isEqualTo("written by local");
        browser.driver().findElement(By.cssSelector(".msg-assistant .version-prev")).click();
        assertThat(browser.text(".msg-assistant .version-model")).isEqualTo("written by openai:gpt-4o");

        // A new conversation starts with the model picked last; conversation B keeps its own.
        browser.driver().findElement(By.id("new-chat")).click();
        await().atMost(Browser.WAIT).until(() -> browser.count(".welcome") == 1);
        assertThat(picked(browser)).isEqualTo("local");
        pick(browser, "openai:gpt-4o-mini");
        String second = unique("And this one?");
        browser.ask(second);
        await().atMost(Browser.WAIT).until(() -> browser.lastAnswerFinished() && browser.lastAnswerText().contains(second)
                && browser.onSessionUrl());
        await().atMost(Browser.WAIT).until(() -> "written by openai:gpt-4o-mini".equals(browser.text(".msg-assistant .version-model")));
        String conversationB = sessionOfPage(browser);

        open(browser, "#/s/" + conversationA);
        await().atMost(Browser.WAIT).until(() -> "2 / 2".equals(browser.text(".msg-assistant .version-label")));
        assertThat(picked(browser)).isEqualTo("local");
        open(browser, "#/s/" + conversationB);
        await().atMost(Browser.WAIT).until(() -> browser.lastAnswerText().contains(second));
        assertThat(picked(browser)).isEqualTo("openai:gpt-4o-mini");

        // Remembered across a reload (localStorage).
        open(browser, "#/s/" + conversationA);
        await().atMost(Browser.WAIT).until(() -> "2 / 2".equals(browser.text(".msg-assistant .version-label")));
        browser.driver().navigate().refresh();
        await().atMost(Browser.WAIT).until(() -> "2 / 2".equals(browser.text(".msg-assistant .version-label")));
        await().atMost(Browser.WAIT).until(() -> "local".equals(picked(browser)));
        assertThat(browser.text(".msg-assistant .version-model")).isEqualTo("written by local");
    }

    /**
     * Asks {@code question} with the Deep Research toggle on; the answer is a three-phase report held in its research
     * phase until the returned latch is opened (the ai-service's progress events open each phase; the relay gives them
     * seqs among the tokens). Returns once the page shows the research phase.
     */
    private static CountDownLatch askHeldResearchReport(Browser browser, String question) {
        CountDownLatch concluded = new CountDownLatch(1);
        stack.ai().onQuestion(question, AiReply.tokens("## Research plan\n\n", "1. The pump\n\n", "## The pump\n\n",
                        "It squeezes.", "\n\n## Conclusion\n\n", "It pumps.")
                .withProgress(0, 1, 5, "plan", "Research plan")
                .withProgress(2, 2, 3, "research", "The pump")
                .withProgress(4, 3, 3, "conclusion", "Conclusion")
                .holdingAfter(4, concluded));
        browser.waitFor(By.id("deep-research-toggle")).click();
        assertThat(browser.driver().findElement(By.id("deep-research-toggle")).getDomAttribute("aria-pressed")).isEqualTo("true");
        browser.ask(question);
        awaitResearchPhaseShown(browser);
        return concluded;
    }

    /** The page shows the report held in its research phase: the plan done, the research current. */
    private static void awaitResearchPhaseShown(Browser browser) {
        // the tokens after a progress event's seq are shown (no gap is waited for)
        await().atMost(Browser.WAIT).until(() -> browser.lastAnswerText().contains("It squeezes."));
        await().atMost(Browser.WAIT).until(() -> "Deep Research · step 2 of 3 · Research".equals(browser.text(".research-head")));
        assertThat(browser.text(".research-current")).isEqualTo("Research The pump");
        assertThat(browser.count(".research-done")).isEqualTo(1);
    }

    /** Lets the report finish and checks the page shows every phase done and its sections once. */
    private static void concludeAndAwaitAllPhasesDone(Browser browser, CountDownLatch concluded) {
        concluded.countDown();
        await().atMost(Browser.WAIT).until(() -> browser.lastAnswerFinished() && browser.lastAnswerText().contains("It pumps."));
        assertThat(browser.text(".research-head")).isEqualTo("Deep Research · 3 steps");
        assertThat(browser.count(".research-done")).isEqualTo(3);
        // The finished report keeps its sections (Markdown headings; a message's "##" renders one level down).
        assertThat(browser.script("return [...document.querySelectorAll('.msg-assistant .answer-content :is(h3, h4, h5, h6)')]"
                + ".map(e => e.textContent)")).isEqualTo(List.of("Research plan", "The pump", "Conclusion"));
    }

    @Test
    void deepResearchIsAskedFromTheToggleAndItsPhasesShowAsTheyHappen() {
        String question = unique("How does the heart pump blood?");
        Browser browser = signedIn("researcher", "pro");

        CountDownLatch concluded = askHeldResearchReport(browser, question);

        assertThat(stack.ai().lastCallFor(question).body.get("mode").asString()).isEqualTo("deep_research");
        concludeAndAwaitAllPhasesDone(browser, concluded);
    }

    @Test
    void aReloadDuringDeepResearchRebuildsItsPhasesFromTheResumedProgressEvents() {
        String question = unique("How do lungs breathe?");
        Browser browser = signedIn("reloading-researcher", "pro");
        CountDownLatch concluded = askHeldResearchReport(browser, question);

        // The page keeps the text and its last seq, not the phases: chat-resume's replayed progress events rebuild them.
        browser.driver().navigate().refresh();

        awaitResearchPhaseShown(browser);
        assertThat(browser.count(".msg-assistant")).isEqualTo(1);

        // Finished, a resumed answer is shown as stored (as after any reload: the session keeps no phases).
        concluded.countDown();
        await().atMost(Browser.WAIT).until(() -> browser.lastAnswerFinished() && browser.lastAnswerText().contains("It pumps."));
        assertThat(browser.lastAnswerText()).containsOnlyOnce("It squeezes.");
        assertThat(browser.count(".msg-assistant")).isEqualTo(1);
    }

    @Test
    void aDocumentShowsItsIndexingPhaseAndPercentUntilItIsReady() throws Exception {
        Path file = Files.createTempDirectory("progress").resolve(
                "progress-" + UUID.randomUUID().toString().substring(0, 8) + ".md");
        Files.writeString(file, "# Tide pools\n\nAnemones and crabs live in tide pools.\n");
        CountDownLatch embedded = new CountDownLatch(1);
        stack.ai().onUpload(file.getFileName().toString(), FakeAiService.Indexing.fromFixture(embedded));
        Browser browser = signedIn("indexer", "pro");

        browser.driver().findElement(By.id("doc-upload")).sendKeys(file.toAbsolutePath().toString());

        await().atMost(Browser.WAIT).until(() -> "embedding 55%".equals(browser.text(".doc-item .badge")));
        assertThat(browser.script("return document.querySelector('.doc-item progress.doc-progress').value")).isEqualTo(55L);
        embedded.countDown();
        await().atMost(Browser.WAIT).until(() -> "ready".equals(browser.text(".doc-item .badge")));
        assertThat(browser.count(".doc-item progress")).isZero();
        Files.deleteIfExists(file);
    }
}
