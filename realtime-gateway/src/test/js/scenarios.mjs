// Runs Socket.IO client scenarios with the official socket.io-client and prints one JSON array of results.
// Usage: node scenarios.mjs '<json array of scenarios>'
// A scenario: {name, url, transports?, auth?, cookie?, origin?, emits?: [{event, payload}], listen?: [event],
//              waitEvents?: n, observeMs?: n}
// Each result: {name, connected, connectError, active, reconnectAttempts, transport, upgraded, acks, events,
//               disconnectReason}
import { io } from "socket.io-client";

const scenarios = JSON.parse(process.argv[2]);

function delay(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function until(predicate, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (!predicate() && Date.now() < deadline) {
    await delay(10);
  }
  return predicate();
}

async function run(scenario) {
  const extraHeaders = {};
  if (scenario.cookie) extraHeaders.cookie = `token=${scenario.cookie}`;
  if (scenario.origin) extraHeaders.origin = scenario.origin;
  const options = {
    forceNew: true,
    // Reconnection stays on, with short delays, so that a client that would retry by itself shows it here.
    reconnection: true,
    reconnectionDelay: 100,
    reconnectionDelayMax: 200,
    timeout: 5000,
    extraHeaders,
  };
  if (scenario.transports) options.transports = scenario.transports;
  if (scenario.auth) options.auth = scenario.auth;

  const result = {
    name: scenario.name, connected: false, connectError: null, active: null, reconnectAttempts: 0,
    transport: null, upgraded: false, acks: [], events: [], disconnectReason: null,
  };
  const socket = io(scenario.url, options);
  socket.io.on("reconnect_attempt", () => { result.reconnectAttempts += 1; });
  // The upgrade may complete before "connect": listen from the start.
  socket.io.on("open", () => socket.io.engine.on("upgrade", () => { result.upgraded = true; }));
  socket.on("connect", () => { result.connected = true; });
  socket.on("connect_error", (err) => {
    if (result.connectError === null) {
      result.connectError = err.message;
      result.active = socket.active;
    }
  });
  socket.on("disconnect", (reason) => { result.disconnectReason = reason; });
  for (const event of scenario.listen ?? []) {
    socket.on(event, (payload) => result.events.push({ event, payload }));
  }

  await until(() => result.connected || result.connectError !== null, 8000);
  if (result.connected) {
    const mayUpgrade = !scenario.transports
      || (scenario.transports.includes("polling") && scenario.transports.includes("websocket"));
    if (mayUpgrade) {
      await until(() => socket.io.engine.transport.name === "websocket", 5000);
    }
    result.transport = socket.io.engine.transport.name;
    for (const { event, payload } of scenario.emits ?? []) {
      try {
        result.acks.push(await socket.timeout(5000).emitWithAck(event, payload));
      } catch (e) {
        result.acks.push({ timeout: e.message });
      }
    }
    await until(() => result.events.length >= (scenario.waitEvents ?? 0), 5000);
  } else {
    // Watch long enough for a retry to show (reconnection delays are 100-200 ms).
    await delay(scenario.observeMs ?? 800);
  }
  socket.close();
  return result;
}

const results = await Promise.all(scenarios.map(run));
process.stdout.write(JSON.stringify(results) + "\n");
process.exit(0);
