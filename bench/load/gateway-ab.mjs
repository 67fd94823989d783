// The driver of bench/gateway-ab.sh: rounds of streams against two Java gateways in turn (A B, then B A, ...), with
// per-thread CPU per round, so that two builds are compared under the same conditions. Also measures the ai-service
// alone (the same requests straight to it) so the gateway's own share of the time to first token can be told apart:
//   gateway-added TTFT = time to first token through the gateway - time to first token straight from the ai-service.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';

import { aiServiceAlone, runStreams, signIn } from './loadgen.mjs';
import { CLOCK_STEP_LIMIT_MS, percentiles } from './measure.mjs';

const env = (name, fallback) => process.env[name] ?? fallback;
const rounds = Number(env('AB_ROUNDS', '8'));
const warmup = Number(env('AB_WARMUP', '6'));
const streams = Number(env('AB_STREAMS', '50'));
const spreadMs = Number(env('AB_SPREAD_MS', '1000'));
const tokensPerStream = Number(env('SYNTHETIC_TOKENS', '40'));
const tokensPerSecond = Number(env('SYNTHETIC_TOKENS_PER_SECOND', '20'));
const tag = Date.now().toString(36);
const TICKS = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
const log = (...args) => console.log(`[ab ${new Date().toISOString().slice(11, 19)}]`, ...args);
const targets = ['A', 'B', 'C'].filter((name) => env(`AB_${name}`, '')).map((name) => {
  const [rest, socket, pid] = env(`AB_${name}`).split('|');
  return { name, rest, socket, pid: Number(pid), rows: [] };
});

const GROUPS = ['total', 'jit', 'gc', 'loops', 'redis', 'mongo', 'other'];
/** Which group a JVM thread's CPU counts in, by its name. */
function groupOf(name) {
  if (/CompilerThre/.test(name)) return 'jit';
  if (/^(GC Thread|G1 |ZWorker|ZDirector|ZDriver|VM Thread)/.test(name)) return 'gc';
  if (/gateway-io|reactor-http|EventLoopG/.test(name)) return 'loops'; // Netty loops (HTTP, Socket.IO); /proc keeps 15 chars
  if (/lettuce|llEventLoop|xecutorLoop|redis/.test(name)) return 'redis';
  if (/mongo/.test(name)) return 'mongo';
  return 'other';
}

/**
 * CPU seconds per thread group (see groupOf), and the voluntary context switches of all threads: a thread that parks
 * and is woken for a hand-off counts one, so hand-offs per token show there whatever else the machine runs.
 */
function threadCpu(pid) {
  const groups = Object.fromEntries([...GROUPS, 'wakeups'].map((g) => [g, 0]));
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    let stat;
    try {
      stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
    } catch {
      continue; // the thread ended
    }
    const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const seconds = (Number(fields[11]) + Number(fields[12])) / TICKS;
    groups[groupOf(name)] += seconds;
    groups.total += seconds;
    try {
      const status = readFileSync(`/proc/${pid}/task/${tid}/status`, 'utf8');
      groups.wakeups += Number(/voluntary_ctxt_switches:\s+(\d+)/.exec(status)?.[1] ?? 0);
    } catch { /* the thread ended */ }
  }
  return groups;
}

async function round(target, label, record) {
  const tokens = await signIn(target.rest, streams, `ab-${tag}-${target.name}-${label}`, 25);
  const run = await runStreams({ rest: target.rest, socketUrl: target.socket, tokens, spreadMs, expectedTokens: tokensPerStream,
    deadlineMs: (tokensPerStream / tokensPerSecond) * 1000 + spreadMs + 30_000, probe: () => threadCpu(target.pid) });
  const { counts } = run;
  const failed = counts.httpFailed + counts.streamErrors + counts.incomplete + counts.seqGaps + counts.shortReplies
    + counts.connectFailed + counts.refused503;
  const per = (key) => Math.round(((run.after[key] - run.before[key]) * 1e6) / Math.max(1, counts.tokens));
  const row = { label, tokens: counts.tokens, failed, usPerToken: Object.fromEntries(GROUPS.map((g) => [g, per(g)])),
    wakeupsPerToken: Math.round(((run.after.wakeups - run.before.wakeups) * 100) / Math.max(1, counts.tokens)) / 100,
    latencyMs: percentiles(run.latencies), afterStartsLatencyMs: percentiles(run.afterStarts), firstTokenAddedMs: percentiles(run.firstTokenAdded),
    ttftMs: percentiles(run.timeToFirstToken), postToFirstEmitMs: percentiles(run.postToFirstEmit),
    clockStepMs: Math.round(run.clockStepMs * 10) / 10 };
  if (Math.abs(run.clockStepMs) > CLOCK_STEP_LIMIT_MS) {
    log(`warning: the wall clock was stepped by ${row.clockStepMs} ms during ${target.name} ${label}: its latencies are not valid`);
  }
  if (record) {
    target.rows.push(row);
  }
  log(`${target.name} ${label}: ${row.usPerToken.total} us/token (${GROUPS.slice(1).map((g) => `${g} ${row.usPerToken[g]}`).join(', ')}), `
    + `${row.wakeupsPerToken} wake-ups/token, p50 ${row.latencyMs.p50} p99 ${row.latencyMs.p99} ms (after the starts ${row.afterStartsLatencyMs.p99}), TTFT p50 ${row.ttftMs.p50} ms, failed ${failed}`
    + (failed ? ` ${JSON.stringify(counts)} ${JSON.stringify(run.errorCodes)}` : ''));
  await new Promise((resolve) => setTimeout(resolve, 1500));
}

