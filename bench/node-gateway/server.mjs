// The Node reference gateway: the seed's Node tier (Express-era "SSE to WebSocket proxy") written as its best
// engineers would, so the benchmark compares the Java gateway with a fair opponent. One process, one thread:
//   - socket.io 4.x server (per-message deflate off, its default), JWT (HS256) handshake auth, one room per user;
//   - REST POST /api/v1/chat/new as in shared/CONTRACT.md (auth -> 400 -> rate limit -> 409 -> quota -> 202/503);
//   - a streaming fetch to the ai-service with an incremental SSE parser; tokens go to the user's room as they come;
//   - the reply saved ONCE to MongoDB (official driver) when `done` arrives; free-plan count updated after it;
//   - rate limits (token bucket) and the stream state key in the same Redis as the Java gateway.
// It is a benchmark opponent, not a product: no resume, retry, stop, documents or multi-node fan-out.
import http from 'node:http';
import { randomUUID } from 'node:crypto';

import jwt from 'jsonwebtoken';
import { MongoClient } from 'mongodb';
import Redis from 'ioredis';
import { Server } from 'socket.io';

import { SseParser } from './sse.mjs';

const env = (name, fallback) => (process.env[name] && process.env[name].trim() !== '' ? process.env[name].trim() : fallback);

const config = {
  port: Number(env('NODE_GATEWAY_PORT', '19482')),
  aiServiceUrl: env('AI_SERVICE_URL', 'http://127.0.0.1:8090'),
  aiServiceKey: env('AI_SERVICE_API_KEY', ''),
  jwtSecret: env('JWT_SECRET', ''),
  jwtTtlSeconds: 24 * 3600,
  mongoUri: env('MONGODB_URI', 'mongodb://127.0.0.1:27017/chat_node'),
  redisUrl: env('REDIS_URL', 'redis://127.0.0.1:6379'),
  ratePerMinute: Number(env('RATE_LIMIT_CHAT_PER_MIN', '30')),
  freeChatsPerMonth: Number(env('FREE_TIER_CHATS_PER_MONTH', '25')),
  maxMessageChars: 8000,
  streamIdleMs: Number(env('STREAM_TIMEOUT_MS', '60000')),
  streamMaxMs: (Number(env('STREAM_MAX_DURATION_S', '120')) + 5) * 1000,
  statusDeadlineMs: 5000,
};
if (config.jwtSecret.length < 32 || !config.aiServiceKey) {
  console.error('node-gateway: JWT_SECRET (>= 32 bytes) and AI_SERVICE_API_KEY are required');
  process.exit(2);
}

const mongo = new MongoClient(config.mongoUri, { maxPoolSize: 20, serverSelectionTimeoutMS: 5000 });
for (let attempt = 1; ; attempt++) {
  try {
    await mongo.connect();
    break;
  } catch (error) {
    if (attempt >= 12) {
      throw error; // a minute without MongoDB at start-up
    }
  }
}
const db = mongo.db();
const sessions = db.collection('chat_sessions');
const users = db.collection('users');
const redis = new Redis(config.redisUrl, { maxRetriesPerRequest: 1, enableOfflineQueue: false, commandTimeout: 1000 });
await new Promise((resolve, reject) => {
  redis.once('ready', resolve);
  redis.once('error', reject);
});

// A token bucket per user: capacity = rate per minute, refilled continuously. Returns {allowed, retryAfterSeconds}.
redis.defineCommand('takeToken', {
  numberOfKeys: 1,
  lua: `
    local capacity = tonumber(ARGV[1])
    local per_ms = capacity / 60000
    local now = tonumber(ARGV[2])
    local state = redis.call('HMGET', KEYS[1], 't', 'at')
    local tokens = tonumber(state[1]) or capacity
    local at = tonumber(state[2]) or now
    tokens = math.min(capacity, tokens + (now - at) * per_ms)
    local allowed = 0
    local wait = 0
    if tokens >= 1 then
      tokens = tokens - 1
      allowed = 1
    else
      wait = math.ceil((1 - tokens) / per_ms / 1000)
    end
    redis.call('HSET', KEYS[1], 't', tostring(tokens), 'at', tostring(now))
    redis.call('PEXPIRE', KEYS[1], 120000)
    return {allowed, wait}`,
});

// ---------------------------------------------------------------------------------------------------------------
// HTTP

class HttpError extends Error {
  constructor(status, code, message, headers = {}, extra = {}) {
    super(message);
    this.status = status;
    this.code = code;
    this.headers = headers;
    this.extra = extra;
  }
}

