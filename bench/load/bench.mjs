// The benchmark driver (started by bench/run.sh, which starts the processes and passes their addresses and pids):
// runs the scenarios against the Java gateway and the Node reference gateway, interleaved level by level so
// that both see the same machine, and writes results.json and table.md into BENCH_OUT.
//
// Scenarios
//   idle        memory per idle socket at 1k / 5k / 10k sockets (RSS; live heap for the JVM)
//   memory      (with streams) memory per running stream: the live heap (JVM) or RSS (Node) with 200 streams running
//   streams     steady streams at 100 / 500 / 1,000 concurrent users, one stream each at the synthetic rate:
//               gateway-added latency per token (receive time - stamped emit time), time to first token,
//               failures and 503s, gateway CPU per token
//   saturation  the same, raising the load until p99 > 50 ms or anything fails; capacity = the last level that held
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';

import { aiServiceAlone, closeAll, connectMany, mintToken, runStreams, signIn } from './loadgen.mjs';
import { CLOCK_STEP_LIMIT_MS, cpuSeconds, javaLiveBytes, percentiles, rssBytes, sampleCpu } from './measure.mjs';
import { markdownTable } from './report.mjs';

const env = (name, fallback) => process.env[name] ?? fallback;
const quick = env('BENCH_QUICK', 'false') === 'true';
const out = env('BENCH_OUT', '.');
const secret = env('JWT_SECRET', '');
const tokensPerStream = Number(env('SYNTHETIC_TOKENS', '200'));
const tokensPerSecond = Number(env('SYNTHETIC_TOKENS_PER_SECOND', '20'));
const scenarios = env('BENCH_SCENARIOS', 'idle,streams,saturation').split(',');
const P99_LIMIT_MS = 50;
const runTag = Date.now().toString(36);
const aiUrl = env('AI_SERVICE_URL', '');
const timelines = env('BENCH_TIMELINE', 'false') === 'true';
const aiPid = Number(env('AI_PID', '0'));
const stackPid = Number(env('STACK_PID', '0'));

const targets = [
  { name: 'java', rest: env('JAVA_REST'), socket: env('JAVA_SOCKET'), pid: Number(env('JAVA_PID')), jcmd: env('JAVA_JCMD') },
  { name: 'node', rest: env('NODE_REST'), socket: env('NODE_SOCKET'), pid: Number(env('NODE_PID')) },
].filter((t) => env('BENCH_TARGETS', 'java,node').split(',').includes(t.name));

// warm-up: unrecorded rounds of `warmup.streams` streams per gateway before the first measured level, repeated until
// the gateway's CPU per token settles (within `warmup.settled` of the round before; at least `minRounds`, at most
// `maxRounds`), the same rule for both gateways. A JVM that has just started spends much of its CPU compiling (a
// profile of the first rounds after start: the JIT compiler threads took 30-50 % of the gateway's CPU, and the p99 of
// 100 streams fell from ~340 ms to ~20 ms over eight rounds as the compiler finished), so a short warm-up measures
// the compiler, not the relay. The first round is recorded apart as the cold start ("right after start-up").
const plan = quick
  ? { idle: [200, 500], steady: [20, 50], ladder: [20, 50, 100],
    warmup: { streams: 50, minRounds: 3, maxRounds: 5, settled: 0.1 }, startWarmup: { starts: 0, streams: 50 },
    memoryStreams: 50, spreadMs: 1000 }
  : { idle: [1000, 5000, 10000], steady: [100, 500, 1000], ladder: [100, 200, 300, 350, 400, 450, 500, 600, 750, 1000, 1500, 2000, 3000],
    warmup: { streams: 100, minRounds: 8, maxRounds: 12, settled: 0.1 }, startWarmup: { starts: 4000, streams: 300 },
    memoryStreams: 200, spreadMs: 2000 };
