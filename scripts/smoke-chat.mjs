// End-to-end check of a running stack with the official socket.io-client 4:
// dev-login -> connect -> POST /api/v1/chat/new -> streamed tokens -> complete -> the session shows the reply.
// Usage: node scripts/smoke-chat.mjs [http://localhost:8080]   (needs AUTH_DEV_LOGIN=true, i.e. APP_MODE=local)
import { io } from "socket.io-client";

const base = process.argv[2] ?? "http://localhost:8080";
const deadline = setTimeout(() => fail("no chat-stream-complete within 120 s"), 120_000);

function fail(message) {
  console.error(`smoke-chat: FAILED: ${message}`);
  process.exit(1);
}

async function json(path, options = {}) {
  const response = await fetch(base + path, {
    ...options,
    headers: { "Content-Type": "application/json", ...(options.headers ?? {}) },
  });
  const body = response.status === 204 ? null : await response.json();
  if (!response.ok) fail(`${options.method ?? "GET"} ${path} -> ${response.status} ${JSON.stringify(body)}`);
  return body;
}

const userId = `smoke-${Date.now()}`;
const { token } = await json("/api/v1/auth/dev-login", { method: "POST", body: JSON.stringify({ userId, plan: "free" }) });
const auth = { Authorization: `Bearer ${token}` };
const { socketUrl } = await json("/api/v1/config");

const socket = io(socketUrl, { auth: { token }, transports: ["websocket"], reconnection: false });
await new Promise((resolve, reject) => {
  socket.once("connect", resolve);
  socket.once("connect_error", (err) => reject(new Error(`connect_error ${err.message}`)));
}).catch((err) => fail(err.message));

const clientRequestId = `smoke-${Math.random().toString(36).slice(2)}`;
const tokens = [];
let streamId = null;
const finished = new Promise((resolve) => {
  socket.on("chat-stream-start", (event) => {
    if (event.clientRequestId === clientRequestId) streamId = event.streamId;
  });
  socket.on("chat-stream-token", (event) => {
    if (event.streamId === streamId && event.seq === tokens.length + 1) tokens.push(event.token);
  });
  socket.on("chat-stream-complete", (event) => event.streamId === streamId && resolve(event));
  socket.on("chat-stream-error", (event) => event.streamId === streamId && fail(`chat-stream-error ${JSON.stringify(event.error)}`));
});

const accepted = await json("/api/v1/chat/new", {
  method: "POST",
  headers: auth,
  body: JSON.stringify({ message: "What is the natural pacemaker of the heart?", clientRequestId }),
});
streamId = streamId ?? accepted.streamId;
const complete = await finished;
clearTimeout(deadline);

const streamed = tokens.join("");
if (tokens.length < 2) fail(`expected several tokens, got ${tokens.length}`);
if (streamed !== complete.content) fail("the streamed tokens differ from the completed content");
if (complete.citations.length < 1) fail("the answer cites no source of the sample library");

const session = await json(`/api/v1/chat/sessions/${accepted.sessionId}`, { headers: auth });
const saved = session.messages.find((message) => message.role === "assistant");
if (!saved || saved.content !== complete.content) fail("the session does not show the saved reply");

console.log(`smoke-chat: ok tokens=${tokens.length} chars=${streamed.length} citations=${complete.citations.length} ` +
  `firstTokenMs=${complete.timing?.firstTokenMs} sessionId=${accepted.sessionId}`);
socket.close();
process.exit(0);
