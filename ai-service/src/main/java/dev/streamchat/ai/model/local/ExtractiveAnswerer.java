package dev.streamchat.ai.model.local;

import java.text.BreakIterator;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.streamchat.ai.route.PromptFormat.Source;
import dev.streamchat.ai.route.Route;

/**
 * Writes the offline provider's answer from the sources of the prompt, without inventing anything: it scores each
 * source sentence by the question's words (weighted by rarity, with a small bonus for better-ranked sources), then
 * quotes the best sentences verbatim with their {@code [n]}. When no sentence shares a word with the question it
 * says the sources do not answer it. Pure and deterministic.
 */
final class ExtractiveAnswerer {

    /** A sentence of a source, with where it came from and how well it matches. */
    private record Sentence(int source, int paragraph, int position, String text, Set<String> stems) {
    }

    private record Scored(Sentence sentence, double score, double coverage) {
    }

    /** The least share of the question's weighted words the best sentence must contain to count as an answer. */
    private static final double MIN_COVERAGE = 0.25;

    private static final Pattern WORD = Pattern.compile("[\\p{L}\\p{N}]+(?:['’-][\\p{L}\\p{N}]+)*");
    /** "X is a/the/called ..." at the start of a sentence: X is a term a study guide can ask about. */
    private static final Pattern DEFINITION = Pattern.compile(
            "^((?:The |A |An )?[A-Za-z][A-Za-z0-9()' -]{1,48}?) (is|are) (?!not\\b|also\\b|therefore\\b|usually\\b|only\\b)(an?|the|called|made|one|two|three|four)\\b");
    private static final Pattern TOPIC = Pattern.compile("\\b(?:on|about|covering|of|for)\\s+(.+)$", Pattern.CASE_INSENSITIVE);
    private static final Set<String> STOPWORDS = Set.copyOf(java.util.Arrays.asList(("a an and are as at be been being but by can could did do does "
            + "doing for from had has have how i if in into is it its it's itself me my of on or our so than that the their "
            + "them then there these they this those to too was we were what when where which while who whom why will with "
            + "would you your yours about also any some such very just more most much many do does tell explain describe "
            + "please give show me us find quote quotes quotation quotations exact exactly sentence sentences passage "
            + "passages text source sources document documents say says said word words line lines make create generate "
            + "study guide flashcards quiz help write summary summarize summarise outline key points notes chapter review "
            + "exam test what's whats happen happens happened mean means verbatim cite can't don't").split(" ")));

    private ExtractiveAnswerer() {
    }

    static String answer(Route route, String question, List<String> earlierQuestions, String previousAnswer,
            List<Source> sources) {
        return switch (route) {
            case QUOTE_FINDING -> quotes(question, sources);
            case GENERATE_STUDY_GUIDE -> studyGuide(question, sources);
            case FOLLOW_UP -> followUp(question, earlierQuestions, previousAnswer, sources);
            case GENERAL_QA -> generalAnswer(question, Map.of(), "", sources, Set.of());
            case LIBRARY_OVERVIEW -> libraryOverview(question, sources);
        };
    }

    /**
     * A direct answer to {@code question} quoted from the sources with its {@code [n]}, or null when no sentence
     * answers it well enough (a Deep Research step then says the sources do not answer it, rather than quoting the
     * closest passage).
     */
    static String finding(String question, List<Source> sources) {
        if (sources.isEmpty()) {
            return null;
        }
        List<Sentence> sentences = sentences(sources);
        List<Scored> ranked = rank(sentences, terms(question, Map.of()), sources.size());
        if (ranked.isEmpty() || !answers(ranked.get(0), question, sentences)) {
            return null;
        }
        return generalAnswer(question, Map.of(), "", sources, Set.of());
    }

    private static final Pattern STUDY_REQUEST = Pattern.compile(
            "\\b(study[- ]?(guide|sheet|notes)|flash ?cards?|quiz|revis(e|ion)|exam|test me)\\b", Pattern.CASE_INSENSITIVE);

