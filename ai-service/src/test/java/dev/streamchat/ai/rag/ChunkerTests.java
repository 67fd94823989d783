package dev.streamchat.ai.rag;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

class ChunkerTests {

    private final Chunker chunker = new Chunker(300, 80);

    private static String sentences(String prefix, int n) {
        StringBuilder text = new StringBuilder();
        for (int i = 1; i <= n; i++) {
            text.append(prefix).append(" sentence number ").append(i).append(" says something useful. ");
        }
        return text.toString().strip();
    }

    @Test
    void chunksEndOnSentenceBoundariesStayWithinTheSizeAndOverlap() {
        String text = sentences("Alpha", 20);

        List<Chunker.Draft> drafts = chunker.chunk(DocumentFormat.TXT, List.of(new TextExtractor.PageText(null, text)));

        assertThat(drafts).hasSizeGreaterThan(3);
        for (int i = 0; i < drafts.size(); i++) {
            Chunker.Draft d = drafts.get(i);
            assertThat(d.index()).isEqualTo(i);
            assertThat(d.text().length()).isLessThanOrEqualTo(300 * 5 / 4);
            assertThat(d.text()).startsWith("Alpha sentence number").endsWith("useful.");
        }
        // The last sentence of one chunk opens the next.
        String lastOfFirst = Chunker.sentences(drafts.get(0).text()).get(Chunker.sentences(drafts.get(0).text()).size() - 1);
        assertThat(drafts.get(1).text()).startsWith(lastOfFirst);
        // Nothing is lost.
        for (String sentence : Chunker.sentences(text)) {
            assertThat(drafts).anySatisfy(d -> assertThat(d.text()).contains(sentence));
        }
    }

    @Test
    void aMarkdownHeadingStartsANewChunkAndNamesItsSection() {
        String md = "# Title\n\n## First\n\n" + sentences("One", 2) + "\n\n## Second part\n\n" + sentences("Two", 2)
                + "\n\n- a **bold** list item with a [link](http://x) in it\n";

        List<Chunker.Draft> drafts = chunker.chunk(DocumentFormat.MD, List.of(new TextExtractor.PageText(null, md)));

        assertThat(drafts).hasSize(2);
        assertThat(drafts.get(0).section()).isEqualTo("First");
        assertThat(drafts.get(0).text()).startsWith("Title\n\nFirst\n\nOne sentence number 1").doesNotContain("#");
        assertThat(drafts.get(1).section()).isEqualTo("Second part");
        assertThat(drafts.get(1).text()).startsWith("Second part\n\nTwo sentence")
                .endsWith("- a bold list item with a link in it");
    }

    @Test
    void chunksNeverCrossPagesAndKeepThem() {
        List<TextExtractor.PageText> pages = List.of(new TextExtractor.PageText(1, "Heading one\n\n" + sentences("P1", 3)),
                new TextExtractor.PageText(2, sentences("P2", 9)));

        List<Chunker.Draft> drafts = chunker.chunk(DocumentFormat.PDF, pages);

        assertThat(drafts).filteredOn(d -> d.page() == 1).allSatisfy(d -> assertThat(d.text()).doesNotContain("P2"));
        assertThat(drafts).filteredOn(d -> d.page() == 2).isNotEmpty().allSatisfy(d -> assertThat(d.text()).doesNotContain("P1"));
        assertThat(drafts.get(0).section()).isEqualTo("Heading one");
        assertThat(drafts).filteredOn(d -> d.page() == 2).allSatisfy(d -> assertThat(d.section()).isEqualTo("Heading one"));
    }

    @Test
    void pdfLinesAreJoinedAndAHeadingAboveLongerLinesIsSplitOff() {
        String page = "Short heading\nThis is a long first line of the paragraph that wraps in the PDF and carries\n"
                + "on here, with an oxygen-\nrich ending.";

        List<Chunker.Draft> drafts = chunker.chunk(DocumentFormat.PDF, List.of(new TextExtractor.PageText(3, page)));

        assertThat(drafts).singleElement().satisfies(d -> {
            assertThat(d.section()).isEqualTo("Short heading");
            assertThat(d.text()).isEqualTo("Short heading\n\nThis is a long first line of the paragraph that wraps in "
                    + "the PDF and carries on here, with an oxygen-rich ending.");
            assertThat(d.page()).isEqualTo(3);
        });
    }

    @Test
    void aSentenceLongerThanAChunkIsCutAtWords() {
        String longSentence = "word ".repeat(200).strip() + ".";

        List<Chunker.Draft> drafts = chunker.chunk(DocumentFormat.TXT, List.of(new TextExtractor.PageText(null, longSentence)));

        assertThat(drafts).hasSizeGreaterThan(2).allSatisfy(d -> assertThat(d.text().length()).isLessThanOrEqualTo(375));
    }

    @Test
    void blankTextGivesNoChunks() {
        assertThat(chunker.chunk(DocumentFormat.TXT, List.of(new TextExtractor.PageText(null, " \n\n ")))).isEmpty();
    }
}
