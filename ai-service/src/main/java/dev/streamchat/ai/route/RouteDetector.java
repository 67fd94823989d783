package dev.streamchat.ai.route;

import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

import org.springframework.stereotype.Component;

import dev.streamchat.ai.chat.ChatTurn;

/**
 * Picks a route from the question and the chat history, by intent phrases (after the seed's {@code router.py}): a
 * question about the library itself (its documents, what they cover, a summary or study guide of all of them) wins
 * over a request for a study guide, which wins over one for quotes, which wins over a follow-up; a follow-up needs
 * history; everything else is {@code general_qa}. Pure, deterministic and thread-safe; the table in
 * {@code docs/protocol/routes.json} pins its behaviour.
 */
@Component
public class RouteDetector {

    private static final int FLAGS = Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE;

    /** Words that name the library or its documents as a whole. */
    private static final String LIBRARY_NOUN = "(documents?|docs|files|pdfs?|library|uploads|materials|readings|texts)";
    private static final String LIBRARY_OWNER = "(the |my |our |your |these |those |this |that |all (of )?(the |my |your )?)"
            + "(sample |shared |uploaded |available |current |whole |entire |\\w+ )?";

    private static final Pattern LIBRARY = Pattern.compile(String.join("|",
            // "What do the sample documents cover?", "What are my files about?", "Which documents are there?"
            "\\b(what|which)\\b[^?]*\\b" + LIBRARY_NOUN + "\\b[^?]*\\b(cover|covers|contain|contains|include|includes|about|"
                    + "there|available|exist|have|has|hold|holds)\\s*[?.!]*\\s*$",
            // "What documents do I have?", "Which files are in my library?"
            "^\\s*(what|which) (sample |shared |uploaded )?(documents|docs|files|pdfs|sources) (are|do|does|did|have|can)\\b",
            // "Summarize the sample documents", "an overview of my library", "a study guide of all the documents"
            "\\b(summar(y|ies|ize|ise)|overview|outline|recap|study[- ]?(guide|sheet|notes))\\b( of| for| on| across| covering)? "
                    + LIBRARY_OWNER + LIBRARY_NOUN + "\\s*[?.!]*\\s*$",
            // "a study guide of all of them", "summarize everything", "an overview of all of it"
            "\\b(summar(y|ize|ise)|overview|outline|recap|study[- ]?(guide|sheet|notes))\\b( of| for| on| across| covering)? "
                    + "(all of (them|it|these|those)|everything|all (the )?(documents|files|topics)|each of (them|the documents))\\b",
            "\\blist (all |every )?(of )?(the |my |your )?(sample |shared |uploaded )?" + LIBRARY_NOUN + "\\b",
            "\\bwhat('s| is) (in|inside) (the|my|your|this) (library|documents|collection)\\b",
            "\\bwhat('s| is) (this|that|the) (document|file|pdf|doc|reading) about\\b"), FLAGS);

    private static final Pattern STUDY_GUIDE = Pattern.compile(String.join("|",
            "\\bstudy[- ]?(guide|sheet|notes|plan|aid)s?\\b",
            "\\b(revision|review|cheat)[- ]?(guide|notes|sheet)s?\\b",
            "\\bflash ?cards?\\b",
            "\\bquiz me\\b",
            "\\b(practice|review|self[- ]test) (questions|quiz|test)\\b",
            "\\bhelp me (study|revise|review|prepare|learn)\\b",
            "\\b(prepare|preparing|get ready|studying|revising|cramming) for (an?|my|the|our|this|next) (exam|test|quiz|midterm|final)s?\\b",
            "\\b(make|create|generate|write|build|draft|produce|put together|give me) (me )?(an?|the|some)? ?(short |brief |quick |detailed |complete )?"
                    + "(outline|summary|overview|review|study guide|list of key (points|concepts|terms|ideas))\\b",
            "\\bsummar(y|ize|ise) (the|this|these|my|all|each|every) (chapter|chapters|document|documents|notes|topic|topics|"
                    + "lecture|lectures|reading|readings|unit|material|sources?)\\b",
            "\\bkey (points|concepts|terms|ideas|facts|takeaways) (of|from|in|for|about)\\b"), FLAGS);

