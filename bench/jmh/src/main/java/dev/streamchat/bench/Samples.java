package dev.streamchat.bench;

/** The inputs every benchmark shares: a typical token (a word and its space) and the ids of a stream. */
final class Samples {

    static final String SESSION_ID = "0f8fad5bd9cb469fa16570867728950e";
    static final String STREAM_ID = "7c9e6679742540de944be07fc1f90ae7";

    private Samples() {
    }

    static String token(String text) {
        return "utf8".equals(text) ? " Grüße, 世界" : " streaming";
    }

    static String tokenEvent(String text) {
        return "data: {\"type\":\"token\",\"content\":\"" + token(text) + "\"}\n\n";
    }
}
