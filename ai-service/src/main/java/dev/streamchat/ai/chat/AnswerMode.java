package dev.streamchat.ai.chat;

/** How a question is answered: one model call ({@code answer}), or several iterations of Deep Research. */
public enum AnswerMode {
    ANSWER, DEEP_RESEARCH;

    /** The request's {@code user_query} prefix that asks for Deep Research (after the seed's Ask component). */
    public static final String DEEP_RESEARCH_PREFIX = "[DEEP RESEARCH]";
}
