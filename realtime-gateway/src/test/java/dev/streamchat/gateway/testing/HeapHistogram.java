package dev.streamchat.gateway.testing;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import javax.management.ObjectName;

/**
 * The live objects of this JVM by class, as {@code jcmd <pid> GC.class_histogram} prints them (taken in-process
 * through the DiagnosticCommand MBean, after a full GC), so a test that finds the heap grown can say by what.
 */
public record HeapHistogram(Map<String, long[]> byClass) {

    /** A histogram of the live objects now (the command runs a full GC first). */
    public static HeapHistogram take() {
        return parse(text());
    }

    /** The histogram as {@code jcmd} prints it. */
    public static String text() {
        try {
            return (String) ManagementFactory.getPlatformMBeanServer().invoke(
                    new ObjectName("com.sun.management:type=DiagnosticCommand"), "gcClassHistogram",
                    new Object[] {new String[0]}, new String[] {String[].class.getName()});
        } catch (Exception e) {
            throw new IllegalStateException("class histogram unavailable", e);
        }
    }

    /** Reads {@link #text()}: per class, {instances, bytes}. */
    public static HeapHistogram parse(String text) {
        Map<String, long[]> byClass = new HashMap<>();
        for (String line : text.split("\n")) {
            String[] cells = line.trim().split("\\s+");
            // " 12:   3456   789012  java.lang.String (java.base@17)"
            if (cells.length >= 4 && cells[0].endsWith(":")) {
                byClass.put(cells[3], new long[] {Long.parseLong(cells[1]), Long.parseLong(cells[2])});
            }
        }
        return new HeapHistogram(byClass);
    }

    /** Total bytes of the live objects. */
    public long bytes() {
        return byClass.values().stream().mapToLong(v -> v[1]).sum();
    }

    /** The {@code limit} classes that grew most in bytes since {@code before}, one line each. */
    public List<String> grownSince(HeapHistogram before, int limit) {
        List<Map.Entry<String, long[]>> growth = new ArrayList<>();
        for (Map.Entry<String, long[]> entry : byClass.entrySet()) {
            long[] was = before.byClass.getOrDefault(entry.getKey(), new long[2]);
            growth.add(Map.entry(entry.getKey(), new long[] {entry.getValue()[0] - was[0], entry.getValue()[1] - was[1]}));
        }
        growth.sort((a, b) -> Long.compare(b.getValue()[1], a.getValue()[1]));
        return growth.stream().limit(limit)
                .map(e -> String.format("%+10d B %+8d objects  %s", e.getValue()[1], e.getValue()[0], e.getKey()))
                .toList();
    }
}
