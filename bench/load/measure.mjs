// What the benchmark reads from the machine: process CPU and RSS from /proc, a JVM's heap through jcmd,
// percentiles of recorded samples, and the wall clock in epoch microseconds (the clock the synthetic
// provider stamps tokens with).
import { execFile, execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { promisify } from 'node:util';

const run = promisify(execFile);

const CLOCK_TICKS = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100; // Linux USER_HZ
  }
})();

/** A wall-clock step larger than this (ms) during a run makes its latencies (receive time minus stamp) invalid. */
export const CLOCK_STEP_LIMIT_MS = 2;

/** The wall clock minus the monotonic one (ms), as {@link syncWallClock} last read it. */
let wallClockOffsetMs = 0;

/**
 * Re-reads how far the wall clock is from the monotonic clock and returns how far it moved since the last call. The
 * stamps in the tokens are the ai-service's wall clock: when the machine's wall clock is stepped (NTP, a virtual
 * machine restored from a snapshot), receive times taken on the monotonic clock alone would be off by the step from
 * then on. Called at the start and end of every measured run. Each reading is taken at the instant `Date.now()`
 * ticks to its next millisecond (a spin of at most 1 ms); a reading delayed by the scheduler can only come out low,
 * so the largest of five is kept.
 */
export function syncWallClock() {
  let offset = -Infinity;
  for (let reading = 0; reading < 5; reading++) {
    const start = Date.now();
    let now = start;
    while (now === start) {
      now = Date.now();
    }
    offset = Math.max(offset, now - (performance.timeOrigin + performance.now()));
  }
  const moved = offset - wallClockOffsetMs;
  wallClockOffsetMs = offset;
  return moved;
}

/** Epoch microseconds with sub-millisecond resolution, on the wall clock as of the last {@link syncWallClock}. */
export function nowMicros() {
  return (performance.timeOrigin + performance.now() + wallClockOffsetMs) * 1000;
}

/** User + system CPU seconds of a process (all its threads). */
export function cpuSeconds(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields[11] = utime, fields[12] = stime (0-based after the command name)
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

/** The process's children (e.g. the redis-server the local stack started), from /proc/<pid>/task/<tid>/children. */
function childPids(pid) {
  const children = [];
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      children.push(...readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').split(' ').filter(Boolean).map(Number));
    }
  } catch {
    // the process ended
  }
  return children;
}

/**
 * Samples, every `everyMs`, the CPU seconds used so far by each named process with its children (the local stack's
 * embedded Redis is one) and by the whole machine (/proc/stat, busy time), so a timeline can show which process
 * took the cores when. Returns `stop()`, which gives `{ names, rows }`, a row being [µs on the `nowMicros` clock,
 * machine, ...per name] (`stop.peek()` gives them so far).
 */
export function sampleCpu(pids, everyMs = 100) {
  const names = Object.keys(pids).filter((name) => pids[name]);
  const families = Object.fromEntries(names.map((name) => [name, [pids[name], ...childPids(pids[name])]]));
  const seconds = (pid) => {
    try {
      return cpuSeconds(pid);
    } catch {
      return 0; // the process ended
    }
  };
  const machine = () => {
    // user, nice, system, irq, softirq: this machine's work (not idle, iowait, steal, or guest, counted in user)
    const [user, nice, system, , , irq, softirq] = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0].trim()
      .split(/\s+/).slice(1).map(Number);
    return (user + nice + system + irq + softirq) / CLOCK_TICKS;
  };
  const rows = [];
  const take = () => rows.push([nowMicros(), machine(),
    ...names.map((name) => families[name].reduce((sum, pid) => sum + seconds(pid), 0))]);
  take();
  const timer = setInterval(take, everyMs);
  const stop = () => {
    clearInterval(timer);
    take();
    return { names: ['machine', ...names], rows };
  };
  stop.peek = () => ({ names: ['machine', ...names], rows });
  return stop;
}

/** Resident set size in bytes. */
export function rssBytes(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /VmRSS:\s+(\d+) kB/.exec(status);
  return match ? Number(match[1]) * 1024 : NaN;
}

/**
 * A JVM's live objects in bytes, from a class histogram (jcmd GC.class_histogram: a full collection, then every live
 * object counted): exact to the byte, where the heap's "used" after a collection moves by whole regions (1 MiB+ in G1).
 */
export async function javaLiveBytes(jcmd, pid) {
  const { stdout } = await run(jcmd, [String(pid), 'GC.class_histogram'], { timeout: 120_000, maxBuffer: 64 * 1024 * 1024 });
  const match = /^Total\s+\d+\s+(\d+)/m.exec(stdout);
  return match ? Number(match[1]) : NaN;
}

/** Percentiles (nearest rank) of a numeric array; the array is sorted in place. */
export function percentiles(values) {
  if (values.length === 0) {
    return { count: 0, p50: null, p90: null, p99: null, p999: null, max: null, mean: null };
  }
  const sorted = values instanceof Float64Array ? values.sort() : Float64Array.from(values).sort();
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
  let sum = 0;
  for (const v of sorted) {
    sum += v;
  }
  const round = (v) => Math.round(v * 1000) / 1000;
  return { count: sorted.length, p50: round(at(0.5)), p90: round(at(0.9)), p99: round(at(0.99)), p999: round(at(0.999)),
    max: round(sorted[sorted.length - 1]), mean: round(sum / sorted.length) };
}

/** A growable Float64 sample buffer (hundreds of thousands of latencies without boxing). */
export class Samples {
  #data = new Float64Array(1024);
  #size = 0;

  add(value) {
    if (this.#size === this.#data.length) {
      const bigger = new Float64Array(this.#data.length * 2);
      bigger.set(this.#data);
      this.#data = bigger;
    }
    this.#data[this.#size++] = value;
  }

  get size() {
    return this.#size;
  }

  values() {
    return this.#data.slice(0, this.#size);
  }
}
