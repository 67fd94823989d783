package dev.streamchat.ai.rag;

/**
 * One retrieved chunk: what the prompt shows the model as source {@code [n]} and what {@code citations} and
 * {@code chunkReferences} are built from. {@code page} is 1-based for PDFs, null otherwise.
 */
public record Passage(String chunkId, String docId, String title, Integer page, String text, double score) {
}
