#!/usr/bin/env python3
"""Where the gateway's CPU goes, by library: a CPU profile's samples over a time window, split by thread and by layer.

Reads an async-profiler (or JFR) recording of CPU samples (`jdk.ExecutionSample`) and prints, for the samples between
--from and --to: the threads that took them, then each sample's *layer*: the first library frame from the top of its
stack (JDK frames are charged to the library that called them; a sample on top of a system call or the scheduler is
"kernel"; the compiler and GC threads are their own layers). With --under FRAME it also lists the frames called from
the frames whose name contains FRAME (inclusive counts: what a step of the code spends its time in).

    java <flags> -agentpath:/path/to/libasyncProfiler.so=start,event=cpu,interval=1ms,file=gw.jfr,jfr -jar gateway.jar
    python3 bench/report/layers.py gw.jfr --from 16:36:50 --to 16:38:35 [--under StreamRelay.start] [--top 40]

Times are clock times as `jfr print` shows them (HH:MM:SS, the machine's time zone; UTC here), or seconds from the first
sample (e.g. --from 120). Needs `jfr` from the JDK on PATH (or JFR=/path/to/jfr).
"""
import argparse
import collections
import os
import re
import subprocess

# The first matching prefix names the layer (order matters: reactor.netty before reactor.core, Spring Data before Spring).
LIBRARIES = [
    ("dev.streamchat", "streamchat (this code)"),
    ("reactor.netty", "Reactor Netty (HTTP server, client, pool)"),
    ("reactor.", "Reactor (operators)"),
    ("io.lettuce", "Lettuce (Redis client)"),
    ("com.mongodb", "MongoDB driver"),
    ("org.bson", "MongoDB driver"),
    ("org.springframework.data", "Spring Data MongoDB"),
    ("org.springframework", "Spring WebFlux and core"),
    ("tools.jackson", "Jackson"),
    ("com.fasterxml", "Jackson"),
    ("io.jsonwebtoken", "JJWT"),
    ("com.corundumstudio", "netty-socketio"),
    ("io.netty", "Netty (transport, buffers)"),
    ("ch.qos.logback", "Logback"),
    ("org.slf4j", "Logback"),
    ("io.micrometer", "Micrometer"),
]


def native(frame):
    """A frame of the kernel (async-profiler marks them with a leading dot) or of a native library."""
    return frame.startswith(".") or frame.startswith("lib")


def layer_of(thread, frames):
    if "CompilerThre" in thread:
        return "JIT compiler"
    if thread.startswith("GC Thread") or thread.startswith("ParGC") or thread.startswith("parallel gc") or "G1 " in thread:
        return "GC"
    if frames and (frames[0].startswith(".") or frames[0].startswith("libc")):
        return "kernel (system calls, scheduling)"
    for frame in frames:
        for prefix, name in LIBRARIES:
            if frame.startswith(prefix):
                return name
    if frames and native(frames[0]):
        return "JVM (native, no Java frame)"
    return "JDK"


def thread_group(name):
    return re.sub(r"\d+", "N", name)


def samples(path):
    """(seconds of the day, UTC; thread name; frames, top first) per sample, from `jfr print` of the recording."""
    jfr = os.environ.get("JFR", "jfr")
    text = subprocess.run([jfr, "print", "--stack-depth", "512", "--events", "jdk.ExecutionSample", path],
                          check=True, capture_output=True, text=True).stdout
    current = None
    for line in text.splitlines():
        if line.startswith("jdk.ExecutionSample"):
            if current and current[0] is not None:
                yield current
            current = [None, "", []]
        elif current is None:
            continue
        elif line.startswith("  startTime = "):
            value = line.split("=", 1)[1].strip()
            match = re.search(r"(\d\d):(\d\d):(\d\d)\.(\d+)", value)
            if match:
                hour, minute, second, fraction = match.groups()
                current[0] = int(hour) * 3600 + int(minute) * 60 + int(second) + float("0." + fraction)
        elif line.startswith("  sampledThread = "):
            quoted = re.search(r'"([^"]*)"', line)
            current[1] = quoted.group(1) if quoted else line.split("=", 1)[1].strip()
        elif line.startswith("    ") and "(" in line:
            current[2].append(line.strip().split("(")[0].strip())
    if current and current[0] is not None:
        yield current


def clock(value, first):
    """Seconds of the day from HH:MM:SS, or seconds after the first sample from a plain number."""
    if value is None:
        return None
    if ":" in value:
        hour, minute, second = value.split(":")
        return int(hour) * 3600 + int(minute) * 60 + float(second)
    return first + float(value)


def table(title, counter, total, top):
    print(f"\n| {title} | samples | share |")
    print("| --- | ---: | ---: |")
    for name, count in counter.most_common(top):
        print(f"| {name} | {count} | {100 * count / total:.1f} % |")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("recording")
    parser.add_argument("--from", dest="start")
    parser.add_argument("--to", dest="end")
    parser.add_argument("--under", help="also list what the frames whose name contains this call")
    parser.add_argument("--top", type=int, default=30)
    args = parser.parse_args()

    rows = list(samples(args.recording))
    if not rows:
        raise SystemExit("no jdk.ExecutionSample in " + args.recording)
    first = min(row[0] for row in rows)
    start = clock(args.start, first)
    end = clock(args.end, first)
    threads = collections.Counter()
    layers = collections.Counter()
    under = collections.Counter()
    under_total = 0
    total = 0
    for second, thread, frames in rows:
        if (start is not None and second < start) or (end is not None and second > end):
            continue
        total += 1
        threads[thread_group(thread)] += 1
        layers[layer_of(thread, frames)] += 1
        if args.under:
            depths = [i for i, frame in enumerate(frames) if args.under in frame]
            if depths:
                under_total += 1
                for frame in set(frames[:max(depths)]):
                    under[frame] += 1
    if total == 0:
        raise SystemExit("no samples in that window")
    print(f"{total} samples")
    table("thread", threads, total, args.top)
    table("layer (a sample's first library frame from the top)", layers, total, args.top)
    if args.under:
        print(f"\n{under_total} samples under {args.under}")
        table(f"frame called from {args.under} (inclusive)", under, max(1, under_total), args.top)


if __name__ == "__main__":
    main()
