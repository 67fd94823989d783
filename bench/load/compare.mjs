// Prints one Markdown table comparing several results.json of the Java gateway (name=path arguments), e.g. JVM
// settings measured by bench/jvm-ab.sh: added latency, CPU per token and memory per idle socket, per load.
import { readFileSync } from 'node:fs';

const runs = process.argv.slice(2).map((arg) => {
  const at = arg.indexOf('=');
  return { name: arg.slice(0, at), results: JSON.parse(readFileSync(arg.slice(at + 1), 'utf8')) };
});
if (runs.length === 0) {
  console.log('compare: no results');
  process.exit(0);
}
const cell = (v, digits = 1) => (v === null || v === undefined ? 'n/a' : Number(v).toFixed(digits));
const lines = [`| figure | ${runs.map((r) => r.name).join(' | ')} |`, `| --- |${runs.map(() => ' ---: |').join('')}`];
const row = (label, pick, digits) => lines.push(`| ${label} | ${runs.map((r) => cell(pick(r.results), digits)).join(' | ')} |`);

const levels = [...new Set(runs.flatMap((r) => (r.results.streams.java ?? []).map((s) => s.streams)))].sort((a, b) => a - b);
for (const level of levels) {
  const at = (results) => (results.streams.java ?? []).find((s) => s.streams === level);
  row(`${level} streams: added p50 (ms)`, (r) => at(r)?.latencyMs.p50, 2);
  row(`${level} streams: added p99 (ms)`, (r) => at(r)?.latencyMs.p99, 2);
  row(`${level} streams: added max (ms)`, (r) => at(r)?.latencyMs.max, 1);
  row(`${level} streams: CPU per token (µs)`, (r) => at(r)?.cpu.usPerToken, 0);
  row(`${level} streams: failed + 503`, (r) => (at(r) ? at(r).failed + at(r).refused503 : null), 0);
}
const counts = [...new Set(runs.flatMap((r) => (r.results.idle.java?.rows ?? []).map((s) => s.sockets)))].sort((a, b) => a - b);
for (const count of counts) {
  const at = (results) => results.idle.java?.rows.find((s) => s.sockets === count);
  row(`${count} idle: RSS per socket (KiB)`, (r) => (at(r) ? at(r).rssPerSocketBytes / 1024 : null), 1);
  row(`${count} idle: heap per socket (KiB)`, (r) => (at(r)?.heapPerSocketBytes ? at(r).heapPerSocketBytes / 1024 : null), 1);
}
row('stop-the-world pauses over the run (count)', (results) => results.meta.java.safepoints?.count, 0);
row('stop-the-world total (ms)', (results) => results.meta.java.safepoints?.totalMs, 0);
row('stop-the-world p99 (ms)', (results) => results.meta.java.safepoints?.p99Ms, 2);
row('stop-the-world max (ms)', (results) => results.meta.java.safepoints?.maxMs, 1);
console.log(lines.join('\n'));
