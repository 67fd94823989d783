package dev.streamchat.ai.stream;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

class CitationRenumbererTests {

    /** Feeds the tokens, returns what was emitted per token plus the final flush as the last element. */
    private static List<String> feed(CitationRenumberer renumberer, String... tokens) {
        List<String> out = new ArrayList<>();
        for (String token : tokens) {
            out.add(renumberer.accept(token));
        }
        out.add(renumberer.finish());
        return out;
    }

    private static String joined(List<String> parts) {
        return String.join("", parts);
    }

    @Test
    void renumbersOutOfOrderMarkersInOrderOfFirstUse() {
        CitationRenumberer renumberer = new CitationRenumberer(5);

        String answer = joined(feed(renumberer, "Cells divide [3]", " and grow [1]", ", then rest [5]."));

        assertThat(answer).isEqualTo("Cells divide [1] and grow [2], then rest [3].");
        assertThat(renumberer.citedSources()).containsExactly(3, 1, 5);
    }

    @Test
    void givesARepeatedSourceItsFirstNumber() {
        CitationRenumberer renumberer = new CitationRenumberer(4);

        String answer = joined(feed(renumberer, "A [4]. B [2]. C [4]. D [2][4]."));

        assertThat(answer).isEqualTo("A [1]. B [2]. C [1]. D [2][1].");
        assertThat(renumberer.citedSources()).containsExactly(4, 2);
    }

    @Test
    void dropsMarkersNamingNoRetrievedPassage() {
        CitationRenumberer renumberer = new CitationRenumberer(2);

        String answer = joined(feed(renumberer, "Known [2], unknown [7], zero [0], known again [1]."));

        assertThat(answer).isEqualTo("Known [1], unknown , zero , known again [2].");
        assertThat(renumberer.citedSources()).containsExactly(2, 1);
    }

    @Test
    void resolvesAMarkerSplitAcrossTokensAndHoldsBackOnlyTheOpenPart() {
        CitationRenumberer renumberer = new CitationRenumberer(12);

        List<String> out = feed(renumberer, "See ", "[", "1", "2", "]", " and [", "3]", ".");

        assertThat(out).containsExactly("See ", "", "", "", "[1]", " and ", "[2]", ".", "");
        assertThat(renumberer.citedSources()).containsExactly(12, 3);
    }

    @Test
    void releasesABracketThatNeverClosesVerbatimAtTheEnd() {
        CitationRenumberer renumberer = new CitationRenumberer(3);

        List<String> out = feed(renumberer, "Unfinished [", "2");

        assertThat(out).containsExactly("Unfinished ", "", "[2");
        assertThat(joined(out)).isEqualTo("Unfinished [2");
        assertThat(renumberer.citedSources()).isEmpty();
    }

    @Test
    void neverHoldsBackMoreThanEightCharacters() {
        CitationRenumberer renumberer = new CitationRenumberer(3);

        List<String> out = feed(renumberer, "[", "1234567", "8", "9]");

        // "[1234567" (8 characters) is the most that is held; the next character releases it.
        assertThat(out).containsExactly("", "", "[12345678", "9]", "");
    }

    @Test
    void passesBracketsThatAreNotCitationsThroughAtOnce() {
        CitationRenumberer renumberer = new CitationRenumberer(3);

        List<String> out = feed(renumberer, "a [link](x) and [ ] and [note", "] [1 2]");

        assertThat(joined(out)).isEqualTo("a [link](x) and [ ] and [note] [1 2]");
        assertThat(out.get(0)).isEqualTo("a [link](x) and [ ] and [note");
    }

    @Test
    void renumbersListsMemberByMemberAndDropsUnknownMembers() {
        CitationRenumberer renumberer = new CitationRenumberer(3);

        String answer = joined(feed(renumberer, "Both [3, 1]", " only [9, 2]", " none [8,9]."));

        assertThat(answer).isEqualTo("Both [1, 2] only [3] none .");
        assertThat(renumberer.citedSources()).containsExactly(3, 1, 2);
    }

    @Test
    void aNewBracketReleasesTheOpenOne() {
        CitationRenumberer renumberer = new CitationRenumberer(2);

        String answer = joined(feed(renumberer, "x [", "[2]"));

        assertThat(answer).isEqualTo("x [[1]");
    }

    @Test
    void withoutSourcesEveryNumericMarkerIsDropped() {
        CitationRenumberer renumberer = new CitationRenumberer(0);

        assertThat(joined(feed(renumberer, "Nothing [1] here."))).isEqualTo("Nothing  here.");
    }

    @Test
    void answersWrittenInSeveralCallsShareOneNumberingOverTheRunsSources() {
        CitationRenumberer renumberer = new CitationRenumberer(0);
        StringBuilder out = new StringBuilder();

        renumberer.useSources(new int[] {5, 3});   // this call's [1] is source 5, [2] is source 3
        out.append(renumberer.accept("A [2] and B [1] and [9]."));
        out.append(renumberer.finish());
        renumberer.useSources(new int[] {3, 7});   // the next call's [1] is source 3 again
        out.append(renumberer.accept(" C [2], D [1"));
        out.append(renumberer.accept("]"));
        out.append(renumberer.finish());

        assertThat(out.toString()).isEqualTo("A [1] and B [2] and . C [3], D [1]");
        assertThat(renumberer.citedSources()).containsExactly(3, 5, 7);
    }
}