plan.startWarmup.starts = Number(env('BENCH_WARMUP_STARTS', String(plan.startWarmup.starts)));
const levelsFrom = (name) => (process.env[name] ? process.env[name].split(',').map(Number).filter((n) => n > 0) : null);
plan.steady = levelsFrom('BENCH_STREAM_LEVELS') ?? plan.steady;
plan.idle = levelsFrom('BENCH_IDLE_COUNTS') ?? plan.idle;
const streamMs = (tokensPerStream / tokensPerSecond) * 1000;

const log = (...args) => console.log(`[bench ${new Date().toISOString().slice(11, 19)}]`, ...args);
const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Records and reports a run during which the machine's wall clock was stepped (see measure.syncWallClock). */
function noteClockStep(what, stepMs) {
  if (Math.abs(stepMs) > CLOCK_STEP_LIMIT_MS) {
    results.meta.clockSteps.push({ run: what, stepMs: Math.round(stepMs * 10) / 10 });
    log(`warning: the wall clock was stepped by ${stepMs.toFixed(1)} ms during ${what}: its latencies are not valid`);
  }
}

const results = {
  meta: {
    startedAt: new Date().toISOString(),
    quick,
    machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model ?? 'unknown', memoryGiB: Math.round(os.totalmem() / 2 ** 30),
      kernel: os.release(), node: process.version },
    java: { version: env('JAVA_VERSION_LINE', 'unknown'), flags: env('GATEWAY_JAVA_OPTS', '') },
    stream: { tokensPerStream, tokensPerSecond },
    p99LimitMs: P99_LIMIT_MS,
    note: env('BENCH_NOTE', ''),
    clockSteps: [],
  },
  idle: {},
  coldStart: {},
  warmup: {},
  startWarmup: {},
  aiServiceAlone: {},
  streamMemory: {},
  streams: {},
  saturation: {},
};

// --- idle sockets --------------------------------------------------------------------------------------------
async function idle(target) {
  const rows = [];
  const baseRss = rssBytes(target.pid);
  const baseHeap = target.jcmd ? await javaLiveBytes(target.jcmd, target.pid) : null;
  const open = [];
  let failed = 0;
  for (const count of plan.idle) {
    const tokens = Array.from({ length: count - open.length },
      (_, i) => mintToken(secret, `idle-${runTag}-${target.name}-${open.length + i}`));
    const connected = await connectMany(target.socket, tokens);
    open.push(...connected.sockets.filter(Boolean));
    failed += connected.failed;
    if (connected.failed) {
      log(`${target.name}: ${connected.failed} sockets did not connect: ${JSON.stringify(connected.reasons)}`);
    }
    await pause(3000);
    const rss = rssBytes(target.pid);
    const heap = target.jcmd ? await javaLiveBytes(target.jcmd, target.pid) : null;
    const row = { sockets: count, connected: open.length, connectFailed: failed, rssBytes: rss, rssPerSocketBytes: Math.round((rss - baseRss) / open.length),
      heapBytes: heap, heapPerSocketBytes: heap === null ? null : Math.round((heap - baseHeap) / open.length) };
    rows.push(row);
    log(`${target.name} idle ${open.length} sockets: RSS +${(row.rssPerSocketBytes / 1024).toFixed(1)} KiB/socket`
      + (heap === null ? '' : `, heap +${(row.heapPerSocketBytes / 1024).toFixed(1)} KiB/socket`) + (failed ? `, ${failed} failed` : ''));
  }
  closeAll(open);
  await pause(3000);
  return { baseRssBytes: baseRss, baseHeapBytes: baseHeap, rows };
}

// --- streams ---------------------------------------------------------------------------------------------------

/**
 * BENCH_TIMELINE=true: each recorded level's tokens in emit order (stamp, added latency), its POST times and the
 * CPU of every process on the machine every 100 ms, for bench/report/timeline.py (which part of a level was slow and
 * who had the cores then). Written before the percentiles sort the latencies.
 */
function writeTimeline(name, run, cpu) {
  writeFileSync(join(out, `timeline-${name}.json`), JSON.stringify({
    emittedAtMicros: Array.from(run.emittedAt), addedMs: Array.from(run.latencies),
    postedAtMicros: run.sentAt.filter(Boolean), startsAnsweredAtMicros: run.startsAnsweredAt, cpu }));
}

