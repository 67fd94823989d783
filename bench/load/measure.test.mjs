// node --test load/ : the load generator's clock (npm test runs it with the Node gateway's tests)
import assert from 'node:assert/strict';
import { mock, test } from 'node:test';
import { spawn } from 'node:child_process';
import { cpuSeconds, nowMicros, sampleCpu, syncWallClock } from './measure.mjs';

test('after a sync, nowMicros reads the wall clock to within a millisecond', () => {
  syncWallClock();
  const wall = Date.now() * 1000;
  assert.ok(Math.abs(nowMicros() - wall) < 1_500, `nowMicros ${nowMicros()} vs Date.now ${wall}`);
});

test('a stepped wall clock is reported by the next sync and followed by nowMicros', () => {
  syncWallClock();
  const realNow = Date.now.bind(Date);
  mock.method(Date, 'now', () => realNow() + 5_000);
  try {
    const step = syncWallClock();
    assert.ok(Math.abs(step - 5_000) < 1.5, `step ${step}`);
    assert.ok(Math.abs(nowMicros() - Date.now() * 1000) < 1_500);
    assert.ok(Math.abs(syncWallClock()) < 1.5, 'no step the second time');
  } finally {
    mock.restoreAll();
  }
  assert.ok(Math.abs(syncWallClock() + 5_000) < 1.5, 'and back');
});

test('sampleCpu counts the CPU of a process and of its children, and of the whole machine', async () => {
  // A child that spins until it is killed: its CPU shows under this process's name (as the embedded Redis does
  // under the local stack's) while this process itself idles.
  const child = spawn(process.execPath, ['-e', 'process.stdout.write("spinning\\n"); for (;;) {}']);
  try {
    await new Promise((resolve, reject) => {
      child.stdout.once('data', resolve);
      child.once('error', reject);
    });
    const ownBefore = cpuSeconds(process.pid);
    const stop = sampleCpu({ family: process.pid }, 20);
    let timeline = null;
    for (let attempt = 0; attempt < 200; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      timeline = stop.peek();
      const { rows } = timeline;
      if (rows.at(-1)[2] - rows[0][2] >= 0.3) {
        break;
      }
    }
    const { names, rows } = stop();
    assert.deepEqual(names, ['machine', 'family']);
    assert.ok(timeline !== null && rows.length >= 3, `${rows.length} rows`);
    const family = rows.at(-1)[2] - rows[0][2];
    const machine = rows.at(-1)[1] - rows[0][1];
    assert.ok(family >= 0.3, `the spinning child's CPU is counted: ${family} s`);
    assert.ok(cpuSeconds(process.pid) - ownBefore < 0.2, 'while this process itself idled');
    assert.ok(machine >= family * 0.9, `machine ${machine} s >= family ${family} s`);
    assert.ok(rows.every((row, i) => i === 0 || row[0] >= rows[i - 1][0]), 'rows in time order');
  } finally {
    child.kill('SIGKILL');
  }
});
