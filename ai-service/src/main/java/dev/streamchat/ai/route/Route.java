package dev.streamchat.ai.route;

/**
 * The four routes of contract section 1, plus {@code library_overview}: a question about the document library itself
 * (which documents there are, what they cover, a summary or study guide of all of them), answered from the
 * documents' opening passages rather than from a similarity search. {@link #wireName()} is what {@code done.route}
 * carries.
 */
public enum Route {
    GENERAL_QA("general_qa"),
    FOLLOW_UP("follow_up"),
    QUOTE_FINDING("quote_finding"),
    GENERATE_STUDY_GUIDE("generate_study_guide"),
    LIBRARY_OVERVIEW("library_overview");

    private final String wireName;

    Route(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    /** The route for a wire name, or {@code null} when the name is none of them. */
    public static Route fromWireName(String wireName) {
        for (Route route : values()) {
            if (route.wireName.equals(wireName)) {
                return route;
            }
        }
        return null;
    }
}
