#!/usr/bin/env python3
"""Draws the benchmark's charts from results.json (Debian's python3-matplotlib; bench/run.sh installs it).

    latency.png   gateway-added latency per token (p50, p99) against offered load, Java and Node
    cpu.png       gateway CPU per token against offered load
    memory.png    RSS per idle socket (and the JVM's heap per socket) against the number of sockets
"""
import json
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

COLORS = {"java": "#b0413e", "node": "#3c7a3c"}
LABELS = {"java": "Java gateway", "node": "Node reference"}


def latency_chart(results, out):
    streams = results.get("streams", {})
    if not streams:
        return False
    fig, ax = plt.subplots(figsize=(8, 5))
    for name, rows in streams.items():
        rows = sorted(rows, key=lambda r: r["offeredTokensPerSecond"])
        x = [r["offeredTokensPerSecond"] for r in rows]
        for key, style in (("p50", ":"), ("p99", "-")):
            y = [r["latencyMs"][key] for r in rows]
            ax.plot(x, y, style, marker="o", color=COLORS.get(name), label=f"{LABELS.get(name, name)} {key}")
        failed = [r for r in rows if not r["pass"]]
        if failed:
            ax.scatter([r["offeredTokensPerSecond"] for r in failed], [r["latencyMs"]["p99"] or 0 for r in failed],
                       marker="x", s=90, color=COLORS.get(name), zorder=5)
    ax.axhline(results["meta"]["p99LimitMs"], color="grey", linewidth=0.8, linestyle="--")
    ax.set_yscale("log")
    ax.set_xlabel("offered load (tokens/s; streams x %s tokens/s)" % results["meta"]["stream"]["tokensPerSecond"])
    ax.set_ylabel("gateway-added latency per token (ms, log)")
    ax.set_title("Added latency against load (x = over the p99 limit or failures)")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(out / "latency.png", dpi=110)
    plt.close(fig)
    return True


def cpu_chart(results, out):
    streams = results.get("streams", {})
    if not streams:
        return False
    fig, ax = plt.subplots(figsize=(8, 4.5))
    for name, rows in streams.items():
        rows = sorted(rows, key=lambda r: r["offeredTokensPerSecond"])
        ax.plot([r["offeredTokensPerSecond"] for r in rows], [r["cpu"]["usPerToken"] for r in rows], marker="o",
                color=COLORS.get(name), label=LABELS.get(name, name))
    ax.set_xlabel("offered load (tokens/s)")
    ax.set_ylabel("gateway CPU per token (µs)")
    ax.set_title("Gateway CPU per relayed token")
    ax.grid(True, alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(out / "cpu.png", dpi=110)
    plt.close(fig)
    return True


def memory_chart(results, out):
    idle = results.get("idle", {})
    if not idle:
        return False
    fig, ax = plt.subplots(figsize=(8, 4.5))
    for name, data in idle.items():
        rows = data["rows"]
        x = [r["sockets"] for r in rows]
        ax.plot(x, [r["rssPerSocketBytes"] / 1024 for r in rows], marker="o", color=COLORS.get(name),
                label=f"{LABELS.get(name, name)} RSS")
        if rows and rows[0].get("heapPerSocketBytes") is not None:
            ax.plot(x, [r["heapPerSocketBytes"] / 1024 for r in rows], ":", marker="s", color=COLORS.get(name),
                    label=f"{LABELS.get(name, name)} heap after full GC")
    ax.set_xscale("log")
    ax.set_xlabel("idle sockets (log)")
    ax.set_ylabel("memory per socket (KiB)")
    ax.set_title("Memory per idle socket")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(out / "memory.png", dpi=110)
    plt.close(fig)
    return True


def main():
    out = Path(sys.argv[1] if len(sys.argv) > 1 else ".")
    results = json.loads((out / "results.json").read_text())
    drawn = [name for name, draw in (("latency.png", latency_chart), ("cpu.png", cpu_chart), ("memory.png", memory_chart))
             if draw(results, out)]
    print("charts: " + (", ".join(str(out / n) for n in drawn) if drawn else "none (no data)"))


if __name__ == "__main__":
    main()
