package dev.streamchat.ai.chat;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ResearchPlanTests {

    @Test
    void readsTheNumberedListWithoutEmphasisCitationsOrDuplicatesUpToTheCap() {
        String plan = "I will research this in steps [1]:\n\n1. What does the heart do? [2]\n2) **How is it regulated?**\n"
                + "  3. What does the heart do? [2]\n4. What is blood?\n5. What are vessels?\nThat is all.";

        assertThat(ResearchPlan.subQuestions(plan, "Q", 3))
                .containsExactly("What does the heart do?", "How is it regulated?", "What is blood?");
    }

    @Test
    void aPlanWithoutAListResearchesTheQuestionItself() {
        assertThat(ResearchPlan.subQuestions("This needs no splitting.", " What is blood? ", 3))
                .containsExactly("What is blood?");
        assertThat(ResearchPlan.subQuestions("", "What is blood?", 3)).containsExactly("What is blood?");
    }
}
