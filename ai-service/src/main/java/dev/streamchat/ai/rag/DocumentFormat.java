package dev.streamchat.ai.rag;

import java.util.Locale;

/** The upload formats the service reads, recognised by file extension. */
enum DocumentFormat {
    TXT("text/plain"),
    MD("text/markdown"),
    PDF("application/pdf");

    private final String contentType;

    DocumentFormat(String contentType) {
        this.contentType = contentType;
    }

    String contentType() {
        return contentType;
    }

    /** The format of {@code fileName}, or {@code null} when its extension is not {@code .txt}, {@code .md} or {@code .pdf}. */
    static DocumentFormat fromFileName(String fileName) {
        if (fileName == null) {
            return null;
        }
        String name = fileName.toLowerCase(Locale.ROOT).strip();
        if (name.endsWith(".txt") || name.endsWith(".text")) {
            return TXT;
        }
        if (name.endsWith(".md") || name.endsWith(".markdown")) {
            return MD;
        }
        if (name.endsWith(".pdf")) {
            return PDF;
        }
        return null;
    }
}
