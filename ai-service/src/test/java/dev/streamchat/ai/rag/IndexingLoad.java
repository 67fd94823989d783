package dev.streamchat.ai.rag;

/** Large, ordinary documents: many distinct sentences, so that indexing them is real work (chunking, embedding). */
public final class IndexingLoad {

    private static final String[] WORDS = ("heart valve artery vein capillary plasma platelet oxygen carbon dioxide "
            + "pressure rhythm atrium ventricle septum aorta pulmonary circuit muscle node signal pump flow volume")
            .split(" ");

    private IndexingLoad() {
    }

    /** About {@code chars} characters of plain-text paragraphs. */
    public static String largeText(int chars) {
        StringBuilder text = new StringBuilder(chars + 200);
        for (int i = 0; text.length() < chars; i++) {
            text.append("Sentence ").append(i).append(" relates the ").append(WORDS[i % WORDS.length]).append(" to the ")
                    .append(WORDS[(i * 7 + 3) % WORDS.length]).append(" and the ").append(WORDS[(i * 13 + 5) % WORDS.length])
                    .append(". ");
            if (i % 6 == 5) {
                text.append("\n\n");
            }
        }
        return text.toString();
    }
}
