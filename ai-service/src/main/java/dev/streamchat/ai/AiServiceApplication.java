package dev.streamchat.ai;

import java.util.Optional;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

import dev.streamchat.ai.config.StartupCheck;

/** The ai-service: RAG over the user's documents and the SSE token stream on {@code AI_SERVICE_PORT}. */
@SpringBootApplication
@ConfigurationPropertiesScan
public class AiServiceApplication {

    public static void main(String[] args) {
        // Bad configuration stops the process before Spring starts, with one line naming the variable and no stack trace.
        Optional<String> problem = StartupCheck.problemInProcess();
        if (problem.isPresent()) {
            System.err.println("ai-service: " + problem.get());
            System.exit(2);
        }
        SpringApplication.run(AiServiceApplication.class, args);
    }
}
