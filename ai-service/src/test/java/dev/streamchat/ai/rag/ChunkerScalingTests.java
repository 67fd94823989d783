package dev.streamchat.ai.rag;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import java.util.List;
import java.util.function.IntFunction;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Hostile documents must not stall indexing: every parsing step of the chunker is linear in the text. Each fixture is
 * chunked at size n and 10 n; the time must grow about tenfold (a quadratic step grows a hundredfold), and the large
 * one must finish well inside a generous bound.
 */
class ChunkerScalingTests {

    private static final int SMALL = 20_000;
    /** Linear is 10; quadratic is 100. The slack absorbs a loaded machine and the JIT. */
    private static final double MAX_RATIO = 30;
    /** Time below which a measurement is noise: a smaller "small" time counts as this much. */
    private static final long FLOOR_NANOS = Duration.ofMillis(30).toNanos();

    private final Chunker chunker = new Chunker(600, 120);

    record Bomb(String name, DocumentFormat format, IntFunction<String> text) {
        @Override
        public String toString() {
            return name;
        }
    }

    static List<Arguments> bombs() {
        return List.of(
                bomb("heading with a long run of spaces", DocumentFormat.MD, n -> "# x" + " ".repeat(n) + "y"),
                bomb("heading with spaces then hashes", DocumentFormat.MD, n -> "## x" + " \t".repeat(n / 2) + "#x"),
                bomb("open brackets", DocumentFormat.MD, n -> "[".repeat(n)),
                bomb("open link texts", DocumentFormat.MD, n -> "[a](".repeat(n / 4)),
                bomb("link texts without a target", DocumentFormat.MD, n -> "[a]".repeat(n / 3)),
                bomb("headings without a body", DocumentFormat.MD, n -> "# a\n".repeat(n / 4)),
                bomb("plain-text headings without a body", DocumentFormat.TXT, n -> "Heading\n\n".repeat(n / 9)),
                bomb("list items", DocumentFormat.MD, n -> "1".repeat(n) + " x"),
                bomb("one long word", DocumentFormat.TXT, n -> "a".repeat(n * 5)),
                bomb("blank-looking lines", DocumentFormat.TXT, n -> ("\n" + " ".repeat(50)).repeat(n / 51) + "x"),
                bomb("emphasis marks", DocumentFormat.MD, n -> "**_`".repeat(n / 4)));
    }

    private static Arguments bomb(String name, DocumentFormat format, IntFunction<String> text) {
        return Arguments.of(new Bomb(name, format, text));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("bombs")
    void parsingTimeGrowsLinearly(Bomb bomb) {
        String small = bomb.text().apply(SMALL);
        String large = bomb.text().apply(SMALL * 10);

        assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
            chunk(bomb.format(), small); // warm-up
            long smallNanos = Math.max(FLOOR_NANOS, bestOf(3, bomb.format(), small));
            long largeNanos = bestOf(3, bomb.format(), large);

            assertThat((double) largeNanos / smallNanos)
                    .as("%s: %d ms for %d chars, %d ms for %d chars", bomb, smallNanos / 1_000_000, small.length(),
                            largeNanos / 1_000_000, large.length())
                    .isLessThan(MAX_RATIO);
            assertThat(Duration.ofNanos(largeNanos)).isLessThan(Duration.ofSeconds(5));
        });
    }

    @org.junit.jupiter.api.Test
    void theLinearParsersAgreeWithThePatternsTheyReplace() {
        java.util.regex.Pattern link = java.util.regex.Pattern.compile("\\[([^\\]]+)]\\([^)]*\\)");
        java.util.regex.Pattern heading = java.util.regex.Pattern.compile("^#{1,6}\\s+(.*?)\\s*#*$");
        java.util.Random random = new java.util.Random(42);
        String alphabet = "[]()a #\t";
        for (int round = 0; round < 20_000; round++) {
            StringBuilder text = new StringBuilder();
            for (int i = random.nextInt(14); i > 0; i--) {
                text.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            String line = text.toString().strip();
            assertThat(Chunker.replaceLinks(line)).as("links of '%s'", line)
                    .isEqualTo(link.matcher(line).replaceAll("$1"));
            java.util.regex.Matcher m = heading.matcher(line);
            assertThat(Chunker.markdownHeading(line)).as("heading of '%s'", line)
                    .isEqualTo(m.matches() ? m.group(1) : null);
        }
    }

    private long bestOf(int runs, DocumentFormat format, String text) {
        long best = Long.MAX_VALUE;
        for (int i = 0; i < runs; i++) {
            System.gc(); // a collection owed by an earlier fixture must not land inside this measurement
            long started = System.nanoTime();
            chunk(format, text);
            best = Math.min(best, System.nanoTime() - started);
        }
        return best;
    }

    private List<Chunker.Draft> chunk(DocumentFormat format, String text) {
        return chunker.chunk(format, List.of(new TextExtractor.PageText(null, text)));
    }
}
