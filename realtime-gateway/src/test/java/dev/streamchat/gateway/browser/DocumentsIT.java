package dev.streamchat.gateway.browser;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URISyntaxException;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;

/** Upload a document, see its status, get told when it is ready, then ask about it. */
class DocumentsIT extends BrowserTestBase {

    @Test
    void uploadedDocumentBecomesReadyWithANotificationAndCanBeAskedAbout() throws URISyntaxException {
        Path file = Path.of(DocumentsIT.class.getResource("/browser/tide-pools.md").toURI());
        Browser browser = signedIn("reader", "pro");

        browser.driver().findElement(By.id("doc-upload")).sendKeys(file.toAbsolutePath().toString());

        browser.waitFor(By.cssSelector(".doc-item .doc-name"));
        assertThat(browser.text(".doc-item .doc-name")).isEqualTo("tide-pools.md");
        browser.waitFor(By.cssSelector(".toast-success .toast-action"));
        assertThat(browser.text(".toast-success .toast-title")).isEqualTo("Document ready");
        await().atMost(Browser.WAIT).until(() -> "ready".equals(browser.text(".doc-item .badge")));

        browser.driver().findElement(By.cssSelector(".toast-success .toast-action")).click();
        await().atMost(Browser.WAIT).until(() -> browser.driver().findElement(By.id("doc-chip")).isDisplayed());
        assertThat(browser.text("#doc-chip strong")).isEqualTo("tide-pools.md");

        String question = "What lives in tide pools?";
        browser.ask(question);
        await().atMost(Browser.WAIT).until(browser::lastAnswerFinished);
        String docId = (String) browser.script("return document.querySelector('.doc-item').dataset.docId");
        assertThat(stack.ai().requests()).anySatisfy(request -> {
            assertThat(request.get("user_query")).isEqualTo(question);
            assertThat(request.get("doc_id")).isEqualTo(docId);
        });
    }

    @Test
    void unsupportedFileTypeIsRefusedWithAClearMessage() throws Exception {
        Path file = java.nio.file.Files.createTempFile("notes", ".exe");
        Browser browser = signedIn("refused", "pro");

        browser.driver().findElement(By.id("doc-upload")).sendKeys(file.toAbsolutePath().toString());

        browser.waitFor(By.cssSelector(".toast-error"));
        assertThat(browser.text(".toast-error .toast-message")).isEqualTo("Only .txt, .md and .pdf files can be uploaded.");
        assertThat(browser.count(".doc-item")).isZero();
        java.nio.file.Files.deleteIfExists(file);
    }
}
