package dev.streamchat.gateway.architecture;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * The gateway's feature packages form no cycle: each package may use only packages below it (for example {@code chat}
 * → {@code reply} → {@code stream} → {@code socket}). Scans the main sources for every reference to another package
 * of the gateway (imports, static imports and fully qualified names).
 */
class PackageCycleTests {

    private static final Path SOURCES = Path.of("src", "main", "java", "dev", "streamchat", "gateway");
    private static final Pattern REFERENCE = Pattern.compile("\\bdev\\.streamchat\\.gateway\\.([a-z][a-z0-9_]*)\\b");

    @Test
    void featurePackagesHaveNoCycle() throws IOException {
        Map<String, Set<String>> uses = dependencies();
        assertThat(uses.get("chat")).as("the scan sees dependencies").contains("stream");
        List<String> cycle = findCycle(uses);
        assertThat(cycle).as("package cycle %s in %s", String.join(" -> ", cycle), uses).isEmpty();
    }

    @Test
    void theRelayKnowsNothingOfSavingQuotaOrChat() throws IOException {
        assertThat(dependencies().get("stream")).doesNotContain("chat", "quota", "reply");
    }

    @Test
    void findsACycleWhenThereIsOne() {
        Map<String, Set<String>> uses = new TreeMap<>();
        uses.put("a", Set.of("b"));
        uses.put("b", Set.of("c"));
        uses.put("c", Set.of("a"));
        assertThat(findCycle(uses)).containsExactly("a", "b", "c", "a");
    }

    /** Package → the other gateway packages its main sources reference. */
    static Map<String, Set<String>> dependencies() throws IOException {
        Map<String, Set<String>> uses = new TreeMap<>();
        try (Stream<Path> files = Files.walk(SOURCES)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                Path relative = SOURCES.relativize(file);
                String own = relative.getNameCount() > 1 ? relative.getName(0).toString() : "";
                Set<String> targets = uses.computeIfAbsent(own, k -> new TreeSet<>());
                Matcher matcher = REFERENCE.matcher(Files.readString(file));
                while (matcher.find()) {
                    if (!matcher.group(1).equals(own)) {
                        targets.add(matcher.group(1));
                    }
                }
            }
        }
        return uses;
    }

    /** A cycle as a path that ends where it starts, or empty. */
    static List<String> findCycle(Map<String, Set<String>> uses) {
        Set<String> done = new TreeSet<>();
        for (String start : uses.keySet()) {
            List<String> path = new ArrayList<>();
            List<String> cycle = visit(start, uses, path, done);
            if (!cycle.isEmpty()) {
                return cycle;
            }
        }
        return List.of();
    }

    private static List<String> visit(String node, Map<String, Set<String>> uses, List<String> path, Set<String> done) {
        int at = path.indexOf(node);
        if (at >= 0) {
            List<String> cycle = new ArrayList<>(path.subList(at, path.size()));
            cycle.add(node);
            return cycle;
        }
        if (done.contains(node)) {
            return List.of();
        }
        path.add(node);
        for (String next : uses.getOrDefault(node, Set.of())) {
            List<String> cycle = visit(next, uses, path, done);
            if (!cycle.isEmpty()) {
                return cycle;
            }
        }
        path.remove(path.size() - 1);
        done.add(node);
        return List.of();
    }
}