async function streamLevel(target, streams, { record = true, round = 0 } = {}) {
  globalThis.gc?.(); // the load generator's own full collection now, between levels, not in the middle of one
  const tokens = await signIn(target.rest, streams, `s-${runTag}-${target.name}-${streams}-${record ? 'm' : `w${round}`}`);
  const loadgenBefore = process.cpuUsage();
  const stopSampling = record && timelines ? sampleCpu({ [`${target.name} gateway`]: target.pid, 'ai-service': aiPid,
    'local stack (Redis, MongoDB)': stackPid, 'load generator': process.pid }) : null;
  const run = await runStreams({
    rest: target.rest, socketUrl: target.socket, tokens, spreadMs: plan.spreadMs, expectedTokens: tokensPerStream,
    deadlineMs: streamMs + plan.spreadMs + 30_000,
    probe: () => ({ cpu: cpuSeconds(target.pid), rss: rssBytes(target.pid), at: performance.now() }),
  });
  const loadgen = process.cpuUsage(loadgenBefore);
  if (stopSampling) {
    writeTimeline(`${target.name}-${streams}`, run, stopSampling());
  }
  const { counts } = run;
  const failed = counts.httpFailed + counts.streamErrors + counts.incomplete + counts.seqGaps + counts.shortReplies
    + counts.connectFailed;
  const cpu = run.after.cpu - run.before.cpu;
  const wallS = (run.after.at - run.before.at) / 1000;
  const latency = percentiles(run.latencies);
  const row = {
    streams, offeredTokensPerSecond: streams * tokensPerSecond,
    latencyMs: latency,
    afterStartsLatencyMs: percentiles(run.afterStarts),
    firstTokenAddedMs: percentiles(run.firstTokenAdded),
    timeToFirstTokenMs: percentiles(run.timeToFirstToken),
    postToFirstEmitMs: percentiles(run.postToFirstEmit),
    counts, errorCodes: run.errorCodes, failed, refused503: counts.refused503,
    cpu: { seconds: Math.round(cpu * 100) / 100, pctOfCore: Math.round((cpu / wallS) * 1000) / 10,
      usPerToken: counts.tokens ? Math.round((cpu * 1e6) / counts.tokens) : null },
    rssDuringBytes: run.after.rss,
    loadgenPctOfCore: Math.round(((loadgen.user + loadgen.system) / 1e6 / wallS) * 1000) / 10,
    loadgenDelays: run.loadgen,
    wallSeconds: Math.round(wallS * 10) / 10,
    clockStepMs: Math.round(run.clockStepMs * 10) / 10,
  };
  noteClockStep(`${target.name} ${streams} streams${record ? '' : ` (warm-up round ${round})`}`, run.clockStepMs);
  row.pass = failed === 0 && counts.refused503 === 0 && latency.p99 !== null && latency.p99 <= P99_LIMIT_MS;
  if (record) {
    log(`${target.name} ${streams} streams: p50 ${latency.p50} ms, p99 ${latency.p99} ms (after the starts ${row.afterStartsLatencyMs.p99} ms), max ${latency.max} ms, `
      + `TTFT p50 ${row.timeToFirstTokenMs.p50} ms (first emit ${row.postToFirstEmitMs.p50} ms after the POST), CPU ${row.cpu.pctOfCore}% (${row.cpu.usPerToken} us/token), `
      + `failed ${failed}, 503 ${counts.refused503}; load generator: event-loop delay p99 `
      + `${run.loadgen.eventLoopDelayMs.p99.toFixed(1)} ms, ${run.loadgen.gc.count} GC pauses max ${run.loadgen.gc.maxMs} ms `
      + `(${run.loadgen.gc.major} full, max ${run.loadgen.gc.majorMaxMs} ms)`
      + `${row.pass ? '' : '  <- over the limit'}`);
  }
  await pause(2000);
  return row;
}

