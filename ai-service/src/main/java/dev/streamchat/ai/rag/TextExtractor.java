package dev.streamchat.ai.rag;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.apache.pdfbox.Loader;
import org.apache.pdfbox.contentstream.operator.Operator;
import org.apache.pdfbox.cos.COSBase;
import org.apache.pdfbox.io.MemoryUsageSetting;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.text.PDFTextStripper;
import org.apache.pdfbox.text.TextPosition;

/**
 * Reads the text of an upload, page by page for PDFs (PDFBox 3), so that each chunk keeps its 1-based page.
 * Blocking and CPU-bound: call it at startup or on the {@link IndexingPool}.
 *
 * <p>Uploads are hostile: {@link Limits} bound the pages, the bytes any one PDF stream may decode to (PDFBox decodes
 * a stream wholly into memory, so a 20 KB file could ask for gigabytes) and the characters of text; a document over
 * a limit fails with a {@link DocumentIndexer.IndexingException} that says which.
 */
final class TextExtractor {

    /** The text of one page ({@code page} 1-based), or of the whole file ({@code page} null) for text formats. */
    record PageText(Integer page, String text) {
    }

    /** What a file contains: the title it declares (null when none) and its text. */
    record ExtractedText(String title, List<PageText> pages) {
    }

    /** What one document may cost; {@code checkpoint} runs between steps and may end the run by throwing. */
    record Limits(int maxPages, long maxStreamBytes, int maxTextChars, Runnable checkpoint) {
        static Limits of(IndexingProperties props, Runnable checkpoint) {
            return new Limits(props.pdfMaxPages(), props.pdfMaxMemory().toBytes(), props.maxTextChars(), checkpoint);
        }
    }

    private TextExtractor() {
    }

    static ExtractedText extract(DocumentFormat format, byte[] content, Limits limits) throws IOException {
        if (format == DocumentFormat.PDF) {
            return extractPdf(content, limits);
        }
        String text = decode(content);
        if (text.length() > limits.maxTextChars()) {
            throw tooMuchText(limits);
        }
        String title = format == DocumentFormat.MD ? markdownTitle(text) : textTitle(text);
        return new ExtractedText(title, List.of(new PageText(null, text)));
    }

    /** True when the bytes start like a PDF file. */
    static boolean looksLikePdf(byte[] content) {
        return content.length >= 5 && new String(content, 0, 5, StandardCharsets.ISO_8859_1).equals("%PDF-");
    }

    /** True when text bytes contain a NUL, which no text or Markdown file does. */
    static boolean looksBinary(byte[] content) {
        int probe = Math.min(content.length, 8192);
        for (int i = 0; i < probe; i++) {
            if (content[i] == 0) {
                return true;
            }
        }
        return false;
    }

    private static ExtractedText extractPdf(byte[] content, Limits limits) throws IOException {
        MemoryUsageSetting memory = MemoryUsageSetting.setupMainMemoryOnly(limits.maxStreamBytes());
        try (PDDocument document = Loader.loadPDF(content, "", null, null, memory.streamCache)) {
            if (document.getNumberOfPages() > limits.maxPages()) {
                throw new DocumentIndexer.IndexingException("the PDF has " + document.getNumberOfPages()
                        + " pages; at most " + limits.maxPages() + " are accepted");
            }
            PdfStreamBudget.check(document.getDocument(), limits.maxStreamBytes(), limits.checkpoint());
            PDFTextStripper stripper = new CappedTextStripper(limits);
            stripper.setSortByPosition(true);
            // A blank line at each paragraph start keeps paragraphs (and short heading lines) apart for the chunker.
            stripper.setParagraphStart("\n");
            List<PageText> pages = new ArrayList<>();
            CappedWriter text = new CappedWriter(limits);
            for (int page = 1; page <= document.getNumberOfPages(); page++) {
                limits.checkpoint().run();
                stripper.setStartPage(page);
                stripper.setEndPage(page);
                // Written through a capped writer, so one page of inflated text stops at the cap, not at the heap.
                stripper.writeText(document, text);
                String pageText = text.takePage();
                if (!pageText.isBlank()) {
                    pages.add(new PageText(page, pageText));
                }
            }
            String title = document.getDocumentInformation() == null ? null : document.getDocumentInformation().getTitle();
            return new ExtractedText(title == null || title.isBlank() ? null : title.strip(), pages);
        }
    }

    static DocumentIndexer.IndexingException tooMuchText(Limits limits) {
        return new DocumentIndexer.IndexingException(
                "the document has more than " + limits.maxTextChars() + " characters of text");
    }

    /**
     * Counts glyphs as PDFBox finds them: the stripper collects a whole page before writing any of it, so a page of
     * millions of glyphs must be stopped here, not at the writer. Every few thousand operators it also runs the
     * checkpoint, so the deadline ends a page of endless non-text operators too.
     */
    private static final class CappedTextStripper extends PDFTextStripper {
        private final Limits limits;
        private long glyphs;
        private long operators;

        CappedTextStripper(Limits limits) {
            this.limits = limits;
        }

        @Override
        protected void processTextPosition(TextPosition text) {
            glyphs += text.getUnicode() == null ? 1 : text.getUnicode().length();
            if (glyphs > limits.maxTextChars()) {
                throw tooMuchText(limits);
            }
            super.processTextPosition(text);
        }

        @Override
        protected void processOperator(Operator operator, List<COSBase> operands) throws IOException {
            if ((++operators & 0xFFF) == 0) {
                limits.checkpoint().run();
            }
            super.processOperator(operator, operands);
        }
    }

    /** Collects a page's text and refuses to hold more than the document's text cap in all. */
    private static final class CappedWriter extends Writer {
        private final Limits limits;
        private final StringBuilder page = new StringBuilder();
        private long total;

        CappedWriter(Limits limits) {
            this.limits = limits;
        }

        @Override
        public void write(char[] chars, int offset, int length) {
            total += length;
            if (total > limits.maxTextChars()) {
                throw tooMuchText(limits);
            }
            if ((page.length() & 0xFFFF) + length > 0xFFFF) {
                limits.checkpoint().run();
            }
            page.append(chars, offset, length);
        }

        String takePage() {
            String text = page.toString();
            page.setLength(0);
            return text;
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    }

    private static String decode(byte[] content) {
        String text = new String(content, StandardCharsets.UTF_8);
        if (text.startsWith("\uFEFF")) {
            text = text.substring(1);
        }
        return text.replace("\r\n", "\n").replace('\r', '\n');
    }

    private static String markdownTitle(String text) {
        for (String line : text.split("\n")) {
            String stripped = line.strip();
            if (stripped.startsWith("# ")) {
                return stripped.substring(2).strip();
            }
        }
        return null;
    }

    private static String textTitle(String text) {
        for (String line : text.split("\n")) {
            String stripped = line.strip();
            if (!stripped.isEmpty()) {
                return Chunker.isHeadingLine(stripped) ? stripped : null;
            }
        }
        return null;
    }
}
