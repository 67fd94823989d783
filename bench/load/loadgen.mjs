// The load generator: real socket.io-client 4.x sockets (websocket transport, one forced-new connection per
// user) and the contract's REST calls, against any gateway that speaks shared/CONTRACT.md.
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { constants as perfConstants, monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';

import jwt from 'jsonwebtoken';
import { io } from 'socket.io-client';

import { nowMicros, percentiles, Samples, syncWallClock } from './measure.mjs';

const STAMP = /@t(\d{10,19})$/;
const STAMP_IN_EVENT = /@t(\d{10,19})"/g; // a stamped token inside an SSE event's JSON

// Kept-alive connections for the REST calls. `node:http` rather than `fetch`: a browser's requests cost the machine
// nothing here, and undici's fetch took ~180 µs more CPU per POST than `http.request` (measured 2026-12-03 on this
// machine, 5,000 POSTs each), CPU that the load generator then takes from both gateways alike in a burst of starts.
// A connection idle for 1 s is closed here, well before a server's keep-alive timeout (Node's is 5 s) could close it
// under a request being sent.
const agent = new http.Agent({ keepAlive: true, timeout: 1_000 });

/** POSTs a JSON body; resolves with the status, the headers and the body as text, or rejects (error, timeout). */
function postJson(url, body, { headers = {}, timeoutMs = 10_000 } = {}) {
  const payload = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const request = http.request(url, {
      method: 'POST', agent, timeout: timeoutMs,
      headers: { ...headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) },
    }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk) => {
        text += chunk;
      });
      response.on('end', () => resolve({ status: response.statusCode, headers: response.headers, text }));
      response.on('error', reject);
    });
    request.on('timeout', () => request.destroy(Object.assign(new Error('timeout'), { name: 'TimeoutError' })));
    request.on('error', reject);
    request.end(payload);
  });
}

/** Runs `task(i)` for i in [0, count) with at most `limit` at a time. */
export async function pool(count, limit, task) {
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, count) }, async () => {
    while (next < count) {
      const i = next++;
      await task(i);
    }
  });
  await Promise.all(workers);
}

/** A JWT for a socket-only user, signed like the gateways' own (HS256, sub, plan, iat, exp). */
export function mintToken(secret, userId, plan = 'pro') {
  return jwt.sign({ sub: userId, plan }, secret, { algorithm: 'HS256', expiresIn: '24h' });
}

/**
 * Dev-login through the gateway: creates the user (plan pro, so the free quota is not what is measured). A 503
 * (the gateway's store was slow) is retried after its Retry-After, up to 5 times: set-up is not what is measured.
 */
export async function devLogin(rest, userId) {
  for (let attempt = 1; ; attempt++) {
    const response = await postJson(`${rest}/api/v1/auth/dev-login`, { userId, plan: 'pro' });
    if (response.status >= 200 && response.status < 300) {
      return JSON.parse(response.text).token;
    }
    if (response.status !== 503 || attempt >= 5) {
      throw new Error(`dev-login ${userId} -> ${response.status}`);
    }
    const wait = Number(response.headers['retry-after'] ?? '1');
    await new Promise((resolve) => setTimeout(resolve, Math.min(5, Math.max(1, wait)) * 1000));
  }
}

/** Fresh users `${prefix}-0` .. `${prefix}-${count - 1}` signed in (`limit` at a time); their tokens in that order. */
export async function signIn(rest, count, prefix, limit = 50) {
  const tokens = new Array(count);
  await pool(count, limit, async (i) => {
    tokens[i] = await devLogin(rest, `${prefix}-${i}`);
  });
  return tokens;
}

/**
 * Opens one socket; resolves once connected (the Socket.IO CONNECT answered), rejects on connect_error or when
 * that has not happened within `timeoutMs` (the client's own `timeout` covers only the Engine.IO open, not a
 * CONNECT packet the server never answers).
 */
export function connect(socketUrl, token, timeoutMs = 20_000) {
  return new Promise((resolve, reject) => {
    const socket = io(socketUrl, { auth: { token }, transports: ['websocket'], forceNew: true, reconnection: false,
      timeout: timeoutMs });
    const timer = setTimeout(() => {
      socket.close();
      reject(new Error(socket.io.engine?.readyState === 'open' ? 'no CONNECT answer' : 'connect timeout'));
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      resolve(socket);
    });
    socket.once('connect_error', (error) => {
      clearTimeout(timer);
      socket.close();
      reject(error);
    });
  });
}

/**
 * Connects one socket per token (at most 100 handshakes in flight). `sockets[i]` is token i's socket, or null when
 * it failed; `reasons` counts the failures by message.
 */
export async function connectMany(socketUrl, tokens) {
  const sockets = new Array(tokens.length).fill(null);
  const reasons = {};
  let failed = 0;
  await pool(tokens.length, 100, async (i) => {
    try {
      sockets[i] = await connect(socketUrl, tokens[i]);
    } catch (error) {
      failed++;
      reasons[error.message] = (reasons[error.message] ?? 0) + 1;
    }
  });
  return { sockets, failed, reasons };
}

