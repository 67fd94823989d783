package dev.streamchat.gateway.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInfo;

import dev.streamchat.gateway.config.NonBlockingThreads;

/**
 * The BlockHound check of a full-stack IT: BlockHound is installed before the class's Spring context starts, each
 * class starts a fresh record of blocking calls on non-blocking threads, and any such call fails the class.
 */
public abstract class NonBlockingCheckedTest {

    /**
     * For a class whose blocking-call record is not asserted (say why in {@link #value()}); BlockHound still runs.
     */
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.TYPE)
    public @interface BlockingCallsNotChecked {
        String value();
    }

    /** BlockHound is installed once per JVM; each test class starts a fresh record of blocking calls. */
    @BeforeAll
    static void freshBlockingCallRecord() {
        NonBlockingThreads.install();
    }

    @AfterAll
    static void noBlockingCallsOnNonBlockingThreads(TestInfo testClass) {
        if (testClass.getTestClass().map(c -> c.isAnnotationPresent(BlockingCallsNotChecked.class)).orElse(false)) {
            return;
        }
        assertThat(NonBlockingThreads.calls()).as("blocking calls on non-blocking threads").isEmpty();
    }
}
