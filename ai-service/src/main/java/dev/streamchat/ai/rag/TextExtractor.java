package dev.streamchat.ai.rag;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.apache.pdfbox.Loader;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.text.PDFTextStripper;

/**
 * Reads the text of an upload, page by page for PDFs (PDFBox 3), so that each chunk keeps its 1-based page.
 * Blocking and CPU-bound: call it at startup or on {@code boundedElastic}.
 */
final class TextExtractor {

    /** The text of one page ({@code page} 1-based), or of the whole file ({@code page} null) for text formats. */
    record PageText(Integer page, String text) {
    }

    /** What a file contains: the title it declares (null when none) and its text. */
    record ExtractedText(String title, List<PageText> pages) {
    }

    private TextExtractor() {
    }

    static ExtractedText extract(DocumentFormat format, byte[] content) throws IOException {
        return switch (format) {
            case PDF -> extractPdf(content);
            case MD -> new ExtractedText(markdownTitle(decode(content)), List.of(new PageText(null, decode(content))));
            case TXT -> new ExtractedText(textTitle(decode(content)), List.of(new PageText(null, decode(content))));
        };
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

    private static ExtractedText extractPdf(byte[] content) throws IOException {
        try (PDDocument document = Loader.loadPDF(content)) {
            PDFTextStripper stripper = new PDFTextStripper();
            stripper.setSortByPosition(true);
            // A blank line at each paragraph start keeps paragraphs (and short heading lines) apart for the chunker.
            stripper.setParagraphStart("\n");
            List<PageText> pages = new ArrayList<>();
            for (int page = 1; page <= document.getNumberOfPages(); page++) {
                stripper.setStartPage(page);
                stripper.setEndPage(page);
                String text = stripper.getText(document);
                if (!text.isBlank()) {
                    pages.add(new PageText(page, text));
                }
            }
            String title = document.getDocumentInformation() == null ? null : document.getDocumentInformation().getTitle();
            return new ExtractedText(title == null || title.isBlank() ? null : title.strip(), pages);
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