export function closeAll(sockets) {
  for (const socket of sockets) {
    socket?.close();
  }
}

/**
 * The load generator's own hold-ups while a level runs: its event-loop delay (a token that arrives while the loop is
 * busy is read late, which counts as the gateway's added latency) and its garbage-collection pauses. Both gateways
 * are measured through the same process, so these show how much of a tail is the measuring side's.
 */
function ownDelays() {
  const loop = monitorEventLoopDelay({ resolution: 1 });
  const pauses = new Samples();
  const majorPauses = new Samples(); // mark-compact (V8's full collection), the rest are scavenges and weak callbacks
  const gc = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      pauses.add(entry.duration);
      if (entry.detail?.kind === perfConstants.NODE_PERFORMANCE_GC_MAJOR) {
        majorPauses.add(entry.duration);
      }
    }
  });
  loop.enable();
  gc.observe({ entryTypes: ['gc'] });
  return () => {
    loop.disable();
    gc.disconnect();
    const gcPauses = pauses.values();
    const major = majorPauses.values();
    const longest = (values) => (values.length ? Math.round(Math.max(...values) * 100) / 100 : 0);
    return { eventLoopDelayMs: { p50: loop.percentile(50) / 1e6, p99: loop.percentile(99) / 1e6, max: loop.max / 1e6 },
      gc: { count: gcPauses.length, totalMs: Math.round(gcPauses.reduce((a, b) => a + b, 0) * 10) / 10,
        maxMs: longest(gcPauses), major: major.length, majorMaxMs: longest(major) } };
  };
}

/** Tokens emitted this long after the last `/chat/new` was answered count as "after the starts". */
const AFTER_STARTS_MICROS = 1_000_000;

/** The latencies of the tokens emitted after `fromMicros`: the streams' steady state, without the start burst. */
function afterStarts(latencies, emittedAt, fromMicros) {
  const steady = new Samples();
  for (let i = 0; i < latencies.length; i++) {
    if (emittedAt[i] >= fromMicros) {
      steady.add(latencies[i]);
    }
  }
  return steady.values();
}

/**
 * One stream per user: each user's socket is connected first, then the users POST /chat/new spread evenly over
 * `spreadMs`, and every token's gateway-added latency (receive time minus the synthetic provider's stamp) is
 * recorded; `afterStarts` holds those of the tokens emitted from 1 s after the last request was answered. Resolves
 * when every stream ended (complete, error, refused) or at `deadlineMs`. `probe()` is read just before the first
 * request and when the last stream ended (e.g. the gateway's CPU time). `beforeRequests()` is
 * awaited once the sockets are connected, before the first request, and `whileRunning()` once every request has
 * been answered, while the accepted streams run (e.g. memory with and without the running streams).
 */
