// The training workload for the Java gateway's AOT cache (bench/run.sh --aot-cache, JDK 25+): the traffic the
// benchmark itself sends, on a gateway started with -XX:AOTCacheOutput, so that the cache holds the classes it loads
// and the method profiles of the code a stream runs (sign-in, socket connect, /chat/new, the relay, the save) —
// not only the start-up's. Rounds of 100 streams, then rounds of 300 until TRAIN_STARTS streams have started.
//   TRAIN_REST=http://... TRAIN_SOCKET=http://... TRAIN_STARTS=3000 node train.mjs
import { runStreams, signIn } from './loadgen.mjs';

const env = (name, fallback) => process.env[name] ?? fallback;
const rest = env('TRAIN_REST');
const socketUrl = env('TRAIN_SOCKET');
const starts = Number(env('TRAIN_STARTS', '3000'));
const tokensPerStream = Number(env('SYNTHETIC_TOKENS', '200'));
const tokensPerSecond = Number(env('SYNTHETIC_TOKENS_PER_SECOND', '20'));
const spreadMs = 2000;
const tag = `train-${Date.now().toString(36)}`;
const log = (...args) => console.log(`[train ${new Date().toISOString().slice(11, 19)}]`, ...args);

let started = 0;
for (let round = 0; started < starts; round++) {
  const streams = Math.min(round < 2 ? 100 : 300, starts - started);
  const tokens = await signIn(rest, streams, `${tag}-${round}`, 25);
  const run = await runStreams({ rest, socketUrl, tokens, spreadMs, expectedTokens: tokensPerStream,
    deadlineMs: (tokensPerStream / tokensPerSecond) * 1000 + spreadMs + 30_000 });
  started += streams;
  log(`round ${round}: ${run.counts.completed} of ${streams} streams completed, ${run.counts.refused503} x 503 (${started} of ${starts} started)`);
}