    /**
     * The library described from each document's opening passages (one or more sources per document, titled by it):
     * what each covers (its first sentence) and its key sentences, quoted with their {@code [n]}; as a study guide
     * when the question asks for one.
     */
    private static String libraryOverview(String question, List<Source> sources) {
        if (sources.isEmpty()) {
            return "I couldn't find any document in your library that I can read yet, so there is nothing to describe. "
                    + "Upload a .txt, .md or .pdf file, and once it is indexed ask again.";
        }
        Map<String, List<Source>> byTitle = new java.util.LinkedHashMap<>();
        for (Source source : sources) {
            byTitle.computeIfAbsent(source.title() == null || source.title().isBlank() ? "source " + source.number()
                    : source.title(), t -> new ArrayList<>()).add(source);
        }
        boolean studyGuide = STUDY_REQUEST.matcher(question).find();
        int count = byTitle.size();
        StringBuilder out = new StringBuilder();
        List<String> checks = new ArrayList<>();
        if (studyGuide) {
            out.append("## Study guide: ").append(count == 1 ? "\"" + byTitle.keySet().iterator().next() + "\""
                    : "all " + count + " documents of your library");
        } else {
            out.append(count == 1 ? "Your library has one document here" : "Your library has " + count + " documents")
                    .append(". Here is what each covers, in its own words:");
        }
        int item = 1;
        for (Map.Entry<String, List<Source>> document : byTitle.entrySet()) {
            List<Sentence> sentences = sentences(document.getValue());
            if (sentences.isEmpty()) {
                continue;
            }
            List<Sentence> key = keySentences(sentences, studyGuide ? 4 : 2);
            if (studyGuide) {
                out.append("\n\n### ").append(document.getKey()).append('\n');
                for (Sentence s : key) {
                    out.append("- ").append(s.text()).append(" [").append(s.source()).append("]\n");
                    Matcher m = DEFINITION.matcher(s.text());
                    if (m.find() && checks.size() < 5) {
                        String subject = m.group(1).strip();
                        if (Character.isUpperCase(subject.charAt(0)) && !isAcronymStart(subject)) {
                            subject = Character.toLowerCase(subject.charAt(0)) + subject.substring(1);
                        }
                        checks.add("What " + m.group(2) + " " + subject + ("called".equals(m.group(3)) ? " called" : "")
                                + "? [" + s.source() + "]");
                    }
                }
                out.setLength(out.length() - 1);
            } else {
                out.append("\n\n").append(item++).append(". \"").append(document.getKey()).append("\" covers: \"")
                        .append(key.get(0).text()).append("\" [").append(key.get(0).source()).append(']');
                if (key.size() > 1) {
                    out.append(" Key point: \"").append(key.get(1).text()).append("\" [").append(key.get(1).source())
                            .append(']');
                }
            }
        }
        if (studyGuide) {
            out.append("\n\n### Check your understanding\n");
            if (checks.isEmpty()) {
                checks.add("Explain in your own words what each document covers. [1]");
            }
            for (String check : checks) {
                out.append("- ").append(check).append('\n');
            }
        }
        return out.toString().stripTrailing();
    }

    /** A sentence that leans on the one before it ("It ...", "The difference between the two ...") reads badly alone. */
    private static final Pattern LEANS_ON_CONTEXT = Pattern.compile(
            "^(it|its|this|these|that|those|they|their|such|both|here|there|then)\\b|\\b(the two|the latter|the former)\\b",
            Pattern.CASE_INSENSITIVE);

    /**
     * A document's opening sentence, then its definitions, then the sentences that open its other paragraphs; a
     * sentence that only makes sense after the one before it is left out.
     */
    private static List<Sentence> keySentences(List<Sentence> sentences, int max) {
        List<Sentence> key = new ArrayList<>();
        key.add(sentences.get(0));
        for (Sentence s : sentences) {
            if (key.size() < max && !key.contains(s) && DEFINITION.matcher(s.text()).find()
                    && !LEANS_ON_CONTEXT.matcher(s.text()).find()) {
                key.add(s);
            }
        }
        for (Sentence s : sentences) {
            if (key.size() < max && !key.contains(s) && s.position() == 0 && !LEANS_ON_CONTEXT.matcher(s.text()).find()) {
                key.add(s);
            }
        }
        return key;
    }

