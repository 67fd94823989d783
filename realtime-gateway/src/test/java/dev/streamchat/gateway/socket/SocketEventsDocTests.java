package dev.streamchat.gateway.socket;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.Test;

/**
 * {@code docs/socket-events.md} describes every event the gateway defines in {@link SocketEvents}, each under its own
 * heading, and every JSON example in it parses.
 */
class SocketEventsDocTests {

    private static final Path DOC = Path.of("..", "docs", "socket-events.md");

    @Test
    void everyEventHasASectionWithAnExample() throws Exception {
        String doc = Files.readString(DOC);
        List<String> events = new ArrayList<>();
        for (Field field : SocketEvents.class.getDeclaredFields()) {
            if (Modifier.isStatic(field.getModifiers()) && field.getType() == String.class) {
                events.add((String) field.get(null));
            }
        }
        assertThat(events).contains("chat-stream-start", "chat-stop");
        for (String event : events) {
            int heading = doc.indexOf("### `" + event + "`");
            assertThat(heading).as("section for " + event).isNotNegative();
            int next = doc.indexOf("\n### ", heading + 1);
            String section = doc.substring(heading, next < 0 ? doc.length() : next);
            assertThat(section).as("example for " + event).containsPattern("```(json|js)");
        }
    }

    @Test
    void everyJsonExampleParses() throws Exception {
        var blocks = Pattern.compile("```json\\n(.*?)```", Pattern.DOTALL).matcher(Files.readString(DOC)).results().toList();
        assertThat(blocks).hasSizeGreaterThanOrEqualTo(8);
        ObjectMapper json = new ObjectMapper();
        for (var block : blocks) {
            assertThat(json.readTree(block.group(1)).isObject()).as(block.group(1)).isTrue();
        }
    }
}
