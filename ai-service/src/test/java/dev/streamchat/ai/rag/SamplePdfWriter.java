package dev.streamchat.ai.rag;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Calendar;
import java.util.GregorianCalendar;
import java.util.List;
import java.util.TimeZone;

import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDDocumentInformation;
import org.apache.pdfbox.pdmodel.PDPage;
import org.apache.pdfbox.pdmodel.PDPageContentStream;
import org.apache.pdfbox.pdmodel.common.PDRectangle;
import org.apache.pdfbox.pdmodel.font.PDType1Font;
import org.apache.pdfbox.pdmodel.font.Standard14Fonts;

/**
 * Writes the sample library's PDF from its page-by-page source text. Run once when the source changes, then
 * commit the PDF (SamplePdfTests fails while the two disagree):
 * <pre>
 * mvn -q -pl ai-service test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt
 * java -cp ai-service/target/test-classes:$(cat ai-service/target/cp.txt) dev.streamchat.ai.rag.SamplePdfWriter \
 *      ai-service/src/test/resources/corpus-src/cardiac-conduction-and-cycle.pages.txt \
 *      ai-service/src/main/resources/corpus/cardiac-conduction-and-cycle.pdf
 * </pre>
 * Source format: pages separated by a line {@code === page ===}; a line starting with {@code # } is a heading;
 * paragraphs are separated by blank lines. The first line of the file is {@code Title: ...}.
 */
public final class SamplePdfWriter {

    static final String PAGE_BREAK = "=== page ===";
    private static final float MARGIN = 72;
    private static final float BODY_SIZE = 11;
    private static final float HEADING_SIZE = 14;
    private static final float LEADING = 15;

    private SamplePdfWriter() {
    }

    public static void main(String[] args) throws IOException {
        Path source = Path.of(args[0]);
        Path target = Path.of(args[1]);
        write(source, target);
        System.out.println("wrote " + target);
    }

    /** The title and the pages of a source file: each page a list of blocks, a heading block starting with "# ". */
    record Source(String title, List<List<String>> pages) {
    }

    static Source read(Path source) throws IOException {
        String all = Files.readString(source, StandardCharsets.UTF_8).replace("\r\n", "\n");
        String firstLine = all.substring(0, all.indexOf('\n'));
        if (!firstLine.startsWith("Title: ")) {
            throw new IllegalArgumentException("first line must be 'Title: ...'");
        }
        String title = firstLine.substring("Title: ".length()).strip();
        List<List<String>> pages = new ArrayList<>();
        for (String page : all.substring(all.indexOf('\n') + 1).split("\n" + PAGE_BREAK + "\n")) {
            List<String> blocks = new ArrayList<>();
            for (String block : page.strip().split("\n\\s*\n")) {
                if (!block.isBlank()) {
                    blocks.add(block.strip().replaceAll("\\s+", " "));
                }
            }
            pages.add(blocks);
        }
        return new Source(title, pages);
    }

    static void write(Path source, Path target) throws IOException {
        Source src = read(source);
        PDType1Font body = new PDType1Font(Standard14Fonts.FontName.HELVETICA);
        PDType1Font bold = new PDType1Font(Standard14Fonts.FontName.HELVETICA_BOLD);
        try (PDDocument document = new PDDocument()) {
            PDDocumentInformation info = document.getDocumentInformation();
            info.setTitle(src.title());
            info.setAuthor("streamchat sample library");
            // A fixed date keeps the committed file byte-stable when it is regenerated.
            Calendar fixed = new GregorianCalendar(TimeZone.getTimeZone("UTC"));
            fixed.clear();
            fixed.set(2026, Calendar.JANUARY, 1);
            info.setCreationDate(fixed);
            info.setModificationDate(fixed);
            for (List<String> blocks : src.pages()) {
                PDPage page = new PDPage(PDRectangle.LETTER);
                document.addPage(page);
                float width = page.getMediaBox().getWidth() - 2 * MARGIN;
                float y = page.getMediaBox().getHeight() - MARGIN;
                try (PDPageContentStream out = new PDPageContentStream(document, page)) {
                    for (String block : blocks) {
                        boolean heading = block.startsWith("# ");
                        PDType1Font font = heading ? bold : body;
                        float size = heading ? HEADING_SIZE : BODY_SIZE;
                        String text = heading ? block.substring(2) : block;
                        for (String line : wrap(text, font, size, width)) {
                            if (y < MARGIN) {
                                throw new IllegalStateException("page overflow in block: " + text.substring(0, 40));
                            }
                            out.beginText();
                            out.setFont(font, size);
                            out.newLineAtOffset(MARGIN, y);
                            out.showText(line);
                            out.endText();
                            y -= LEADING;
                        }
                        y -= 9; // paragraph spacing lets the text stripper see paragraph breaks
                    }
                }
            }
            document.save(target.toFile());
        }
    }

    private static List<String> wrap(String text, PDType1Font font, float size, float width) throws IOException {
        List<String> lines = new ArrayList<>();
        StringBuilder line = new StringBuilder();
        for (String word : text.split(" ")) {
            String candidate = line.isEmpty() ? word : line + " " + word;
            if (font.getStringWidth(candidate) / 1000 * size > width && !line.isEmpty()) {
                lines.add(line.toString());
                line = new StringBuilder(word);
            } else {
                line = new StringBuilder(candidate);
            }
        }
        if (!line.isEmpty()) {
            lines.add(line.toString());
        }
        return lines;
    }
}
