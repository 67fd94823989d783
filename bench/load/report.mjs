// The Markdown summary of results.json: one row per measured figure, Java beside Node, and their ratio
// (Java / Node: below 1 means the Java gateway needs less of it, which is better for every figure here except
// capacity, where above 1 is better).
const fmt = (value, digits = 1) => (value === null || value === undefined || Number.isNaN(value) ? 'n/a'
  : Number(value).toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }));
const ratio = (java, node) => (java === null || node === null || java === undefined || node === undefined || !node
  ? 'n/a' : `${(java / node).toFixed(2)}×`);
const kib = (bytes) => (bytes === null || bytes === undefined ? null : bytes / 1024);

export function markdownTable(results) {
  const lines = [];
  const { meta } = results;
  lines.push(`Machine: ${meta.machine.cpus} cores (${meta.machine.cpuModel}), ${meta.machine.memoryGiB} GiB, Linux ${meta.machine.kernel}; `
    + `Java ${meta.java.version} \`${meta.java.flags}\`; Node ${meta.machine.node}; `
    + `${meta.stream.tokensPerStream} tokens per stream at ${meta.stream.tokensPerSecond} tokens/s${meta.quick ? '; QUICK run (small loads)' : ''}.`);
  lines.push('');
  lines.push('| scenario | figure | Java gateway | Node reference | Java / Node |');
  lines.push('| --- | --- | ---: | ---: | ---: |');
  const row = (scenario, figure, java, node, digits = 1) => lines.push(
    `| ${scenario} | ${figure} | ${fmt(java, digits)} | ${fmt(node, digits)} | ${ratio(java, node)} |`);
  const failures = (scenario, java, node) => lines.push(`| ${scenario} | failed streams / 503s | `
    + `${java ? `${java.failed} / ${java.refused503}` : 'n/a'} | ${node ? `${node.failed} / ${node.refused503}` : 'n/a'} | — |`);

  const idle = results.idle ?? {};
  const idleCounts = [...new Set([...(idle.java?.rows ?? []), ...(idle.node?.rows ?? [])].map((r) => r.sockets))];
  for (const sockets of idleCounts) {
    const java = idle.java?.rows.find((r) => r.sockets === sockets);
    const node = idle.node?.rows.find((r) => r.sockets === sockets);
    row(`${sockets.toLocaleString('en-US')} idle sockets`, 'RSS per socket (KiB)', kib(java?.rssPerSocketBytes), kib(node?.rssPerSocketBytes));
    if (java?.heapPerSocketBytes !== null && java?.heapPerSocketBytes !== undefined) {
      lines.push(`| ${sockets.toLocaleString('en-US')} idle sockets | live heap per socket (KiB) | ${fmt(kib(java.heapPerSocketBytes))} | — | — |`);
    }
  }

  const cold = results.coldStart ?? {};
  if (cold.java || cold.node) {
    const streamsCold = (cold.java ?? cold.node).streams;
    const scenario = `${streamsCold.toLocaleString('en-US')} streams right after start-up (first warm-up round)`;
    row(scenario, 'added latency p99 (ms)', cold.java?.latencyMs.p99, cold.node?.latencyMs.p99, 2);
    row(scenario, 'time to first token p50 (ms, from POST)', cold.java?.timeToFirstTokenMs.p50, cold.node?.timeToFirstTokenMs.p50, 1);
    row(scenario, 'gateway CPU per token (µs)', cold.java?.cpu.usPerToken, cold.node?.cpu.usPerToken, 0);
    failures(scenario, cold.java, cold.node);
    const warmup = results.warmup ?? {};
    row(`warm-up (${streamsCold.toLocaleString('en-US')} streams a round)`, 'rounds until CPU per token settled',
      warmup.java?.length, warmup.node?.length, 0);
    const startWarmup = results.startWarmup ?? {};
    if (startWarmup.java || startWarmup.node) {
      row('warm-up, all rounds', 'streams started before the first measured level', startWarmup.java?.starts,
        startWarmup.node?.starts, 0);
    }
  }

  const memory = results.streamMemory ?? {};
  if (memory.java || memory.node) {
    const scenario = `${(memory.java ?? memory.node).streams.toLocaleString('en-US')} running streams`;
    // An RSS that fell during the round (the allocator gave pages back) measures nothing about the streams.
    const growth = (row) => (row?.perStreamBytes === null || row?.perStreamBytes === undefined || row.perStreamBytes < 0
      ? null : row.perStreamBytes);
    const shown = (row) => (row && row.perStreamBytes < 0 ? 'n/a (fell)' : fmt(kib(growth(row))));
    lines.push(`| ${scenario} | memory per running stream (KiB; Java: live heap, Node: RSS) | `
      + `${shown(memory.java)} | ${shown(memory.node)} | ${ratio(growth(memory.java), growth(memory.node))} |`);
  }

  const streams = results.streams ?? {};
  const levels = [...new Set([...(streams.java ?? []), ...(streams.node ?? [])].map((r) => r.streams))].sort((a, b) => a - b);
  for (const level of levels) {
    const java = streams.java?.find((r) => r.streams === level);
    const node = streams.node?.find((r) => r.streams === level);
    const scenario = `${level.toLocaleString('en-US')} streams (${(level * meta.stream.tokensPerSecond).toLocaleString('en-US')} tokens/s)`;
    row(scenario, 'added latency p50 (ms)', java?.latencyMs.p50, node?.latencyMs.p50, 2);
    row(scenario, 'added latency p99 (ms)', java?.latencyMs.p99, node?.latencyMs.p99, 2);
    row(scenario, 'added latency max (ms)', java?.latencyMs.max, node?.latencyMs.max, 1);
    row(scenario, 'added latency p99 after the starts (ms; tokens from 1 s after the last request was answered)',
      java?.afterStartsLatencyMs?.p99, node?.afterStartsLatencyMs?.p99, 2);
    row(scenario, 'load generator\'s own event-loop delay p99 (ms; a token read late by it counts as added latency)',
      java?.loadgenDelays?.eventLoopDelayMs.p99, node?.loadgenDelays?.eventLoopDelayMs.p99, 2);
    row(scenario, 'first token: added latency p50 (ms)', java?.firstTokenAddedMs.p50, node?.firstTokenAddedMs.p50, 2);
    row(scenario, 'time to first token p50 (ms, from POST)', java?.timeToFirstTokenMs.p50, node?.timeToFirstTokenMs.p50, 1);
    const alone = results.aiServiceAlone?.[level];
    if (alone) {
      lines.push(`| ${scenario} | ai-service alone: time to first token p50 (ms, the same requests without a gateway) | `
        + `${fmt(alone.p50)} | ${fmt(alone.p50)} | — |`);
      if (alone.addedMs) {
        lines.push(`| ${scenario} | ai-service alone: added latency per token p99 (ms; receive minus stamp without a gateway, `
          + `the floor on this machine) | ${fmt(alone.addedMs.p99, 2)} | ${fmt(alone.addedMs.p99, 2)} | — |`);
      }
      const added = (target) => (target?.timeToFirstTokenMs.p50 == null || alone.p50 == null ? null
        : target.timeToFirstTokenMs.p50 - alone.p50);
      row(scenario, 'gateway-added time to first token p50 (ms)', added(java), added(node), 1);
    }
    row(scenario, 'gateway CPU (% of one core)', java?.cpu.pctOfCore, node?.cpu.pctOfCore, 1);
    row(scenario, 'gateway CPU per token (µs)', java?.cpu.usPerToken, node?.cpu.usPerToken, 0);
    failures(scenario, java, node);
  }

  const saturation = results.saturation ?? {};
  if (saturation.java || saturation.node) {
    row('saturation', `capacity: tokens/s with p99 ≤ ${meta.p99LimitMs} ms and nothing failed`,
      saturation.java?.capacityTokensPerSecond, saturation.node?.capacityTokensPerSecond, 0);
    lines.push(`| saturation | first level over the limit | ${describe(saturation.java)} | ${describe(saturation.node)} | — |`);
    const floor = machineFloor(results.aiServiceAlone ?? {}, meta.p99LimitMs, meta.stream.tokensPerSecond);
    if (floor) {
      lines.push(`| saturation | the machine's own limit: the ai-service alone (no gateway, every token read from its SSE) `
        + `held p99 ≤ ${meta.p99LimitMs} ms up to | ${floor} | ${floor} | — |`);
    }
  }
  lines.push('');
  if (meta.clockSteps?.length) {
    lines.push(`**Not valid:** the machine's wall clock was stepped during ${meta.clockSteps.map((s) => `${s.run} `
      + `(${s.stepMs} ms)`).join(', ')}; the latencies of those runs (receive time minus the ai-service's stamp) are off by `
      + 'the step. Run again.');
    lines.push('');
  }
  return lines.join('\n');
}

/** The highest level whose gateway-less floor held the p99 limit, and the first that did not (if one ran). */
function machineFloor(alone, limitMs, tokensPerSecond) {
  const levels = Object.keys(alone).map(Number).filter((level) => alone[level].addedMs).sort((a, b) => a - b);
  if (!levels.length) {
    return null;
  }
  const over = levels.find((level) => !(alone[level].addedMs.p99 <= limitMs));
  const held = levels.filter((level) => over === undefined || level < over).pop();
  const heldText = held === undefined ? 'no level'
    : `${held} streams (${(held * tokensPerSecond).toLocaleString('en-US')} tokens/s)`;
  return over === undefined ? `${heldText}, every level run`
    : `${heldText}; ${over} streams: p99 ${fmt(alone[over].addedMs.p99, 1)} ms`;
}

function describe(saturation) {
  if (!saturation) {
    return 'n/a';
  }
  return saturation.firstFailedStreams === null ? 'none reached' : `${saturation.firstFailedStreams} streams: ${saturation.reason}`;
}
