package dev.streamchat.ai.route;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import dev.streamchat.ai.chat.ChatTurn;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Pins route detection to the shared fixture table {@code docs/protocol/routes.json} at the repository root. */
class RouteDetectorTests {

    static final Path ROUTES = Path.of("..", "docs", "protocol", "routes.json");

    private final RouteDetector detector = new RouteDetector();

    record Case(String query, List<ChatTurn> history, Route route) {
        @Override
        public String toString() {
            return route.wireName() + " <- \"" + query + "\"" + (history.isEmpty() ? "" : " (with history)");
        }
    }

    static List<Case> cases() throws IOException {
        JsonNode root = JsonMapper.builder().build().readTree(Files.readString(ROUTES));
        List<Case> cases = new ArrayList<>();
        for (JsonNode c : root.get("cases")) {
            List<ChatTurn> history = new ArrayList<>();
            for (JsonNode turn : c.get("history")) {
                history.add(new ChatTurn(turn.get("role").asString(), turn.get("content").asString()));
            }
            Route route = Route.fromWireName(c.get("route").asString());
            assertThat(route).as("route of %s", c).isNotNull();
            cases.add(new Case(c.get("query").asString(), history, route));
        }
        return cases;
    }

    static Stream<Arguments> table() throws IOException {
        return cases().stream().map(Arguments::of);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("table")
    void detectsTheRouteOfEveryFixture(Case c) {
        assertThat(detector.detect(c.query(), c.history())).isEqualTo(c.route());
    }

    @Test
    void tableHasAtLeastThreeCasesPerRouteAndFollowUpsThroughHistory() throws IOException {
        Map<Route, Integer> counts = new EnumMap<>(Route.class);
        for (Case c : cases()) {
            counts.merge(c.route(), 1, Integer::sum);
            if (c.route() == Route.FOLLOW_UP) {
                assertThat(c.history()).as("a follow-up needs history: %s", c).isNotEmpty();
            }
        }
        for (Route route : Route.values()) {
            assertThat(counts.getOrDefault(route, 0)).as(route.wireName()).isGreaterThanOrEqualTo(3);
        }
    }

    @Test
    void aFollowUpPhraseWithoutHistoryIsAGeneralQuestion() {
        assertThat(detector.detect("What about its function?", List.of())).isEqualTo(Route.GENERAL_QA);
        assertThat(detector.detect("What about its function?", null)).isEqualTo(Route.GENERAL_QA);
        assertThat(detector.detect("", List.of())).isEqualTo(Route.GENERAL_QA);
    }

    @Test
    void followUpsAreRetrievedTogetherWithThePreviousQuestion() {
        List<ChatTurn> history = List.of(new ChatTurn("user", "What does the AV node do?"),
                new ChatTurn("assistant", "It delays the impulse [1]."));
        assertThat(detector.retrievalQuery(Route.FOLLOW_UP, "Why?", history)).isEqualTo("What does the AV node do?\nWhy?");
        assertThat(detector.retrievalQuery(Route.GENERAL_QA, "Why?", history)).isEqualTo("Why?");
        assertThat(detector.retrievalQuery(Route.FOLLOW_UP, "Why?", List.of())).isEqualTo("Why?");
    }
}