/**
 * Memory per running stream: the same load as a level (fresh users, sockets connected first), with the gateway's
 * memory read twice: once all sockets are connected and before the first request, and again once every request has
 * been answered, while the accepted streams run. For the JVM its live objects (a class histogram after a full GC; the
 * pause lands in this unrecorded round only); for Node the RSS (its heap is not readable from outside). Divided by the accepted streams.
 */
async function activeStreamMemory(target, streams) {
  const tokens = await signIn(target.rest, streams, `m-${runTag}-${target.name}`);
  const read = () => (target.jcmd ? javaLiveBytes(target.jcmd, target.pid) : Promise.resolve(rssBytes(target.pid)));
  let before = null;
  let during = null;
  const run = await runStreams({
    rest: target.rest, socketUrl: target.socket, tokens, spreadMs: plan.spreadMs, expectedTokens: tokensPerStream,
    deadlineMs: streamMs + plan.spreadMs + 30_000,
    beforeRequests: async () => {
      before = await read();
    },
    whileRunning: async () => {
      during = await read();
    },
  });
  const accepted = run.counts.accepted;
  const row = { streams, accepted, measure: target.jcmd ? 'live heap' : 'RSS', beforeBytes: before,
    duringBytes: during, perStreamBytes: accepted ? Math.round((during - before) / accepted) : null };
  log(`${target.name} ${accepted} running streams: ${row.measure} +${(row.perStreamBytes / 1024).toFixed(1)} KiB per stream`);
  await pause(2000);
  return row;
}

/** What the results keep of an unrecorded warm-up round. */
const roundSummary = (row) => ({ usPerToken: row.cpu.usPerToken, p99Ms: row.latencyMs.p99, failed: row.failed,
  refused503: row.refused503 });

/**
 * Unrecorded rounds until the gateway's CPU per token settles (see `plan.warmup`); the first round is kept as the cold
 * start. Returns each round's CPU per token and p99, so the report can show how far the gateway was from warm.
 */
async function warmUp(target) {
  const { streams, minRounds, maxRounds, settled } = plan.warmup;
  const rounds = [];
  for (let round = 0; round < maxRounds; round++) {
    const row = await streamLevel(target, streams, { record: false, round });
    if (round === 0) {
      results.coldStart[target.name] = row;
    }
    rounds.push(roundSummary(row));
    log(`${target.name} warm-up round ${round + 1}: ${row.cpu.usPerToken} us/token, p99 ${row.latencyMs.p99} ms`);
    const previous = rounds.at(-2)?.usPerToken;
    if (rounds.length >= minRounds && previous && Math.abs(row.cpu.usPerToken - previous) <= settled * previous) {
      break;
    }
  }
  return rounds;
}

/**
 * Unrecorded rounds of `plan.startWarmup.streams` streams until the gateway has started `plan.startWarmup.starts`
 * streams in its warm-up. The rounds that settle the CPU per token (1,000 starts or so) leave the code that runs once
 * per stream (sign-in, `/chat/new`, the stores' clients, the save) still being compiled: profiled with streams of two
 * tokens, the Java gateway's CPU per stream fell from 15.6 ms after 900 starts to 6.6 ms after 3,100 and stayed
 * there. A gateway in service passes that many starts in its first minutes; the measured levels should not be its
 * first minutes. The same rounds for both gateways.
 */
async function startWarmUp(target, startsSoFar) {
  const { starts, streams } = plan.startWarmup;
  const rounds = [];
  let started = startsSoFar;
  while (started < starts) {
    const row = await streamLevel(target, streams, { record: false, round: 100 + rounds.length });
    started += streams;
    rounds.push(roundSummary(row));
    log(`${target.name} start warm-up round ${rounds.length} (${streams} streams, ${started} started): `
      + `${row.cpu.usPerToken} us/token, p99 ${row.latencyMs.p99} ms`);
  }
  return { starts: started, rounds };
}

