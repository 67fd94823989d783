package dev.streamchat.ai.rag;

/**
 * Which chunks a question may see (contract section 1): with {@code docId}, only that document (the user's or
 * a shared one); else the user's documents (of {@code className} when given) plus the shared sample library.
 */
public record SearchScope(String userId, String className, String docId) {

    /** The user-id rule of the gateway (CONTRACT.md section 2); document ids follow it too. */
    public static final String ID_RULE = "[A-Za-z0-9_.-]{1,64}";
    /** Longest accepted {@code class_name}. */
    public static final int MAX_CLASS_NAME = 128;

    private static final java.util.regex.Pattern ID = java.util.regex.Pattern.compile(ID_RULE);

    /** True when {@code value} is a valid {@code user_id} or {@code doc_id} (a bounded, linear check). */
    public static boolean isValidId(String value) {
        return value != null && value.length() <= 64 && ID.matcher(value).matches();
    }

    /** True when {@code value} is a valid {@code class_name}: at most 128 characters, no control characters. */
    public static boolean isValidClassName(String value) {
        return value != null && value.length() <= MAX_CLASS_NAME && value.chars().noneMatch(Character::isISOControl);
    }
}
