package dev.streamchat.gateway.persistence;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.bson.Document;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.data.mongodb.core.ReactiveMongoTemplate;

/**
 * The persistence behaviour the relay relies on, run against any MongoDB: the embedded wire server here,
 * a real MongoDB in a container where Docker exists (same test body).
 */
abstract class ChatSessionStoreContract {

    private static final Duration WAIT = Duration.ofSeconds(10);

    abstract ReactiveMongoTemplate mongo();

    ChatSessionStore store;
    String user;

    @BeforeEach
    void setUp() {
        store = new ChatSessionStore(mongo());
        user = "p" + UUID.randomUUID().toString().substring(0, 8);
    }

    private static StoredReply reply(String content, boolean stopped) {
        return new StoredReply(content, List.of(Map.of("number", 1, "docId", "d1")), List.of(),
                Map.of("promptTokens", 3, "completionTokens", 2), "general_qa", "synthetic", stopped, false);
    }

    @Test
    void oneWriteStoresTheUserAndAssistantMessagesTogether() {
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        store.appendExchange("s-" + user, user, "What is up?", "m1", "m2", reply("All good.", false), now).block(WAIT);
        Document session = store.find("s-" + user, user).block(WAIT);
        assertThat(session.getString("title")).isEqualTo("What is up?");
        List<Document> messages = session.getList("messages", Document.class);
        assertThat(messages).extracting(m -> m.getString("role")).containsExactly("user", "assistant");
        Document answer = messages.get(1);
        assertThat(answer.getString("content")).isEqualTo("All good.");
        assertThat(answer.getBoolean("stopped")).isFalse();
        assertThat(answer.get("feedback")).isNull();
        assertThat(answer.containsKey("feedback")).isTrue();
        assertThat(answer.getList("versions", Document.class)).hasSize(1);
        assertThat(ChatSessionStore.toJson(session.get("updatedAt"))).isEqualTo(now.toString());
        assertThat(store.find("s-" + user, "someone-else").block(WAIT)).isNull();
    }

    @Test
    void aRetryAddsAVersionAndMakesItTheContent() {
        Instant now = Instant.now();
        store.appendExchange("s-" + user, user, "q", "m1", "m2", reply("partial", true), now).block(WAIT);
        assertThat(store.addVersion("s-" + user, user, "m2", reply("complete", false), now.plusSeconds(1)).block(WAIT)).isTrue();
        Document answer = store.find("s-" + user, user).block(WAIT).getList("messages", Document.class).get(1);
        assertThat(answer.getString("content")).isEqualTo("complete");
        assertThat(answer.getBoolean("stopped")).isFalse();
        assertThat(answer.getList("versions", Document.class)).extracting(v -> v.getString("content"))
                .containsExactly("partial", "complete");
        assertThat(answer.getList("versions", Document.class).get(0).getBoolean("stopped")).isTrue();
        assertThat(store.addVersion("s-" + user, "intruder", "m2", reply("x", false), now).block(WAIT)).isFalse();
    }

    @Test
    void listsTheUsersSessionsNewestFirstInPages() {
        Instant base = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        for (int i = 0; i < 5; i++) {
            store.appendExchange("s" + i + "-" + user, user, "topic " + i, "u" + i, "a" + i, reply("r", false),
                    base.plusSeconds(i)).block(WAIT);
        }
        store.appendExchange("other-" + user, "other-" + user, "not mine", "x", "y", reply("r", false), base).block(WAIT);
        List<Document> first = store.list(user, null, 2).collectList().block(WAIT);
        assertThat(first).extracting(d -> d.getString("title")).containsExactly("topic 4", "topic 3");
        Instant cursor = Instant.parse((String) ChatSessionStore.toJson(first.get(1).get("updatedAt")));
        List<Document> rest = store.list(user, cursor, 10).collectList().block(WAIT);
        assertThat(rest).extracting(d -> d.getString("title")).containsExactly("topic 2", "topic 1", "topic 0");
    }

    @Test
    void renamesFeedbackAndDeletesOnlyForTheOwner() {
        Instant now = Instant.now();
        store.appendExchange("s-" + user, user, "q", "m1", "m2", reply("a", false), now).block(WAIT);
        assertThat(store.rename("s-" + user, user, "New title", now).block(WAIT).getString("title")).isEqualTo("New title");
        assertThat(store.rename("s-" + user, "intruder", "x", now).block(WAIT)).isNull();
        assertThat(store.feedback("s-" + user, user, "m2", "down").block(WAIT)).isTrue();
        assertThat(store.feedback("s-" + user, user, "nope", "down").block(WAIT)).isFalse();
        assertThat(store.feedback("s-" + user, user, "m1", "up").block(WAIT)).as("a question cannot be rated").isFalse();
        assertThat(store.feedback("s-" + user, "intruder", "m2", "up").block(WAIT)).isFalse();
        assertThat(store.find("s-" + user, user).block(WAIT).getList("messages", Document.class).get(1).getString("feedback"))
                .isEqualTo("down");
        assertThat(store.delete("s-" + user, "intruder").block(WAIT)).isFalse();
        assertThat(store.delete("s-" + user, user).block(WAIT)).isTrue();
        assertThat(store.find("s-" + user, user).block(WAIT)).isNull();
    }

    @Test
    void titlesAreTheFirstQuestionOnOneLineAtMost80Characters() {
        assertThat(ChatSessionStore.title("  a\n\tb  ")).isEqualTo("a b");
        assertThat(ChatSessionStore.title("x".repeat(100))).hasSize(80);
        assertThat(ChatSessionStore.title("x".repeat(79) + "😀")).hasSize(79);
    }
}
