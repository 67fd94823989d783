package dev.streamchat.ai.rag;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

import org.apache.pdfbox.cos.COSName;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDPage;
import org.apache.pdfbox.pdmodel.PDResources;
import org.apache.pdfbox.pdmodel.common.PDRectangle;
import org.apache.pdfbox.pdmodel.common.PDStream;
import org.apache.pdfbox.pdmodel.font.PDType1Font;
import org.apache.pdfbox.pdmodel.font.Standard14Fonts;

/**
 * Small PDFs that are expensive to read, written with PDFBox itself: a deflated page whose text inflates to many
 * megabytes, a stream of deflated blanks, and a document with many pages.
 */
final class HostilePdfs {

    private HostilePdfs() {
    }

    /** One page whose deflated content stream shows about {@code chars} characters of text. */
    static byte[] textBomb(int chars) {
        String line = "BT /F1 8 Tf 20 700 Td (" + "A".repeat(1000) + ") Tj ET\n";
        return onePage(out -> {
            for (int written = 0; written < chars; written += 1000) {
                out.write(line.getBytes(StandardCharsets.US_ASCII));
            }
        });
    }

    /** One page whose deflated content stream is {@code bytes} blanks and one short line of text. */
    static byte[] blankBomb(int bytes) {
        return onePage(out -> {
            byte[] blanks = new byte[64 * 1024];
            java.util.Arrays.fill(blanks, (byte) ' ');
            for (int written = 0; written < bytes; written += blanks.length) {
                out.write(blanks);
            }
            out.write("BT /F1 12 Tf 72 700 Td (Hello.) Tj ET\n".getBytes(StandardCharsets.US_ASCII));
        });
    }

    /** {@code pages} pages of one short sentence each. */
    static byte[] manyPages(int pages) {
        try (PDDocument document = new PDDocument()) {
            for (int i = 1; i <= pages; i++) {
                PDPage page = page(document);
                write(document, page, ("BT /F1 12 Tf 72 700 Td (Page " + i + " says hello.) Tj ET\n")
                        .getBytes(StandardCharsets.US_ASCII));
            }
            return save(document);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private interface Content {
        void writeTo(OutputStream out) throws IOException;
    }

    private static byte[] onePage(Content content) {
        try (PDDocument document = new PDDocument()) {
            PDPage page = page(document);
            PDStream stream = new PDStream(document);
            try (OutputStream out = stream.createOutputStream(COSName.FLATE_DECODE)) {
                content.writeTo(out);
            }
            page.setContents(stream);
            return save(document);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static PDPage page(PDDocument document) {
        PDPage page = new PDPage(PDRectangle.LETTER);
        PDResources resources = new PDResources();
        resources.put(COSName.getPDFName("F1"), new PDType1Font(Standard14Fonts.FontName.HELVETICA));
        page.setResources(resources);
        document.addPage(page);
        return page;
    }

    private static void write(PDDocument document, PDPage page, byte[] content) throws IOException {
        PDStream stream = new PDStream(document);
        try (OutputStream out = stream.createOutputStream(COSName.FLATE_DECODE)) {
            out.write(content);
        }
        page.setContents(stream);
    }

    private static byte[] save(PDDocument document) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        document.save(bytes);
        return bytes.toByteArray();
    }
}
