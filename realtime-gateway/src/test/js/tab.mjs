// One browser tab with the official socket.io-client, for multi-node tests.
// Usage: node tab.mjs '{"url","token","resume":{"streamId","afterSeq"}?,"ends":n,"timeoutMs":n}'
// Prints "CONNECTED" once connected, then one JSON line: {events:[{event,payload}], resumeAck}
import { io } from "socket.io-client";

const options = JSON.parse(process.argv[2]);
const events = [];
let resumeAck = null;
const socket = io(options.url, { forceNew: true, reconnection: false, transports: ["websocket"], auth: { token: options.token } });
for (const event of ["chat-stream-start", "chat-stream-token", "chat-stream-complete", "chat-stream-error", "document-ready"]) {
  socket.on(event, (payload) => events.push({ event, payload }));
}
socket.on("connect", async () => {
  process.stdout.write("CONNECTED\n");
  if (options.resume) {
    resumeAck = await socket.timeout(10000).emitWithAck("chat-resume", options.resume).catch((e) => ({ timeout: e.message }));
  }
});
socket.on("connect_error", (err) => {
  process.stdout.write(JSON.stringify({ connectError: err.message, events }) + "\n");
  process.exit(1);
});
const deadline = Date.now() + (options.timeoutMs ?? 30000);
const ended = () => events.filter((e) => e.event === "chat-stream-complete" || e.event === "chat-stream-error").length;
while (ended() < (options.ends ?? 1) && Date.now() < deadline) {
  await new Promise((resolve) => setTimeout(resolve, 20));
}
socket.close();
process.stdout.write(JSON.stringify({ events, resumeAck }) + "\n");
process.exit(0);
