// node --test load/ : the load generator's clock (npm test runs it with the Node gateway's tests)
import assert from 'node:assert/strict';
import { mock, test } from 'node:test';
import { nowMicros, syncWallClock } from './measure.mjs';

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