    private static String generalAnswer(String question, Map<String, Double> extraTerms, String opening,
            List<Source> sources, Set<String> alreadySaid) {
        if (sources.isEmpty()) {
            return opening + "I couldn't find anything about this in your documents or the shared library, so I can't "
                    + "answer it from the sources. Try rephrasing the question, or upload notes that cover the topic.";
        }
        List<Sentence> sentences = sentences(sources);
        List<Scored> ranked = rank(sentences, terms(question, extraTerms), sources.size());
        ranked.removeIf(s -> alreadySaid.contains(s.sentence().text()));
        if (ranked.isEmpty() || !answers(ranked.get(0), question, sentences)) {
            Sentence closest = ranked.isEmpty() ? sentences.get(0) : ranked.get(0).sentence();
            return opening + "Your sources don't seem to answer this directly. The closest passage I found, from "
                    + cite(sources, closest.source()) + ", says: \"" + closest.text() + "\" [" + closest.source() + "]";
        }
        Scored best = ranked.get(0);
        Sentence first = best.sentence();
        StringBuilder out = new StringBuilder(opening);
        out.append("According to ").append(cite(sources, first.source())).append(": \"").append(first.text());
        Sentence next = following(sentences, first);
        if (next != null && scoreOf(ranked, next) > 0 && !alreadySaid.contains(next.text())) {
            out.append(' ').append(next.text());
        }
        out.append("\" [").append(first.source()).append(']');
        for (Scored other : ranked) {
            if (other.sentence().source() != first.source() && other.score() >= best.score() * 0.5) {
                out.append("\n\n").append(cite(sources, other.sentence().source())).append(" adds: \"")
                        .append(other.sentence().text()).append("\" [").append(other.sentence().source()).append(']');
                break;
            }
        }
        return out.toString();
    }

    private static String followUp(String question, List<String> earlierQuestions, String previousAnswer,
            List<Source> sources) {
        Map<String, Double> context = new HashMap<>();
        if (!earlierQuestions.isEmpty()) {
            // The earlier question names the topic the follow-up points back to; it counts half as much.
            for (String stem : stems(earlierQuestions.get(earlierQuestions.size() - 1))) {
                context.merge(stem, 0.5, Math::max);
            }
        }
        Set<String> said = new HashSet<>();
        if (previousAnswer != null) {
            for (Sentence s : sentences(sources)) {
                if (previousAnswer.contains(s.text())) {
                    said.add(s.text());
                }
            }
        }
        return generalAnswer(question, context, "Following up on that: ", sources, said);
    }

    private static String quotes(String question, List<Source> sources) {
        if (sources.isEmpty()) {
            return "I couldn't find a passage about this in your documents or the shared library, so there is "
                    + "nothing I can quote. Try different words, or upload the text you have in mind.";
        }
        List<Sentence> sentences = sentences(sources);
        List<Scored> ranked = rank(sentences, terms(question, Map.of()), sources.size());
        List<Scored> matching = ranked.isEmpty() || !answers(ranked.get(0), question, sentences) ? List.of()
                : ranked.stream().filter(s -> s.coverage() >= MIN_COVERAGE).limit(4).toList();
        if (matching.isEmpty()) {
            return "No sentence in your sources matches that request, so I have no exact quotation to give. The "
                    + "sources I searched are about " + titles(sources) + ".";
        }
        StringBuilder out = new StringBuilder("Here are the passages that match, quoted exactly:\n");
        int item = 1;
        for (Scored s : matching) {
            out.append('\n').append(item++).append(". \"").append(s.sentence().text()).append("\" [")
                    .append(s.sentence().source()).append(']');
        }
        return out.toString();
    }