export async function runStreams({ rest, socketUrl, tokens, spreadMs, deadlineMs, expectedTokens, probe = () => null,
  beforeRequests = async () => {}, whileRunning = async () => {} }) {
  const latencies = new Samples();
  const emittedAt = new Samples(); // each token's stamp (µs), in the order of `latencies`
  const firstTokenAdded = new Samples();
  const timeToFirstToken = new Samples();
  const postToFirstEmit = new Samples(); // from the POST to the ai-service emitting the first token
  const counts = { accepted: 0, refused503: 0, httpFailed: 0, completed: 0, streamErrors: 0, incomplete: 0,
    seqGaps: 0, shortReplies: 0, tokens: 0, unstamped: 0, connectFailed: 0 };
  const errorCodes = {};

  const { sockets, failed, reasons } = await connectMany(socketUrl, tokens);
  counts.connectFailed = failed;
  for (const [reason, n] of Object.entries(reasons)) {
    errorCodes[`connect: ${reason}`] = n;
  }
  // a user whose socket did not connect does not start a stream (it is counted as failed above)
  const users = sockets.map((socket, index) => ({ socket, index, sentAt: 0, lastSeq: 0, tokens: 0, ended: false }))
    .filter((user) => user.socket !== null);
  let ended = 0;
  let resolveAll;
  const allEnded = new Promise((resolve) => {
    resolveAll = resolve;
  });
  const finish = (user) => {
    if (!user.ended) {
      user.ended = true;
      ended++;
      if (ended === users.length) {
        resolveAll();
      }
    }
  };
  for (const user of users) {
    user.socket.on('chat-stream-token', (payload) => {
      const received = nowMicros();
      const match = STAMP.exec(payload.token);
      if (match) {
        const added = (received - Number(match[1])) / 1000;
        latencies.add(added);
        emittedAt.add(Number(match[1]));
        if (payload.seq === 1) {
          firstTokenAdded.add(added);
          if (user.sentAt) {
            postToFirstEmit.add((Number(match[1]) - user.sentAt) / 1000);
          }
        }
      } else {
        counts.unstamped++;
      }
      if (payload.seq === 1 && user.sentAt) {
        timeToFirstToken.add((received - user.sentAt) / 1000);
      }
      if (payload.seq !== user.lastSeq + 1) {
        counts.seqGaps++;
      }
      user.lastSeq = payload.seq;
      user.tokens++;
      counts.tokens++;
    });
    user.socket.on('chat-stream-complete', () => {
      counts.completed++;
      if (user.tokens < expectedTokens) {
        counts.shortReplies++;
      }
      finish(user);
    });
    user.socket.on('chat-stream-error', (payload) => {
      counts.streamErrors++;
      const code = payload?.error?.code ?? 'unknown';
      errorCodes[code] = (errorCodes[code] ?? 0) + 1;
      finish(user);
    });
  }

  await beforeRequests();
  syncWallClock();
  const stopWatchingSelf = ownDelays();
  const before = probe();
  const startedAt = Date.now();
  const step = users.length > 1 ? spreadMs / users.length : 0;
  const posts = users.map((user) => new Promise((resolve) => {
    setTimeout(async () => {
      user.sentAt = nowMicros();
      try {
        const response = await postJson(`${rest}/api/v1/chat/new`,
          { message: 'How does the benchmark measure latency?', clientRequestId: randomUUID() },
          { headers: { authorization: `Bearer ${tokens[user.index]}` } });
        if (response.status === 202) {
          counts.accepted++;
        } else {
          if (response.status === 503) {
            counts.refused503++;
          } else {
            counts.httpFailed++;
            errorCodes[`http_${response.status}`] = (errorCodes[`http_${response.status}`] ?? 0) + 1;
          }
          finish(user);
        }
      } catch (error) {
        counts.httpFailed++;
        errorCodes[error.name ?? 'request'] = (errorCodes[error.name ?? 'request'] ?? 0) + 1;
        finish(user);
      }
      resolve();
    }, Math.round(user.index * step));
  }));
  await Promise.all(posts);
  const startsAnsweredAt = nowMicros();
  await whileRunning();
  let timer;
  await Promise.race([allEnded, new Promise((resolve) => {
    timer = setTimeout(resolve, Math.max(0, deadlineMs - (Date.now() - startedAt)));
  })]);
  clearTimeout(timer);
  const after = probe();
  const loadgen = stopWatchingSelf();
  counts.incomplete = users.filter((u) => !u.ended).length;
  const elapsedMs = Date.now() - startedAt;
  const clockStepMs = syncWallClock();
  closeAll(sockets);
  return { counts, errorCodes, loadgen, clockStepMs, latencies: latencies.values(),
    afterStarts: afterStarts(latencies.values(), emittedAt.values(), startsAnsweredAt + AFTER_STARTS_MICROS),
    emittedAt: emittedAt.values(), sentAt: users.map((u) => u.sentAt), startsAnsweredAt,
    firstTokenAdded: firstTokenAdded.values(),
    timeToFirstToken: timeToFirstToken.values(), postToFirstEmit: postToFirstEmit.values(), elapsedMs, before, after };
}

/**
 * The same question straight to the ai-service (no gateway): `count` requests spread over `spreadMs`. Percentiles of
 * the time from the request to the first token; requests that got no token are left out (`missing`). A gateway's
 * time to first token minus this is what the gateway adds. Each stream is aborted after its first token, unless
 * `wholeStreams`: then every token is read and `addedMs` holds the percentiles of receive time minus stamp, the
 * floor that the ai-service, this client and the machine set for a gateway's added latency at that load.
 */
export async function aiServiceAlone({ aiUrl, apiKey, count, spreadMs, tag, wholeStreams = false }) {
  const samples = [];
  const added = new Samples();
  syncWallClock();
  await Promise.all(Array.from({ length: count }, (_, i) => new Promise((resolve) => setTimeout(async () => {
    const sentAt = nowMicros();
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), wholeStreams ? 120_000 : 30_000);
    try {
      const response = await fetch(`${aiUrl}/api/v1/semantic_search_stream`, {
        method: 'POST', signal: controller.signal,
        headers: { 'content-type': 'application/json', accept: 'text/event-stream', 'x-api-key': apiKey },
        body: JSON.stringify({ user_id: `direct-${tag}-${i}`, user_query: 'How does the benchmark measure latency?',
          chat_history: [], source: 'main_app' }),
      });
      const decoder = new TextDecoder();
      let first = true;
      let partialLine = '';
      for await (const chunk of response.body) {
        const received = nowMicros();
        const text = partialLine + decoder.decode(chunk, { stream: true });
        if (first && /"type":"token"/.test(text)) {
          first = false;
          samples.push((received - sentAt) / 1000);
          if (!wholeStreams) {
            break;
          }
        }
        const lineEnd = text.lastIndexOf('\n') + 1; // a line cut by the chunk waits for its end
        if (wholeStreams) {
          for (const match of text.slice(0, lineEnd).matchAll(STAMP_IN_EVENT)) {
            added.add((received - Number(match[1])) / 1000);
          }
        }
        partialLine = text.slice(lineEnd);
      }
    } catch { /* counted as missing */ }
    clearTimeout(timer);
    controller.abort();
    resolve();
  }, Math.round((i * spreadMs) / count)))));
  return { ...percentiles(samples), missing: count - samples.length, clockStepMs: syncWallClock(),
    ...(wholeStreams ? { addedMs: percentiles(added.values()) } : {}) };
}