function send(res, status, body, headers = {}) {
  const payload = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload), ...headers });
  res.end(payload);
}

function sendProblem(res, error) {
  send(res, error.status, { type: 'about:blank', title: error.code, status: error.status, code: error.code,
    detail: error.message, ...error.extra }, { 'content-type': 'application/problem+json', ...error.headers });
}

function readJson(req, limit = 65536) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    req.on('data', (chunk) => {
      size += chunk.length;
      if (size > limit) {
        reject(new HttpError(413, 'payload_too_large', 'Body too large.'));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      try {
        resolve(size === 0 ? {} : JSON.parse(Buffer.concat(chunks).toString('utf8')));
      } catch {
        reject(new HttpError(400, 'bad_request', 'Malformed JSON.'));
      }
    });
    req.on('error', reject);
  });
}

function authenticate(req) {
  const header = req.headers.authorization;
  const token = header && header.startsWith('Bearer ') ? header.slice(7) : null;
  if (!token) {
    throw new HttpError(401, 'unauthorized', 'Sign in first.');
  }
  try {
    const claims = jwt.verify(token, config.jwtSecret, { algorithms: ['HS256'] });
    return { userId: claims.sub, plan: claims.plan };
  } catch {
    throw new HttpError(401, 'unauthorized', 'Invalid or expired token.');
  }
}

const USER_ID = /^[A-Za-z0-9_.-]{1,64}$/;

async function devLogin(req, res) {
  const body = await readJson(req);
  if (typeof body.userId !== 'string' || !USER_ID.test(body.userId) || !['free', 'pro'].includes(body.plan ?? 'free')) {
    throw new HttpError(400, 'bad_request', 'userId and plan (free|pro) are required.');
  }
  const plan = body.plan ?? 'free';
  const now = new Date();
  const periodStart = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
  await users.updateOne({ _id: body.userId }, { $set: { plan }, $setOnInsert: { chatRequestCount: 0, periodStart } },
    { upsert: true });
  const token = jwt.sign({ sub: body.userId, plan }, config.jwtSecret, { algorithm: 'HS256', expiresIn: config.jwtTtlSeconds });
  send(res, 200, { token });
}

async function newChat(req, res) {
  const user = authenticate(req);
  const body = await readJson(req);
  if (typeof body.message !== 'string' || body.message.trim() === '') {
    throw new HttpError(400, 'bad_request', "'message' is required.");
  }
  if (body.message.length > config.maxMessageChars) {
    throw new HttpError(400, 'bad_request', `'message' is longer than ${config.maxMessageChars} characters.`);
  }
  const clientRequestId = typeof body.clientRequestId === 'string' ? body.clientRequestId : null;
  const [allowed, wait] = await redis.takeToken(`ratelimit:chat:${user.userId}`, config.ratePerMinute, Date.now());
  if (allowed !== 1) {
    throw new HttpError(429, 'rate_limited', 'Too many chat requests.', { 'retry-after': String(Math.max(1, wait)) });
  }
  let sessionId = body.sessionId;
  let history = [];
  if (sessionId) {
    const session = await sessions.findOne({ _id: sessionId, userId: user.userId }, { projection: { messages: { $slice: -20 } } });
    if (!session) {
      throw new HttpError(404, 'not_found', 'No such session.');
    }
    history = session.messages.map((m) => ({ role: m.role, content: m.content }));
  } else {
    sessionId = randomUUID();
  }
  const streamId = randomUUID();
  const lockKey = `chat:lock:${sessionId}`;
  if ((await redis.set(lockKey, streamId, 'EX', 300, 'NX')) !== 'OK') {
    throw new HttpError(409, 'stream_active', 'This session already has a running answer.');
  }
  try {
    const account = await users.findOne({ _id: user.userId });
    const plan = account?.plan ?? 'free';
    if (plan === 'free' && (account?.chatRequestCount ?? 0) >= config.freeChatsPerMonth) {
      throw new HttpError(429, 'quota_exceeded', `The free plan allows ${config.freeChatsPerMonth} chats per month.`);
    }
    const stateKey = `chat:stream:${user.userId}:${sessionId}:${Date.now()}`;
    await redis.set(stateKey, JSON.stringify({ streamId, status: 'running' }), 'EX', 300);
    const stream = { user, plan, sessionId, streamId, clientRequestId, stateKey, lockKey, question: body.message,
      messageId: randomUUID(), userMessageId: randomUUID(), startedAt: Date.now() };
    const response = await openAiStream(stream, history);
    send(res, 202, { sessionId, streamId, clientRequestId });
    relay(stream, response).catch((error) => console.error('node-gateway: relay failed', error));
  } catch (error) {
    await redis.del(lockKey).catch(() => {});
    throw error;
  }
}

