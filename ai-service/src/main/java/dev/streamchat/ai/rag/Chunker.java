package dev.streamchat.ai.rag;

import java.text.BreakIterator;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Splits extracted text into overlapping, sentence-aligned chunks. A chunk never crosses a page (so citations keep
 * their page) and a heading always starts the chunk it belongs to. Pure and thread-safe.
 *
 * <p>Documents are hostile input: every step is linear in the text (no backtracking regular expression over a line,
 * no rescans of the chunk being built), which {@code ChunkerScalingTests} pins with pathological fixtures.
 */
final class Chunker {

    /** One chunk before embedding: {@code section} is the heading in force at its start (null when none). */
    record Draft(int index, Integer page, String section, String text) {
    }

    /** A sentence or a heading, the unit chunks are made of. */
    private record Unit(String text, boolean heading, int paragraph) {
    }

    // Anchored at the line start and free of nested quantifiers: linear (only the emphasis marks use a pattern).
    private static final Pattern LIST_ITEM = Pattern.compile("^([-*+]|\\d+[.)])\\s+.*");
    private static final Pattern MARKDOWN_EMPHASIS = Pattern.compile("(\\*\\*|__|`)");

    private final int maxChars;
    private final int overlapChars;

    Chunker(int maxChars, int overlapChars) {
        if (maxChars < 100) {
            throw new IllegalArgumentException("chunk size must be at least 100 characters");
        }
        this.maxChars = maxChars;
        this.overlapChars = Math.min(overlapChars, maxChars / 2);
    }

    List<Draft> chunk(DocumentFormat format, List<TextExtractor.PageText> pages) {
        List<Draft> drafts = new ArrayList<>();
        String section = null;
        for (TextExtractor.PageText page : pages) {
            List<Unit> units = units(format, page.text());
            section = chunkPage(page.page(), units, section, drafts);
        }
        return drafts;
    }

    /** A short line without closing punctuation: a heading in plain text and PDFs. */
    static boolean isHeadingLine(String line) {
        if (line.length() > 90 || line.isEmpty()) {
            return false;
        }
        char last = line.charAt(line.length() - 1);
        return ".!?:;,\"')]".indexOf(last) < 0 && Character.isLetterOrDigit(line.charAt(0));
    }

    /** The units of the chunk being built, with their body flag and length kept up to date (no rescans). */
    private static final class Pending {
        final List<Unit> units = new ArrayList<>();
        private int bodyUnits;
        private int length;

        Pending(List<Unit> initial) {
            initial.forEach(this::add);
        }

        void add(Unit unit) {
            units.add(unit);
            length += unit.text().length() + 1;
            bodyUnits += unit.heading() ? 0 : 1;
        }

        /** Drops the oldest headings of a body-less run of headings until it fits in {@code maxChars}. */
        void trimHeadings(int maxChars) {
            while (bodyUnits == 0 && length > maxChars && units.size() > 1) {
                length -= units.remove(0).text().length() + 1;
            }
        }

        boolean hasBody() {
            return bodyUnits > 0;
        }

        int length() {
            return length;
        }
    }

    private String chunkPage(Integer page, List<Unit> units, String section, List<Draft> drafts) {
        Pending current = new Pending(List.of());
        String currentSection = section;
        for (Unit unit : units) {
            if (unit.heading()) {
                // A new section starts a new chunk, without overlap: the old section's sentences would only blur it.
                if (current.hasBody()) {
                    flush(page, currentSection, current.units, drafts);
                    current = new Pending(List.of());
                }
                section = unit.text();
                currentSection = section;
                current.add(unit);
                // Thousands of headings without a line of text between them would otherwise make one endless chunk.
                current.trimHeadings(maxChars);
                continue;
            }
            for (String piece : splitLong(unit.text())) {
                if (current.hasBody() && current.length() + piece.length() > maxChars) {
                    List<Unit> carried = carryOver(current.units);
                    flush(page, currentSection, current.units, drafts);
                    current = lengthOf(carried) + piece.length() > maxChars ? new Pending(List.of()) : new Pending(carried);
                    currentSection = section;
                }
                current.add(new Unit(piece, false, unit.paragraph()));
            }
        }
        return finishPage(page, current.units, currentSection, section, drafts);
    }

