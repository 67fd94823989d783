import { test } from 'node:test';
import assert from 'node:assert/strict';

import { SseParser } from './sse.mjs';

function parseAll(chunks) {
  const events = [];
  const parser = new SseParser((event) => events.push(event));
  for (const chunk of chunks) {
    parser.push(chunk);
  }
  parser.end();
  return events;
}

const encoder = new TextEncoder();
const STREAM = 'data: {"type":"token","content":"Hé"}\n\n: keepalive\n\ndata: {"type":"token","content":"llo 👋"}\r\n\r\n'
  + 'event: x\rdata: a\rdata: b\r\rdata: {"type":"done"}\n\n';

test('every split of the byte stream gives the same events', () => {
  const bytes = encoder.encode(STREAM);
  const whole = parseAll([bytes]);
  assert.deepEqual(whole.map((e) => e.data), [
    '{"type":"token","content":"Hé"}',
    '{"type":"token","content":"llo 👋"}',
    'a\nb',
    '{"type":"done"}',
  ]);
  assert.equal(whole[2].event, 'x');
  for (let cut = 1; cut < bytes.length; cut++) {
    assert.deepEqual(parseAll([bytes.subarray(0, cut), bytes.subarray(cut)]), whole, `split at byte ${cut}`);
  }
  const oneByOne = [];
  for (let i = 0; i < bytes.length; i++) {
    oneByOne.push(bytes.subarray(i, i + 1));
  }
  assert.deepEqual(parseAll(oneByOne), whole);
});

test('an event without its closing blank line is not dispatched', () => {
  assert.deepEqual(parseAll(['data: complete\n\ndata: cut off']).map((e) => e.data), ['complete']);
});

test('a field without a space after the colon keeps its value whole', () => {
  assert.deepEqual(parseAll(['data:x\ndata:  y\n\n']).map((e) => e.data), ['x\n y']);
});