/** Opens the ai-service stream; answers once it has a status (retrying connection failures / 502-504 within 5 s). */
async function openAiStream(stream, history) {
  const deadline = Date.now() + config.statusDeadlineMs;
  const controller = new AbortController();
  stream.abort = controller;
  const body = JSON.stringify({ user_id: stream.user.userId, class_name: null, doc_id: null, user_query: stream.question,
    chat_history: history, source: 'main_app', route: null });
  for (let attempt = 0; ; attempt++) {
    const statusTimer = setTimeout(() => controller.abort(new Error('status deadline')), Math.max(1, deadline - Date.now()));
    try {
      const response = await fetch(`${config.aiServiceUrl}/api/v1/semantic_search_stream`, {
        method: 'POST', body, signal: controller.signal,
        headers: { 'content-type': 'application/json', accept: 'text/event-stream', 'x-api-key': config.aiServiceKey },
      });
      clearTimeout(statusTimer);
      if (response.ok) {
        return response;
      }
      await response.body?.cancel();
      if (![502, 503, 504].includes(response.status) || attempt >= 2 || Date.now() + 1000 > deadline) {
        throw unavailable();
      }
    } catch (error) {
      clearTimeout(statusTimer);
      if (error instanceof HttpError || attempt >= 2 || Date.now() + 1000 > deadline || controller.signal.aborted) {
        throw error instanceof HttpError ? error : unavailable();
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

function unavailable() {
  return new HttpError(503, 'unavailable', 'The AI service is unavailable, try again shortly.', { 'retry-after': '2' });
}

// ---------------------------------------------------------------------------------------------------------------
// The relay: ai-service SSE -> the user's room; save once on done.

async function relay(stream, response) {
  const { user, sessionId, streamId } = stream;
  const room = io.to(user.userId);
  room.emit('chat-stream-start', { sessionId, streamId, messageId: stream.messageId, clientRequestId: stream.clientRequestId });
  let seq = 0;
  let firstTokenAt = 0;
  const parts = [];
  let outcome = null; // {done} or {error}
  const parser = new SseParser(({ data }) => {
    if (outcome) {
      return;
    }
    let event;
    try {
      event = JSON.parse(data);
    } catch {
      outcome = { error: { code: 'upstream_error', message: 'The AI service sent a malformed event.' } };
      return;
    }
    if (event.type === 'token') {
      if (seq === 0) {
        firstTokenAt = Date.now();
      }
      seq += 1;
      parts.push(event.content);
      room.emit('chat-stream-token', { sessionId, streamId, seq, token: event.content });
    } else if (event.type === 'done') {
      outcome = { done: event };
    } else if (event.type === 'error') {
      outcome = { error: { code: event.code ?? 'upstream_error', message: event.message ?? 'The AI service failed.' } };
    }
  });
  const maxTimer = setTimeout(() => stream.abort.abort(new Error('max duration')), config.streamMaxMs);
  let idleTimer = setTimeout(() => stream.abort.abort(new Error('idle')), config.streamIdleMs);
  try {
    for await (const chunk of response.body) {
      clearTimeout(idleTimer);
      idleTimer = setTimeout(() => stream.abort.abort(new Error('idle')), config.streamIdleMs);
      parser.push(chunk);
      if (outcome) {
        break;
      }
    }
    parser.end();
  } catch {
    outcome ??= { error: { code: 'timeout', message: 'The answer took too long.' } };
  } finally {
    clearTimeout(maxTimer);
    clearTimeout(idleTimer);
  }
  outcome ??= { error: { code: 'upstream_error', message: 'The AI service ended the stream early.' } };

  if (outcome.error) {
    room.emit('chat-stream-error', { sessionId, streamId, error: outcome.error, retryable: outcome.error.code !== 'internal' });
    await redis.set(stream.stateKey, JSON.stringify({ streamId, status: 'error' }), 'EX', 60).catch(() => {});
    await redis.del(stream.lockKey).catch(() => {});
    return;
  }
  const done = outcome.done;
  const content = parts.join('');
  const now = new Date();
  try {
    await save(stream, content, done, now);
  } catch (error) {
    room.emit('chat-stream-error', { sessionId, streamId, error: { code: 'unavailable', message: 'The reply could not be saved.' },
      retryable: true });
    await redis.del(stream.lockKey).catch(() => {});
    return;
  }
  let used = null;
  if (stream.plan === 'free') {
    const account = await users.findOneAndUpdate({ _id: user.userId }, { $inc: { chatRequestCount: 1 } },
      { returnDocument: 'after' }).catch(() => null);
    used = account?.chatRequestCount ?? null;
  }
  const durationMs = Date.now() - stream.startedAt;
  room.emit('chat-stream-complete', {
    sessionId, streamId, messageId: stream.messageId, content,
    citations: done.citations ?? [], chunkReferences: done.chunkReferences ?? [], usage: done.usage ?? null,
    stopped: false, contextTrimmed: done.contextTrimmed ?? false,
    quota: stream.plan === 'free' ? { plan: 'free', used, reserved: 0, limit: config.freeChatsPerMonth } : { plan: 'pro', used: null },
    timing: { firstTokenMs: firstTokenAt ? firstTokenAt - stream.startedAt : null, durationMs,
      tokensPerSecond: durationMs > 0 ? (seq * 1000) / durationMs : null },
    persisted: true,
  });
  await redis.del(stream.stateKey, stream.lockKey).catch(() => {});
}

/** The one write of a finished stream: the user message and the assistant message together. */
function save(stream, content, done, at) {
  const userMessage = { id: stream.userMessageId, role: 'user', content: stream.question, citations: [], chunkReferences: [],
    versions: [], stopped: false, contextTrimmed: false, feedback: null, createdAt: at };
  const version = { content, citations: done.citations ?? [], chunkReferences: done.chunkReferences ?? [],
    usage: done.usage ?? null, route: done.route ?? null, provider: done.provider ?? null, stopped: false, createdAt: at };
  const assistant = { id: stream.messageId, role: 'assistant', content, citations: version.citations,
    chunkReferences: version.chunkReferences, versions: [version], stopped: false,
    contextTrimmed: done.contextTrimmed ?? false, feedback: null, createdAt: at };
  return sessions.updateOne({ _id: stream.sessionId },
    { $push: { messages: { $each: [userMessage, assistant] } }, $set: { updatedAt: at },
      $setOnInsert: { userId: stream.user.userId, title: stream.question.slice(0, 80), createdAt: at } },
    { upsert: true, maxTimeMS: 5000 });
}

// ---------------------------------------------------------------------------------------------------------------

const server = http.createServer(async (req, res) => {
  try {
    const path = req.url.split('?')[0];
    if (req.method === 'GET' && path === '/actuator/health') {
      send(res, 200, { status: 'UP' });
    } else if (req.method === 'POST' && path === '/api/v1/auth/dev-login') {
      await devLogin(req, res);
    } else if (req.method === 'POST' && path === '/api/v1/chat/new') {
      await newChat(req, res);
    } else if (req.method === 'GET' && path === '/api/v1/config') {
      send(res, 200, { socketUrl: `http://${req.headers.host}` });
    } else {
      throw new HttpError(404, 'not_found', 'No such endpoint.');
    }
  } catch (error) {
    if (res.headersSent) {
      return;
    }
    if (error instanceof HttpError) {
      sendProblem(res, error);
    } else {
      console.error('node-gateway: request failed', error.message);
      sendProblem(res, new HttpError(503, 'unavailable', 'A dependency is unavailable, try again shortly.', { 'retry-after': '2' }));
    }
  }
});
server.keepAliveTimeout = 65000;

const io = new Server(server, { serveClient: false, maxHttpBufferSize: 16384 });
io.use((socket, next) => {
  const token = socket.handshake.auth?.token;
  try {
    const claims = jwt.verify(token ?? '', config.jwtSecret, { algorithms: ['HS256'] });
    if (typeof claims.sub !== 'string' || !USER_ID.test(claims.sub)) {
      throw new Error('bad subject');
    }
    socket.data.userId = claims.sub;
    next();
  } catch {
    next(new Error('unauthorized'));
  }
});
io.on('connection', (socket) => {
  socket.join(socket.data.userId);
});

server.listen(config.port, '127.0.0.1', () => {
  console.log(`NODE GATEWAY READY http://127.0.0.1:${config.port}`);
});

const shutdown = () => {
  io.close();
  server.close();
  Promise.allSettled([mongo.close(), redis.quit()]).finally(() => process.exit(0));
  setTimeout(() => process.exit(0), 2000).unref();
};
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
