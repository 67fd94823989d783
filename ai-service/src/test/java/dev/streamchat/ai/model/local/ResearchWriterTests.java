package dev.streamchat.ai.model.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

import dev.streamchat.ai.route.PromptFormat;
import dev.streamchat.ai.route.PromptFormat.Finding;
import dev.streamchat.ai.route.ResearchPrompts;

class ResearchWriterTests {

    @Test
    void splitsAQuestionIntoItsPartsAtQuestionWordsOnly() {
        assertThat(ResearchWriter.parts("What does the heart do, how is blood pressure regulated and what causes a "
                + "heart attack?")).containsExactly("What does the heart do?", "How is blood pressure regulated?",
                "What causes a heart attack?");
        assertThat(ResearchWriter.parts("Compare arteries and veins.")).containsExactly("Compare arteries and veins?");
        assertThat(ResearchWriter.parts("What is plasma? Why is O negative the universal donor; who wrote War and Peace"))
                .containsExactly("What is plasma?", "Why is O negative the universal donor?", "Who wrote War and Peace?");
        assertThat(ResearchWriter.parts("Heart?")).containsExactly("Heart?");
    }

    @Test
    void thePlanListsAtMostTheAllowedPartsAndSaysWhenItLeavesSomeOut() {
        String system = ((dev.langchain4j.data.message.SystemMessage) new ResearchPrompts().plan("q", List.of(), List.of(), 2).get(0)).text();

        String plan = ResearchWriter.write(ResearchPrompts.PLAN, system, "What is A? What is B? What is C?");

        assertThat(plan).isEqualTo("I will look in your sources for each part of the question:\n\n1. What is A?\n"
                + "2. What is B?\n\n(The question has 3 parts; I can research 2 of them in one run.)");
    }

    @Test
    void theConclusionRequotesWhatWasFoundAndListsWhatWasNot() {
        List<Finding> findings = List.of(
                new Finding("What is plasma?", true, "According to \"Blood\": \"Plasma is the liquid part of blood.\" [2]"),
                new Finding("Who wrote War and Peace?", false, "Your sources don't answer this."));
        String system = PromptFormat.findings(findings);

        String conclusion = ResearchWriter.write(ResearchPrompts.CONCLUSION, "Task: research_conclusion.\n" + system, "q");

        assertThat(conclusion).isEqualTo("Your sources answer 1 of the 2 parts of the question.\n\n"
                + "Found in the sources:\n- What is plasma? \"Plasma is the liquid part of blood.\" [2]\n\n"
                + "Not found in the sources:\n- Who wrote War and Peace?");
        assertThat(PromptFormat.parseFindings(system)).isEqualTo(findings);
    }
}