    private static final Pattern QUOTE = Pattern.compile(String.join("|",
            "\\bquot(e|es|ation|ations|ing)\\b",
            "\\bverbatim\\b",
            "\\bword for word\\b",
            "\\bexact (words?|wording|phrase|phrasing|sentences?|passages?|lines?|text)\\b",
            "\\b(find|show|give|cite|locate|point me to|pull|copy) (me )?(the |a |an )?(exact |specific |relevant |original )?"
                    + "(passages?|sentences?|lines?|paragraphs?|excerpts?|extracts?)\\b",
            "\\bwhere (exactly )?(in (the|my) (text|document|reading|notes|sources?|book|chapter|lecture) )?"
                    + "does (it|the (text|document|author|book|source|reading|chapter)) (say|mention|state|talk about|describe)\\b",
            "\\bwhat (exactly )?does the (text|document|author|book|source|reading|chapter) say\\b",
            "\\bcite (the )?(source|text|passage|line)s?\\b"), FLAGS);

    /** Openings that only make sense as a reaction to the previous answer. */
    private static final Pattern FOLLOW_UP_OPENING = Pattern.compile("^\\s*(" + String.join("|",
            "(and|but|so|also|then|ok(ay)?|hmm+)\\b[ ,]",
            "what about\\b", "how about\\b", "and what\\b",
            "tell me more\\b", "more (details?|about|on|please)\\b", "go on\\b", "continue\\b", "keep going\\b",
            "(can|could|would) you (please )?(explain|elaborate|expand|clarify|simplify|rephrase|give (me )?(an|another|more)"
                    + "|say (that|it)|go (into|deeper)|break (that|it|this) down|summari[sz]e (that|it|this))\\b",
            "(please )?(elaborate|expand on|clarify|rephrase|simplify)\\b",
            "explain (that|this|it|them|those|these|why|how) ?(again|more|further|better|simpler|differently)?",
            "what do(es)? (you|that|it|this) mean\\b", "what did you mean\\b",
            "why( is| does| did| would| was)? (that|this|it)\\b", "why\\s*\\??\\s*$", "how so\\b", "how come\\b",
            "is (that|this|it) (true|right|correct|always)\\b", "are you sure\\b", "really\\b",
            "(give|show) (me )?(an|another|more|some) examples?\\b", "for example\\s*\\??$",
            "in (simpler|plain|other) (terms|words|english)\\b",
            "what (else|other)\\b", "anything else\\b", "(the )?(first|second|third|last|previous|other) (one|point|part|step)\\b",
            "same (question )?(for|about|with)\\b", "what if\\b", "which (one|of (them|those|these))\\b"
            ) + ")", FLAGS);

    /** A short question pointing back with a pronoun ("What does it do?") when there is history to point to. */
    private static final Pattern ANAPHORA = Pattern.compile(
            "\\b(it|its|it's|that|this|they|them|their|those|these|he|she|him|her|his|one|ones|the latter|the former)\\b", FLAGS);
    private static final int SHORT_QUESTION_WORDS = 8;

    public Route detect(String query, List<ChatTurn> history) {
        String q = query == null ? "" : query.strip();
        if (LIBRARY.matcher(q).find()) {
            return Route.LIBRARY_OVERVIEW;
        }
        if (STUDY_GUIDE.matcher(q).find()) {
            return Route.GENERATE_STUDY_GUIDE;
        }
        if (QUOTE.matcher(q).find()) {
            return Route.QUOTE_FINDING;
        }
        if (hasHistory(history) && isFollowUp(q)) {
            return Route.FOLLOW_UP;
        }
        return Route.GENERAL_QA;
    }

    /**
     * What to search the documents with: a follow-up's own words rarely name the topic ("what about its
     * function?"), so the previous question is searched with it. Other routes search the question alone.
     */
    public String retrievalQuery(Route route, String query, List<ChatTurn> history) {
        if (route != Route.FOLLOW_UP || history == null) {
            return query;
        }
        for (int i = history.size() - 1; i >= 0; i--) {
            ChatTurn turn = history.get(i);
            if (turn.isUser() && turn.content() != null && !turn.content().isBlank()) {
                return turn.content().strip() + "\n" + query;
            }
        }
        return query;
    }

    private static boolean hasHistory(List<ChatTurn> history) {
        return history != null && history.stream().anyMatch(t -> t.content() != null && !t.content().isBlank());
    }

    private static boolean isFollowUp(String q) {
        if (FOLLOW_UP_OPENING.matcher(q).find()) {
            return true;
        }
        int words = q.isEmpty() ? 0 : q.split("\\s+").length;
        return words <= SHORT_QUESTION_WORDS && ANAPHORA.matcher(q.toLowerCase(Locale.ROOT)).find();
    }
}