    private static String studyGuide(String question, List<Source> sources) {
        String topic = topic(question, sources);
        if (sources.isEmpty()) {
            return "## Study guide: " + topic + "\n\nI couldn't find anything about " + topic + " in your documents or "
                    + "the shared library, so I can't build a study guide from them. Upload notes that cover it and ask again.";
        }
        List<Sentence> sentences = sentences(sources);
        List<Scored> ranked = rank(sentences, terms(question, Map.of()), sources.size());
        List<String> unknown = unknownNames(question, sentences);
        if (!unknown.isEmpty()) {
            return "## Study guide: " + topic + "\n\nYour sources never mention " + String.join(", ", unknown)
                    + ", so I can't build a study guide on " + topic + " from them. They cover " + titles(sources) + ".";
        }
        // Definitions and paragraph-opening sentences make the best study points; the sort is stable, so ties keep rank order.
        Comparator<Scored> guideOrder = Comparator.comparingDouble((Scored s) -> s.score()
                + (DEFINITION.matcher(s.sentence().text()).find() ? 0.5 : 0)
                + (s.sentence().position() == 0 ? 0.5 : 0)).reversed();
        List<Scored> byValue = ranked.stream().sorted(guideOrder).toList();

        Set<String> used = new LinkedHashSet<>();
        List<Sentence> concepts = new ArrayList<>();
        for (int source = 1; source <= sources.size() && concepts.size() < 5; source++) {
            int n = source;
            byValue.stream().filter(s -> s.sentence().source() == n).findFirst().ifPresent(s -> {
                concepts.add(s.sentence());
                used.add(s.sentence().text());
            });
        }
        List<Sentence> details = new ArrayList<>();
        for (Scored s : byValue) {
            if (details.size() >= 5) {
                break;
            }
            if (used.add(s.sentence().text())) {
                details.add(s.sentence());
            }
        }
        StringBuilder out = new StringBuilder("## Study guide: ").append(topic).append("\n\n### Key concepts\n");
        for (Sentence s : concepts) {
            out.append("- ").append(s.text()).append(" [").append(s.source()).append("]\n");
        }
        if (!details.isEmpty()) {
            out.append("\n### Important details\n");
            for (Sentence s : details) {
                out.append("- ").append(s.text()).append(" [").append(s.source()).append("]\n");
            }
        }
        out.append("\n### Check your understanding\n");
        List<String> questions = new ArrayList<>();
        for (Sentence s : concat(concepts, details)) {
            Matcher m = DEFINITION.matcher(s.text());
            if (m.find() && questions.size() < 4) {
                String subject = m.group(1).strip();
                if (Character.isUpperCase(subject.charAt(0)) && !isAcronymStart(subject)) {
                    subject = Character.toLowerCase(subject.charAt(0)) + subject.substring(1);
                }
                String q = "called".equals(m.group(3))
                        ? "What " + m.group(2) + " " + subject + " called? [" + s.source() + "]"
                        : "What " + m.group(2) + " " + subject + "? [" + s.source() + "]";
                if (!questions.contains(q)) {
                    questions.add(q);
                }
            }
        }
        // Not enough definitions: fill-in-the-blank items from the guide's own points (a blanked final term).
        for (Sentence s : concat(concepts, details)) {
            if (questions.size() >= 4) {
                break;
            }
            String cloze = cloze(s.text());
            if (cloze != null && questions.stream().noneMatch(q -> q.contains(s.text().substring(0, 20)))) {
                questions.add("Fill in the blank: " + cloze + " [" + s.source() + "]");
            }
        }
        if (questions.isEmpty()) {
            questions.add("Explain in your own words what your sources say about " + topic + ". [1]");
        }
        for (String q : questions) {
            out.append("- ").append(q).append('\n');
        }
        return out.toString().stripTrailing();
    }

    private static final Pattern LAST_TERM = Pattern.compile("([\\p{L}][\\p{L}-]{4,})([.!?])$");