    private String finishPage(Integer page, List<Unit> current, String currentSection, String section,
            List<Draft> drafts) {
        if (hasBody(current)) {
            Draft last = drafts.isEmpty() ? null : drafts.get(drafts.size() - 1);
            boolean tiny = join(current).length() < maxChars / 4;
            if (tiny && last != null && java.util.Objects.equals(last.page(), page) && !current.get(0).heading()
                    && last.text().length() + join(current).length() <= maxChars * 5 / 4) {
                // A short tail reads better as the end of the previous chunk than as a chunk of its own.
                drafts.set(drafts.size() - 1, new Draft(last.index(), page, last.section(), appendNew(last.text(), current)));
            } else {
                flush(page, currentSection, current, drafts);
            }
        }
        return section;
    }

    private String appendNew(String previous, List<Unit> tail) {
        StringBuilder text = new StringBuilder(previous);
        for (Unit unit : tail) {
            if (!previous.contains(unit.text())) {
                text.append(text.isEmpty() ? "" : " ").append(unit.text());
            }
        }
        return text.toString();
    }

    private static boolean hasBody(List<Unit> units) {
        return units.stream().anyMatch(u -> !u.heading());
    }

    /** The trailing sentences of a full chunk (up to the overlap) that also open the next one. */
    private List<Unit> carryOver(List<Unit> chunk) {
        List<Unit> carried = new ArrayList<>();
        int length = 0;
        for (int i = chunk.size() - 1; i > 0; i--) {
            Unit unit = chunk.get(i);
            if (unit.heading() || length + unit.text().length() > overlapChars) {
                break;
            }
            carried.add(0, unit);
            length += unit.text().length() + 1;
        }
        return carried;
    }

    private void flush(Integer page, String section, List<Unit> units, List<Draft> drafts) {
        // A heading at the end of a chunk belongs to the next one.
        List<Unit> body = new ArrayList<>(units);
        while (!body.isEmpty() && body.get(body.size() - 1).heading()) {
            body.remove(body.size() - 1);
        }
        if (body.isEmpty()) {
            return;
        }
        drafts.add(new Draft(drafts.size(), page, section, join(body)));
    }

    private static int lengthOf(List<Unit> units) {
        return units.stream().mapToInt(u -> u.text().length() + 1).sum();
    }

    /** Sentences of one paragraph are joined by a space, paragraphs and headings by a blank line. */
    private static String join(List<Unit> units) {
        StringBuilder text = new StringBuilder();
        Unit previous = null;
        for (Unit unit : units) {
            if (previous != null) {
                boolean sameParagraph = previous.paragraph() == unit.paragraph() && !previous.heading() && !unit.heading();
                text.append(sameParagraph ? " " : "\n\n");
            }
            text.append(unit.text());
            previous = unit;
        }
        return text.toString();
    }

    /** A sentence longer than a chunk is cut at word boundaries (a word longer than a chunk, every maxChars). */
    private List<String> splitLong(String sentence) {
        if (sentence.length() <= maxChars) {
            return List.of(sentence);
        }
        List<String> pieces = new ArrayList<>();
        StringBuilder piece = new StringBuilder();
        for (String word : sentence.split(" ")) {
            if (piece.length() + 1 + word.length() > maxChars && !piece.isEmpty()) {
                pieces.add(piece.toString());
                piece.setLength(0);
            }
            int start = 0;
            for (; word.length() - start > maxChars; start += maxChars) {
                pieces.add(word.substring(start, start + maxChars));
            }
            piece.append(piece.isEmpty() ? "" : " ").append(word, start, word.length());
        }
        if (!piece.isEmpty()) {
            pieces.add(piece.toString());
        }
        return pieces;
    }

