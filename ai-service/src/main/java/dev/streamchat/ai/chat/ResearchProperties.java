package dev.streamchat.ai.chat;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;

/**
 * Deep Research: {@code DEEP_RESEARCH_MAX_ITERATIONS} counts every model call of one run, the plan and the conclusion
 * included, so a run researches at most {@code maxIterations - 2} sub-questions.
 */
@Validated
@ConfigurationProperties("ai.research")
public record ResearchProperties(@DefaultValue("5") @Min(3) @Max(12) int maxIterations) {

    /** The most sub-questions one run researches. */
    public int maxSubQuestions() {
        return maxIterations - 2;
    }
}