    /** The sentence with its last word blanked, when that word is a term worth recalling; else null. */
    static String cloze(String sentence) {
        if (sentence.length() > 180) {
            return null;
        }
        Matcher m = LAST_TERM.matcher(sentence);
        if (!m.find() || STOPWORDS.contains(m.group(1).toLowerCase(Locale.ROOT))) {
            return null;
        }
        return sentence.substring(0, m.start(1)) + "_____" + m.group(2);
    }

    private static boolean isAcronymStart(String subject) {
        return subject.length() > 1 && Character.isUpperCase(subject.charAt(1));
    }

    private static List<Sentence> concat(List<Sentence> a, List<Sentence> b) {
        List<Sentence> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    /** The subject of a study-guide request ("... a study guide on the cardiac cycle" -> "the cardiac cycle"). */
    static String topic(String question, List<Source> sources) {
        String q = question.strip().replaceAll("[.?!]+$", "");
        Matcher m = TOPIC.matcher(q);
        if (m.find()) {
            String topic = m.group(1).replaceAll("(?i)\\s+for (my|the|an?|our) .*$", "").strip();
            Matcher inner = TOPIC.matcher(topic);
            if (inner.find() && inner.start() < 3) {
                topic = inner.group(1);
            }
            if (!topic.isBlank() && topic.length() <= 80) {
                return topic;
            }
        }
        return sources.isEmpty() ? "your question" : sources.get(0).title();
    }

    private static String cite(List<Source> sources, int number) {
        Source source = sources.get(number - 1);
        String title = source.title() == null || source.title().isBlank() ? "source " + number : "\"" + source.title() + "\"";
        return source.page() == null ? title : title + " (page " + source.page() + ")";
    }

    private static String titles(List<Source> sources) {
        Set<String> titles = new LinkedHashSet<>();
        for (Source s : sources) {
            titles.add("\"" + s.title() + "\"");
        }
        return String.join(", ", titles);
    }

    private static Sentence following(List<Sentence> sentences, Sentence sentence) {
        for (Sentence s : sentences) {
            if (s.source() == sentence.source() && s.paragraph() == sentence.paragraph()
                    && s.position() == sentence.position() + 1) {
                return s;
            }
        }
        return null;
    }

    private static double scoreOf(List<Scored> ranked, Sentence sentence) {
        return ranked.stream().filter(s -> s.sentence() == sentence).mapToDouble(Scored::score).findFirst().orElse(0);
    }

    /** Query stems with weights: the question's own words 1, context words as given. */
    private static Map<String, Double> terms(String question, Map<String, Double> extra) {
        Map<String, Double> terms = new HashMap<>(extra);
        for (String stem : stems(question)) {
            terms.put(stem, 1.0);
        }
        return terms;
    }

    /**
     * Sentences ranked best first. A sentence scores the rarity-weighted sum of the query stems it contains, plus a
     * small bonus for better-ranked sources; ties keep source order, so the result is deterministic. Its coverage is
     * the share of the question's weighted stems it contains (a stem no source contains weighs the most).
     */
    private static List<Scored> rank(List<Sentence> sentences, Map<String, Double> terms, int sourceCount) {
        Map<String, Double> idf = new HashMap<>();
        double total = 0;
        for (Map.Entry<String, Double> term : terms.entrySet()) {
            long df = sentences.stream().filter(s -> contains(s.stems(), term.getKey())).count();
            double weight = Math.log(1 + (double) Math.max(1, sentences.size()) / Math.max(1, df));
            idf.put(term.getKey(), weight);
            total += term.getValue() * weight;
        }
        List<Scored> scored = new ArrayList<>();
        for (Sentence s : sentences) {
            double score = 0;
            for (Map.Entry<String, Double> term : terms.entrySet()) {
                if (contains(s.stems(), term.getKey())) {
                    score += term.getValue() * idf.get(term.getKey());
                }
            }
            double coverage = total == 0 ? 0 : score / total;
            if (score > 0) {
                score += 0.3 * (sourceCount - s.source() + 1) / sourceCount;
            }
            scored.add(new Scored(s, score, coverage));
        }
        scored.sort(Comparator.comparingDouble(Scored::score).reversed()
                .thenComparingInt(s -> s.sentence().source())
                .thenComparingInt(s -> s.sentence().paragraph())
                .thenComparingInt(s -> s.sentence().position()));
        return scored;
    }

    /** A stem matches another when equal or when one starts the other ("fast" and "faster"), from four letters on. */
    private static boolean contains(Set<String> stems, String term) {
        if (stems.contains(term)) {
            return true;
        }
        if (term.length() < 4) {
            return false;
        }
        for (String stem : stems) {
            if (stem.length() >= 4 && (stem.startsWith(term) || term.startsWith(stem))) {
                return true;
            }
        }
        return false;
    }

    /**
     * Names in the question (a capitalised word after the first, or an acronym) that no source mentions: a question
     * about "the Calvin cycle" is not answered by a passage on the cardiac cycle, however many words they share.
     */
    static List<String> unknownNames(String question, List<Sentence> sentences) {
        List<String> unknown = new ArrayList<>();
        Matcher m = WORD.matcher(question);
        boolean first = true;
        while (m.find()) {
            String word = m.group();
            boolean acronym = word.length() >= 2 && word.equals(word.toUpperCase(Locale.ROOT))
                    && word.chars().anyMatch(Character::isLetter);
            boolean name = !first && Character.isUpperCase(word.charAt(0)) && !word.equals("I");
            first = false;
            // Single letters ("type O", "vitamin K", "the P wave") are labels, not names.
            if (!(acronym || name) || word.length() < 2 || STOPWORDS.contains(word.toLowerCase(Locale.ROOT))) {
                continue;
            }
            String stem = stem(word.toLowerCase(Locale.ROOT));
            if (sentences.stream().noneMatch(s -> contains(s.stems(), stem))) {
                unknown.add(word);
            }
        }
        return unknown;
    }

    /** True when the best sentence answers the question well enough to be given as the answer. */
    private static boolean answers(Scored best, String question, List<Sentence> sentences) {
        return best.score() > 0 && best.coverage() >= MIN_COVERAGE && unknownNames(question, sentences).isEmpty();
    }

    /** The quotable sentences of the sources: headings (short lines without closing punctuation) are skipped. */
    private static List<Sentence> sentences(List<Source> sources) {
        List<Sentence> sentences = new ArrayList<>();
        for (Source source : sources) {
            String[] paragraphs = source.text().split("\\n\\s*\\n");
            for (int p = 0; p < paragraphs.length; p++) {
                String paragraph = paragraphs[p].strip().replaceAll("\\s+", " ");
                if (paragraph.isEmpty() || isHeading(paragraph)) {
                    continue;
                }
                int position = 0;
                for (String text : split(paragraph)) {
                    if (text.length() >= 12 && WORD.matcher(text).find()) {
                        sentences.add(new Sentence(source.number(), p, position++, text, stems(text)));
                    }
                }
            }
        }
        return sentences;
    }

    private static boolean isHeading(String paragraph) {
        char last = paragraph.charAt(paragraph.length() - 1);
        return paragraph.length() <= 90 && ".!?:;\"')]".indexOf(last) < 0;
    }

    private static List<String> split(String paragraph) {
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

    static Set<String> stems(String text) {
        Set<String> stems = new HashSet<>();
        Matcher m = WORD.matcher(text.toLowerCase(Locale.ROOT));
        while (m.find()) {
            String word = m.group();
            if (word.length() < 2 || STOPWORDS.contains(word)) {
                continue;
            }
            stems.add(stem(word));
        }
        return stems;
    }

    /** A crude English stem: enough to match "valves" with "valve" and "contracts" with "contraction". */
    static String stem(String word) {
        String w = word;
        if (w.endsWith("ies") && w.length() > 4) {
            w = w.substring(0, w.length() - 3) + "y";
        } else if (w.endsWith("s") && !w.endsWith("ss") && !w.endsWith("us") && !w.endsWith("is") && w.length() > 3) {
            w = w.substring(0, w.length() - 1);
        }
        return w.length() > 7 ? w.substring(0, 7) : w;
    }
}
