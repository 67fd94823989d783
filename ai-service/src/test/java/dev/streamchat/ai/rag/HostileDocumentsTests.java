package dev.streamchat.ai.rag;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.util.unit.DataSize;

/**
 * Documents built to exhaust the service fail on their own ({@code status: failed} with a reason) within the
 * limits of {@link IndexingProperties}, and the pipeline goes on indexing normal documents afterwards. Runs the real
 * extractor, chunker, embedder and MongoDB driver.
 */
class HostileDocumentsTests {

    private static final IndexingProperties LIMITS = new IndexingProperties(1, 4, Duration.ofSeconds(60), 200_000,
            10, DataSize.ofMegabytes(32), 100);
    private static final RagTestSupport RAG = new RagTestSupport(RagTestSupport.defaults(), LIMITS);

    @AfterAll
    static void close() {
        RAG.close();
    }

    private static StoredDocument index(String fileName, DocumentFormat format, byte[] content) {
        return index(RAG, fileName, format, content);
    }

    static StoredDocument index(RagTestSupport rag, String fileName, DocumentFormat format, byte[] content) {
        Instant now = Instant.now();
        StoredDocument document = new StoredDocument(UUID.randomUUID().toString(), "mallory", null, false, fileName,
                fileName, StoredDocument.INDEXING, 0, null, "hash", UUID.randomUUID().toString(), now, now);
        return rag.documents.save(document).then(rag.indexer.index(document, format, content))
                .block(Duration.ofSeconds(120));
    }

    private static void assertStillIndexes() {
        StoredDocument normal = index("fine.txt", DocumentFormat.TXT,
                RetrievalScopeTests.KREBS.getBytes(StandardCharsets.UTF_8));
        assertThat(normal.status()).as(normal.error()).isEqualTo(StoredDocument.READY);
    }

    @Test
    void aSmallPdfWhoseTextInflatesTo20MbFailsAtTheTextCap() {
        byte[] bomb = HostilePdfs.textBomb(20_000_000);
        assertThat(bomb.length).as("the bomb is small").isLessThan(200_000);

        StoredDocument failed = assertTimeoutPreemptively(Duration.ofSeconds(60),
                () -> index("bomb.pdf", DocumentFormat.PDF, bomb));

        assertThat(failed.status()).isEqualTo(StoredDocument.FAILED);
        assertThat(failed.error()).isEqualTo("the document has more than 200000 characters of text");
        assertThat(RAG.chunks.countByDocId(failed.docId()).block()).isZero();
        assertStillIndexes();
    }

    @Test
    void aStreamThatDecodesBeyondTheMemoryBudgetFailsBeforePdfBoxInflatesIt() {
        byte[] bomb = HostilePdfs.blankBomb(48 * 1024 * 1024);
        assertThat(bomb.length).isLessThan(200_000);

        StoredDocument failed = assertTimeoutPreemptively(Duration.ofSeconds(60),
                () -> index("blanks.pdf", DocumentFormat.PDF, bomb));

        assertThat(failed.status()).isEqualTo(StoredDocument.FAILED);
        assertThat(failed.error()).contains("decodes to more than 32 MB").contains("memory budget");
        assertStillIndexes();
    }

    @Test
    void aPdfWithMorePagesThanTheCapFails() {
        StoredDocument failed = index("long.pdf", DocumentFormat.PDF, HostilePdfs.manyPages(11));

        assertThat(failed.status()).isEqualTo(StoredDocument.FAILED);
        assertThat(failed.error()).isEqualTo("the PDF has 11 pages; at most 10 are accepted");
        assertThat(index("short.pdf", DocumentFormat.PDF, HostilePdfs.manyPages(10)).status())
                .isEqualTo(StoredDocument.READY);
    }

    @Test
    void aTextFileOverTheTextCapFails() {
        byte[] text = "Plain words repeat here. ".repeat(10_000).getBytes(StandardCharsets.UTF_8);

        StoredDocument failed = index("long.txt", DocumentFormat.TXT, text);

        assertThat(failed.status()).isEqualTo(StoredDocument.FAILED);
        assertThat(failed.error()).isEqualTo("the document has more than 200000 characters of text");
    }

    @Test
    void aDocumentThatOutlastsTheTimeoutIsStoppedAndThePoolIsFreeAgain() {
        IndexingProperties quick = new IndexingProperties(1, 4, Duration.ofSeconds(1), 4_000_000, 10,
                DataSize.ofMegabytes(4), 100);
        try (RagTestSupport rag = new RagTestSupport(RagTestSupport.defaults(), quick)) {
            // About 1,500 chunks to embed: far more than a second's work.
            byte[] large = IndexingLoad.largeText(900_000).getBytes(StandardCharsets.UTF_8);

            long started = System.nanoTime();
            StoredDocument failed = index(rag, "large.txt", DocumentFormat.TXT, large);
            Duration took = Duration.ofNanos(System.nanoTime() - started);

            assertThat(failed.status()).isEqualTo(StoredDocument.FAILED);
            assertThat(failed.error()).isEqualTo("indexing took longer than 1 s and was stopped");
            assertThat(took).isLessThan(Duration.ofSeconds(15));
            assertThat(index(rag, "small.txt", DocumentFormat.TXT, "A short note about cells. It is fine."
                    .getBytes(StandardCharsets.UTF_8)).status()).isEqualTo(StoredDocument.READY);
        }
    }

    @Test
    void aFullQueueRefusesMoreWorkInsteadOfQueueingIt() {
        // The first document must outlast the second's submission, and then finish: a long budget for a busy machine.
        IndexingProperties tiny = new IndexingProperties(1, 0, Duration.ofSeconds(240), 4_000_000, 10,
                DataSize.ofMegabytes(4), 100);
        try (RagTestSupport rag = new RagTestSupport(RagTestSupport.defaults(), tiny)) {
            byte[] large = IndexingLoad.largeText(200_000).getBytes(StandardCharsets.UTF_8);
            Instant now = Instant.now();
            StoredDocument first = new StoredDocument("first", "mallory", null, false, "a", "a.txt",
                    StoredDocument.INDEXING, 0, null, "h", "run-1", now, now);
            rag.documents.save(first).block();
            var running = rag.indexer.index(first, DocumentFormat.TXT, large).toFuture();
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> !rag.indexer.hasRoom());

            StoredDocument second = index(rag, "b.txt", DocumentFormat.TXT, large);

            assertThat(second.status()).isEqualTo(StoredDocument.FAILED);
            assertThat(second.error()).contains("busy");
            StoredDocument done = running.join();
            assertThat(done.status()).as(done.error()).isEqualTo(StoredDocument.READY);
            assertThat(rag.indexer.hasRoom()).isTrue();
        }
    }
}
