package dev.streamchat.ai.rag;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import org.bson.Document;
import org.junit.jupiter.api.Test;

import reactor.core.publisher.Flux;

/** PDFs are read page by page with PDFBox and every chunk keeps its 1-based page (for {@code citations[].page}). */
class PdfIngestionTests {

    static final TextExtractor.Limits UNLIMITED = TextExtractor.Limits.of(IndexingProperties.defaults(), () -> { });

    static final Path SAMPLE_PDF = Path.of("src/main/resources/corpus/cardiac-conduction-and-cycle.pdf");
    static final Path SAMPLE_SOURCE = Path.of("src/test/resources/corpus-src/cardiac-conduction-and-cycle.pages.txt");

    @Test
    void extractsEachPageWithItsNumberAndTheDeclaredTitle() throws IOException {
        TextExtractor.ExtractedText text = TextExtractor.extract(DocumentFormat.PDF, Files.readAllBytes(SAMPLE_PDF), UNLIMITED);

        assertThat(text.title()).isEqualTo("The Heartbeat: Conduction System, ECG and Cardiac Cycle");
        assertThat(text.pages()).extracting(TextExtractor.PageText::page).containsExactly(1, 2, 3, 4, 5);
        assertThat(text.pages().get(2).text()).contains("The QRS complex is caused by depolarisation of the ventricles");
    }

    /** The committed PDF is generated from its source (SamplePdfWriter); the two must say the same thing, page by page. */
    @Test
    void committedSamplePdfMatchesItsSourceText() throws IOException {
        SamplePdfWriter.Source source = SamplePdfWriter.read(SAMPLE_SOURCE);
        TextExtractor.ExtractedText pdf = TextExtractor.extract(DocumentFormat.PDF, Files.readAllBytes(SAMPLE_PDF), UNLIMITED);

        assertThat(pdf.title()).isEqualTo(source.title());
        assertThat(pdf.pages()).hasSize(source.pages().size());
        for (int i = 0; i < source.pages().size(); i++) {
            String expected = String.join(" ", source.pages().get(i)).replace("# ", "").replaceAll("\\s+", " ");
            String actual = pdf.pages().get(i).text().replaceAll("\\s+", " ").strip();
            assertThat(actual).as("page %d", i + 1).isEqualTo(expected);
        }
    }

    @Test
    void everyChunkOfAnIndexedPdfKeepsItsPage() throws IOException {
        try (RagTestSupport rag = new RagTestSupport()) {
            byte[] content = Files.readAllBytes(SAMPLE_PDF);
            Instant now = Instant.now();
            StoredDocument upload = new StoredDocument("carol-heartbeat", "carol", null, false, "heartbeat",
                    "heartbeat.pdf", StoredDocument.INDEXING, 0, null, rag.indexer.contentHash(content),
                    UUID.randomUUID().toString(), now, now);
            rag.documents.save(upload).block();

            StoredDocument stored = rag.indexer.index(upload, DocumentFormat.PDF, content).block();

            assertThat(stored.status()).isEqualTo(StoredDocument.READY);
            assertThat(stored.title()).isEqualTo("The Heartbeat: Conduction System, ECG and Cardiac Cycle");
            List<Document> chunks = rag.chunks.collection().flatMapMany(c -> Flux.from(c.find(new Document("docId", "carol-heartbeat"))))
                    .collectList().block();
            assertThat(chunks).hasSize(stored.chunks());
            assertThat(chunks).extracting(c -> c.getInteger("page")).containsOnly(1, 2, 3, 4, 5).contains(1, 2, 3, 4, 5);
            assertThat(chunks).filteredOn(c -> c.getString("text").contains("QRS complex"))
                    .extracting(c -> c.getInteger("page")).containsOnly(3);

            Passage best = rag.retriever.retrieve(new SearchScope("carol", null, "carol-heartbeat"),
                    "What does the QRS complex represent?").block().get(0);
            assertThat(best.page()).isEqualTo(3);
        }
    }

    @Test
    void aBrokenPdfFailsWithAReasonAndLeavesNoChunks() {
        try (RagTestSupport rag = new RagTestSupport()) {
            byte[] content = "%PDF-1.7 this is not really a pdf".getBytes();
            Instant now = Instant.now();
            StoredDocument upload = new StoredDocument("carol-broken", "carol", null, false, "broken", "broken.pdf",
                    StoredDocument.INDEXING, 0, null, "h", UUID.randomUUID().toString(), now, now);
            rag.documents.save(upload).block();

            StoredDocument stored = rag.indexer.index(upload, DocumentFormat.PDF, content).block();

            assertThat(stored.status()).isEqualTo(StoredDocument.FAILED);
            assertThat(stored.error()).isEqualTo("the file could not be read as pdf");
            assertThat(rag.chunks.countByDocId("carol-broken").block()).isZero();
        }
    }
}