/** The same question straight to the ai-service: the time to its first token, without any gateway. */
const direct = (count) => aiServiceAlone({ aiUrl: env('AB_AI'), apiKey: env('AI_SERVICE_API_KEY'), count,
  spreadMs, tag });

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length ? sorted[Math.floor(sorted.length / 2)] : null;
};

for (let i = 0; i < warmup; i++) {
  for (const target of targets) {
    await round(target, `warm${i}`, false);
  }
}
const directRows = [];
for (let i = 0; i < rounds; i++) {
  const order = i % 2 === 0 ? targets : [...targets].reverse();
  for (const target of order) {
    await round(target, `r${i}`, true);
  }
  directRows.push(await direct(streams));
  log(`ai-service alone r${i}: TTFT p50 ${directRows.at(-1).p50} ms`);
  await new Promise((resolve) => setTimeout(resolve, 1500));
}
const directTtft = median(directRows.map((r) => r.p50));
const summary = targets.map((t) => ({
  gateway: t.name,
  usPerToken: Object.fromEntries(GROUPS.map((k) => [k, median(t.rows.map((r) => r.usPerToken[k]))])),
  wakeupsPerToken: median(t.rows.map((r) => r.wakeupsPerToken)),
  p50Ms: median(t.rows.map((r) => r.latencyMs.p50)), p99Ms: median(t.rows.map((r) => r.latencyMs.p99)),
  afterStartsP99Ms: median(t.rows.map((r) => r.afterStartsLatencyMs.p99)),
  firstTokenAddedP50Ms: median(t.rows.map((r) => r.firstTokenAddedMs.p50)),
  ttftP50Ms: median(t.rows.map((r) => r.ttftMs.p50)),
  gatewayAddedTtftP50Ms: Math.round((median(t.rows.map((r) => r.ttftMs.p50)) - directTtft) * 100) / 100,
  failed: t.rows.reduce((a, r) => a + r.failed, 0),
}));
const lines = [`${rounds} rounds of ${streams} streams x ${tokensPerStream} tokens at ${tokensPerSecond}/s after ${warmup} warm-up rounds each; medians over rounds; ai-service alone TTFT p50 ${directTtft} ms`, '',
  `| figure | ${targets.map((t) => t.name).join(' | ')} | ${targets.slice(1).map((t) => `${t.name} / A`).join(' | ')} |`,
  `| --- | ${targets.map(() => '---:').join(' | ')} | ${targets.slice(1).map(() => '---:').join(' | ')} |`];
const row = (figure, pick) => {
  const values = summary.map(pick);
  lines.push(`| ${figure} | ${values.join(' | ')} | ${values.slice(1).map((v) => (values[0] ? `${(v / values[0]).toFixed(2)}×` : 'n/a')).join(' | ')} |`);
};
for (const group of GROUPS) {
  row(`CPU per token, ${group === 'total' ? 'all threads' : `${group} threads`} (µs)`, (s) => s.usPerToken[group]);
}
row('CPU per token without the JIT compiler (µs)', (s) => s.usPerToken.total - s.usPerToken.jit);
row('voluntary context switches per token', (s) => s.wakeupsPerToken);
row('added latency p50 (ms)', (s) => s.p50Ms);
row('added latency p99 (ms)', (s) => s.p99Ms);
row('added latency p99 after the starts (ms)', (s) => s.afterStartsP99Ms);
row('first token: added latency p50 (ms)', (s) => s.firstTokenAddedP50Ms);
row('time to first token p50 (ms, from POST)', (s) => s.ttftP50Ms);
row('gateway-added TTFT p50 (ms)', (s) => s.gatewayAddedTtftP50Ms);
row('failed streams (all rounds)', (s) => s.failed);
const table = lines.join('\n');
writeFileSync(join(env('AB_OUT', '.'), 'ab.json'), JSON.stringify({ summary, directRows, rounds: Object.fromEntries(targets.map((t) => [t.name, t.rows])) }, null, 2));
writeFileSync(join(env('AB_OUT', '.'), 'table.md'), table);
console.log(`\n${table}`);
process.exit(0);
