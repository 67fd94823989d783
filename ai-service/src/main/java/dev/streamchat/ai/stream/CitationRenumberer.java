package dev.streamchat.ai.stream;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Renumbers citation markers inside a token stream (CONTRACT.md section 1). The prompt numbers its sources
 * {@code [1]..[sourceCount]}; the answer's markers are rewritten so that numbers run {@code [1]..[n]} in order of first
 * use, markers naming no source are dropped, and {@code [2, 5]}-style lists are renumbered member by member.
 * <p>
 * Only an unclosed {@code [} and the digits, commas and spaces after it are held back, at most {@value #MAX_HELD}
 * characters; anything else passes through at once, so the concatenation of what {@link #accept} and {@link #finish}
 * return is the final answer. Not thread-safe: one instance per stream, fed in order.
 */
public final class CitationRenumberer {

    /** The most characters an unclosed marker may hold back. */
    public static final int MAX_HELD = 8;

    private int sourceCount;
    /** What the model's {@code [k]} means: source {@code sourceMap[k - 1]}; null = source {@code k} itself. */
    private int[] sourceMap;
    private final StringBuilder pending = new StringBuilder(MAX_HELD);
    private final Map<Integer, Integer> renumbered = new LinkedHashMap<>();

    public CitationRenumberer(int sourceCount) {
        this.sourceCount = sourceCount;
    }

    /**
     * From now on the model's {@code [k]} names source {@code sources[k - 1]} (for answers written in several model
     * calls, each prompt numbering its own sources {@code [1]..[sources.length]}, over one list of sources). Numbers
     * already given keep their meaning, so the answer's numbers still run {@code [1]..[n]} in order of first use.
     * Call {@link #finish()} first: a marker split across two calls is not one marker.
     */
    public void useSources(int[] sources) {
        this.sourceMap = sources.clone();
        this.sourceCount = sources.length;
    }

    /** Feeds the next model token; returns the text that can be sent now (possibly empty). */
    public String accept(String token) {
        StringBuilder out = new StringBuilder(token.length() + MAX_HELD);
        for (int i = 0; i < token.length(); i++) {
            char c = token.charAt(i);
            if (pending.length() == 0) {
                if (c == '[') {
                    pending.append(c);
                } else {
                    out.append(c);
                }
            } else if (c == ']') {
                pending.append(c);
                out.append(resolve(pending.toString()));
                pending.setLength(0);
            } else if (c == '[') {
                out.append(pending);
                pending.setLength(0);
                pending.append(c);
            } else if (isMarkerChar(c) && pending.length() < MAX_HELD) {
                pending.append(c);
            } else {
                out.append(pending).append(c);
                pending.setLength(0);
            }
        }
        return out.toString();
    }

    /** Ends the stream: returns what is still held back (a {@code [} that never closed), verbatim. */
    public String finish() {
        String rest = pending.toString();
        pending.setLength(0);
        return rest;
    }

    /**
     * The cited source numbers (1-based, as the prompt numbered them, or as {@link #useSources} mapped them) in the
     * order of their new numbers.
     */
    public List<Integer> citedSources() {
        return new ArrayList<>(renumbered.keySet());
    }

    private static boolean isMarkerChar(char c) {
        return (c >= '0' && c <= '9') || c == ',' || c == ' ';
    }

    private String resolve(String marker) {
        String inner = marker.substring(1, marker.length() - 1);
        String[] parts = inner.split(",", -1);
        List<Integer> sources = new ArrayList<>(parts.length);
        for (String part : parts) {
            String digits = part.strip();
            if (digits.isEmpty() || !digits.chars().allMatch(Character::isDigit)) {
                return marker; // "[ ]", "[,]", "[1 2]": not a citation, keep as written
            }
            sources.add(Integer.parseInt(digits));
        }
        List<Integer> numbers = new ArrayList<>(sources.size());
        for (int source : sources) {
            if (source >= 1 && source <= sourceCount) {
                int named = sourceMap == null ? source : sourceMap[source - 1];
                Integer number = renumbered.computeIfAbsent(named, s -> renumbered.size() + 1);
                if (!numbers.contains(number)) {
                    numbers.add(number);
                }
            }
        }
        if (numbers.isEmpty()) {
            return "";
        }
        StringBuilder out = new StringBuilder("[");
        for (int i = 0; i < numbers.size(); i++) {
            if (i > 0) {
                out.append(", ");
            }
            out.append(numbers.get(i));
        }
        return out.append(']').toString();
    }
}