    private static List<Unit> units(DocumentFormat format, String text) {
        List<Unit> units = new ArrayList<>();
        int paragraph = 0;
        for (String block : text.split("\n\\s*\n")) {
            List<String> lines = new ArrayList<>();
            for (String line : block.split("\n")) {
                if (!line.isBlank()) {
                    lines.add(line.strip());
                }
            }
            if (lines.isEmpty()) {
                continue;
            }
            StringBuilder prose = new StringBuilder();
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i);
                String heading = heading(format, line, i, lines);
                if (heading != null || (format == DocumentFormat.MD && LIST_ITEM.matcher(line).matches())) {
                    paragraph = addSentences(units, prose, paragraph);
                    if (heading != null) {
                        units.add(new Unit(heading, true, ++paragraph));
                    } else {
                        prose.append(cleanMarkdown(line));
                        paragraph = addSentences(units, prose, paragraph);
                    }
                    continue;
                }
                if (format == DocumentFormat.MD) {
                    line = cleanMarkdown(line);
                }
                appendLine(prose, line);
            }
            paragraph = addSentences(units, prose, paragraph);
        }
        return units;
    }

    private static String heading(DocumentFormat format, String line, int index, List<String> lines) {
        if (format == DocumentFormat.MD) {
            String text = markdownHeading(line);
            return text == null ? null : cleanMarkdown(text);
        }
        if (!isHeadingLine(line)) {
            return null;
        }
        if (lines.size() == 1) {
            return line;
        }
        // In a PDF a heading can share a paragraph with the text below it; a short first line above a long one is one.
        boolean firstOfLonger = format == DocumentFormat.PDF && index == 0 && lines.get(1).length() > line.length() * 3 / 2;
        return firstOfLonger ? line : null;
    }

    /** Lines of one paragraph are joined by a space, or without one after a line-ending hyphen ("oxygen-" "rich"). */
    private static void appendLine(StringBuilder prose, String line) {
        if (prose.isEmpty()) {
            prose.append(line);
        } else if (prose.charAt(prose.length() - 1) == '-' && Character.isLetter(line.charAt(0))) {
            prose.append(line);
        } else {
            prose.append(' ').append(line);
        }
    }

    /**
     * The text of an ATX heading ({@code ## Title ##}: one to six {@code #}, whitespace, the text, optional closing
     * {@code #}s), or null. {@code line} is already stripped. Hand-written: the obvious pattern
     * {@code ^#{1,6}\\s+(.*?)\\s*#*$} backtracks quadratically over a long run of spaces.
     */
    static String markdownHeading(String line) {
        int hashes = 0;
        while (hashes < line.length() && line.charAt(hashes) == '#') {
            hashes++;
        }
        if (hashes == 0 || hashes > 6 || hashes == line.length() || !Character.isWhitespace(line.charAt(hashes))) {
            return null;
        }
        int end = line.length();
        while (end > hashes && line.charAt(end - 1) == '#') {
            end--;
        }
        return line.substring(hashes, end).strip();
    }

    private static String cleanMarkdown(String line) {
        return MARKDOWN_EMPHASIS.matcher(replaceLinks(line)).replaceAll("");
    }

    /**
     * {@code [text](target)} becomes {@code text}, as {@code \\[([^\\]]+)]\\([^)]*\\)} would do, in one pass: the next
     * {@code ]} and {@code )} after each position are found once, from the end, instead of by a backtracking search
     * from every {@code [} ({@code "[" x 40,000} took seconds).
     */
    static String replaceLinks(String line) {
        if (line.indexOf('[') < 0) {
            return line;
        }
        int n = line.length();
        int[] nextClose = new int[n + 1];
        int[] nextParen = new int[n + 1];
        nextClose[n] = -1;
        nextParen[n] = -1;
        for (int i = n - 1; i >= 0; i--) {
            nextClose[i] = line.charAt(i) == ']' ? i : nextClose[i + 1];
            nextParen[i] = line.charAt(i) == ')' ? i : nextParen[i + 1];
        }
        StringBuilder out = new StringBuilder(n);
        int i = 0;
        while (i < n) {
            char c = line.charAt(i);
            if (c == '[') {
                int close = nextClose[i + 1];
                if (close > i + 1 && close + 1 < n && line.charAt(close + 1) == '(') {
                    int paren = nextParen[close + 2];
                    if (paren >= 0) {
                        out.append(line, i + 1, close);
                        i = paren + 1;
                        continue;
                    }
                }
            }
            out.append(c);
            i++;
        }
        return out.toString();
    }

    private static int addSentences(List<Unit> units, StringBuilder prose, int paragraph) {
        if (prose.isEmpty()) {
            return paragraph;
        }
        paragraph++;
        for (String sentence : sentences(prose.toString().replaceAll("\\s+", " ").strip())) {
            units.add(new Unit(sentence, false, paragraph));
        }
        prose.setLength(0);
        return paragraph;
    }

    /** Sentences of a paragraph, as {@link BreakIterator} sees them, trimmed; never empty strings. */
    static List<String> sentences(String paragraph) {
        BreakIterator iterator = BreakIterator.getSentenceInstance(Locale.ENGLISH);
        iterator.setText(paragraph);
        List<String> sentences = new ArrayList<>();
        int start = iterator.first();
        for (int end = iterator.next(); end != BreakIterator.DONE; start = end, end = iterator.next()) {
            String sentence = paragraph.substring(start, end).strip();
            if (!sentence.isEmpty()) {
                sentences.add(sentence);
            }
        }
        return sentences;
    }
}