async function streamScenarios() {
  const wantSteady = scenarios.includes('streams');
  const wantSaturation = scenarios.includes('saturation');
  const levels = [...new Set([...(wantSteady ? plan.steady : []), ...(wantSaturation ? plan.ladder : [])])].sort((a, b) => a - b);
  const maxSteady = wantSteady ? Math.max(...plan.steady) : 0;
  const stillRising = Object.fromEntries(targets.map((t) => [t.name, wantSaturation]));
  for (const target of targets) {
    results.streams[target.name] = [];
    results.saturation[target.name] = { capacityStreams: 0, capacityTokensPerSecond: 0, firstFailedStreams: null, reason: null };
    results.warmup[target.name] = await warmUp(target);
    results.startWarmup[target.name] = await startWarmUp(target, results.warmup[target.name].length * plan.warmup.streams);
    if (wantSteady) {
      results.streamMemory[target.name] = await activeStreamMemory(target, plan.memoryStreams);
    }
  }
  for (const level of levels) {
    let ran = false;
    for (const target of targets) {
      const steady = wantSteady && plan.steady.includes(level);
      if (!steady && !stillRising[target.name]) {
        continue;
      }
      ran = true;
      const row = await streamLevel(target, level);
      results.streams[target.name].push(row);
      const saturation = results.saturation[target.name];
      if (stillRising[target.name]) {
        if (row.pass && saturation.firstFailedStreams === null) {
          saturation.capacityStreams = level;
          saturation.capacityTokensPerSecond = level * tokensPerSecond;
        } else if (!row.pass && saturation.firstFailedStreams === null) {
          saturation.firstFailedStreams = level;
          saturation.reason = row.failed > 0 ? `${row.failed} failed` : row.refused503 > 0 ? `${row.refused503} x 503`
            : `p99 ${row.latencyMs.p99} ms`;
          stillRising[target.name] = false;
        }
      }
    }
    if (ran && aiUrl) {
      // The same streams without a gateway, every token read straight from the ai-service's SSE: the floor of this
      // level on this machine (the ai-service, the load generator and the kernel), which no gateway can go under.
      const alone = await aiServiceAlone({ aiUrl, apiKey: env('AI_SERVICE_API_KEY', ''), count: level,
        spreadMs: plan.spreadMs, tag: `${runTag}-${level}`, wholeStreams: true });
      results.aiServiceAlone[level] = alone;
      noteClockStep(`ai-service alone, ${level} requests`, alone.clockStepMs);
      log(`ai-service alone, ${level} requests: time to first token p50 ${alone.p50} ms, `
        + `added latency per token p50 ${alone.addedMs.p50} ms, p99 ${alone.addedMs.p99} ms`);
      await pause(2000);
    }
    if (level >= maxSteady && !Object.values(stillRising).some(Boolean)) {
      break;
    }
  }
}

/** The JVM's stop-the-world time over the whole run, from -Xlog:safepoint (GC pauses are most of it). */
function safepoints(file) {
  if (!file || !existsSync(file)) {
    return null;
  }
  const totals = [...readFileSync(file, 'utf8').matchAll(/Total: (\d+) ns/g)].map((m) => Number(m[1]) / 1e6);
  const stats = percentiles(totals);
  return { count: stats.count, totalMs: Math.round(totals.reduce((a, b) => a + b, 0)), p99Ms: stats.p99, maxMs: stats.max };
}

// --- main ------------------------------------------------------------------------------------------------------
try {
  if (scenarios.includes('idle')) {
    for (const target of targets) {
      log(`${target.name}: idle sockets ${plan.idle.join(' / ')}`);
      results.idle[target.name] = await idle(target);
    }
  }
  if (scenarios.includes('streams') || scenarios.includes('saturation')) {
    await streamScenarios();
  }
} finally {
  results.meta.finishedAt = new Date().toISOString();
  results.meta.java.safepoints = safepoints(env('JAVA_SAFEPOINT_LOG', ''));
  writeFileSync(join(out, 'results.json'), JSON.stringify(results, null, 2));
  const table = markdownTable(results);
  writeFileSync(join(out, 'table.md'), table);
  console.log(`\n${table}`);
}
process.exit(0);
