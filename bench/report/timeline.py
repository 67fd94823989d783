#!/usr/bin/env python3
"""One level of a benchmark run over time: which part of it was slow, and which process had the cores then.

Reads a timeline-<gateway>-<streams>.json that `./bench/run.sh --timeline` writes per level and prints, per bin of
time from the first POST: the POSTs sent, the tokens emitted and their added latency (p50, p99, max), and the CPU
each process used (% of one core; `machine` is every process, the cores' sum is the limit). Then the same split
for the starts (first POST to the last POST's answer), the steady part and the endings (from when the first stream
could end), and what one start, one ending and one token cost each process.

    python3 bench/report/timeline.py bench/results/<run>/timeline-java-300.json [--bin-ms 250] [--until-ms 4000]
"""
import argparse
import json
import math


def percentile(sorted_values, q):
    if not sorted_values:
        return None
    index = min(len(sorted_values) - 1, max(0, math.ceil(q * len(sorted_values)) - 1))  # as bench/load/measure.mjs
    return sorted_values[index]


def cpu_between(cpu, start, end):
    """% of one core per process between two instants (µs), from the cumulative samples closest inside."""
    rows = [row for row in cpu["rows"] if start <= row[0] <= end]
    if len(rows) < 2:
        return None
    first, last = rows[0], rows[-1]
    seconds = (last[0] - first[0]) / 1e6
    if seconds <= 0:
        return None
    return [100 * (b - a) / seconds for a, b in zip(first[1:], last[1:])]


def cpu_seconds_between(cpu, start, end):
    """CPU seconds per process between the samples closest to two instants (µs)."""
    def nearest(at):
        return min(cpu["rows"], key=lambda row: abs(row[0] - at))
    return [b - a for a, b in zip(nearest(start)[1:], nearest(end)[1:])]


def print_start_costs(cpu, tokens, posted, answered, endings_from, last_token):
    """
    What one stream start and one stream ending cost each process: its CPU during the starts (first POST to the last
    answer) and during the endings (from when the first stream could end to the last sample) less what relaying the
    tokens of that time cost at its rate in between (the steady part), per POST. Approximate (one rate per process),
    but the same for every gateway.
    """
    if not cpu["names"] or len(cpu["rows"]) < 2 or endings_from <= answered:
        return
    last_sample = cpu["rows"][-1][0]
    during = cpu_seconds_between(cpu, posted[0], answered)
    steady = cpu_seconds_between(cpu, answered, endings_from)
    ending = cpu_seconds_between(cpu, endings_from, max(last_sample, last_token))

    def tokens_between(start, end):
        return sum(1 for emitted, _ in tokens if start <= emitted < end)

    tokens_during = tokens_between(posted[0], answered)
    tokens_steady = tokens_between(answered, endings_from)
    tokens_ending = tokens_between(endings_from, last_token + 1)
    parts = []
    for name, busy, relaying, closing in zip(cpu["names"], during, steady, ending):
        if name == "machine":
            continue
        per_token = relaying / max(1, tokens_steady)
        per_start = (busy - per_token * tokens_during) / len(posted)
        per_ending = (closing - per_token * tokens_ending) / len(posted)
        parts.append(f"{name} {per_start * 1000:.2f} ms per start, {per_ending * 1000:.2f} ms per ending, "
                     f"{per_token * 1e6:.0f} µs per token")
    print("CPU: " + "; ".join(parts))


def latency_cells(values):
    values = sorted(values)
    if not values:
        return ["-", "-", "-"]
    return [f"{percentile(values, 0.5):.2f}", f"{percentile(values, 0.99):.2f}", f"{values[-1]:.2f}"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("timeline")
    parser.add_argument("--bin-ms", type=float, default=250)
    parser.add_argument("--until-ms", type=float, default=None, help="stop the table here (default: every bin)")
    args = parser.parse_args()
    with open(args.timeline) as file:
        data = json.load(file)
    posted = sorted(data["postedAtMicros"])
    if not posted:
        raise SystemExit("no POST in this timeline")
    origin = posted[0]
    bin_us = args.bin_ms * 1000
    tokens = list(zip(data["emittedAtMicros"], data["addedMs"]))
    cpu = data.get("cpu") or {"names": [], "rows": []}
    last_token = max((emitted for emitted, _ in tokens), default=origin)
    bins = int((last_token - origin) // bin_us) + 1
    if args.until_ms is not None:
        bins = min(bins, int(args.until_ms // args.bin_ms) + 1)
    by_bin = [[] for _ in range(bins)]
    for emitted, added in tokens:
        index = int((emitted - origin) // bin_us)
        if 0 <= index < bins:
            by_bin[index].append(added)
    posts = [0] * bins
    for at in posted:
        index = int((at - origin) // bin_us)
        if index < bins:
            posts[index] += 1

    names = cpu["names"]
    header = ["from ms", "POSTs", "tokens", "p50 ms", "p99 ms", "max ms"] + [f"{name} %" for name in names]
    print("| " + " | ".join(header) + " |")
    print("|" + " ---: |" * len(header))
    for index in range(bins):
        start = origin + index * bin_us
        shares = cpu_between(cpu, start, start + bin_us) if names else None
        cells = [f"{index * args.bin_ms:.0f}", str(posts[index]), str(len(by_bin[index]))] + latency_cells(by_bin[index])
        cells += [f"{share:.0f}" for share in shares] if shares else ["-"] * len(names)
        print("| " + " | ".join(cells) + " |")

    answered = data.get("startsAnsweredAtMicros") or posted[-1]
    # A stream runs about as long as the last one took from its POST to the last token: the first can end that long
    # after the first POST, and from then on streams end as they started (over the same spread).
    endings_from = origin + (last_token - posted[-1])
    print()
    print_start_costs(cpu, tokens, posted, answered, endings_from, last_token)
    windows = (("during the starts", origin, answered), ("between the starts and the endings", answered, endings_from),
               ("during the endings", endings_from, last_token + 1))
    for label, start, end in windows:
        values = [added for emitted, added in tokens if start <= emitted < end]
        shares = cpu_between(cpu, start, end) if names else None
        p50, p99, top = latency_cells(values)
        line = f"{label} ({(end - start) / 1000:.0f} ms): {len(values)} tokens, added p50 {p50} / p99 {p99} / max {top} ms"
        if shares:
            line += "; CPU " + ", ".join(f"{name} {share:.0f} %" for name, share in zip(names, shares))
        print(line)


if __name__ == "__main__":
    main()
