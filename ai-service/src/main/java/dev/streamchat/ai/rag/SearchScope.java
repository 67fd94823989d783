package dev.streamchat.ai.rag;

/**
 * Which chunks a question may see (contract section 1): with {@code docId}, only that document (the user's or
 * a shared one); else the user's documents (of {@code className} when given) plus the shared sample library.
 */
public record SearchScope(String userId, String className, String docId) {
}
