#!/usr/bin/env bash
# The side-by-side benchmark: the Java realtime-gateway against a Node reference gateway of the seed's design,
# both in front of the SAME ai-service (synthetic provider, tokens stamped with their emit time), one Redis and
# one MongoDB-wire server (the repo's infra local stack), all on this machine, in one run.
#
#   ./bench/run.sh            full run (a few minutes): idle sockets 1k/5k/10k, streams 100/500/1,000, saturation
#   ./bench/run.sh --quick    smoke run (a few minutes): small loads, 3-5 rounds of 50 warm-up streams per gateway, 2 s streams
#
# Options (also as environment variables):
#   --quick                          BENCH_QUICK=true
#   --java-home DIR                  BENCH_JAVA_HOME   JDK that runs the Java gateway (default: JAVA_HOME or java on PATH)
#   --gateway-java-opts "FLAGS"      GATEWAY_JAVA_OPTS JVM flags of the Java gateway (default: scripts/jvm-flags.sh picks by JDK)
#   --aot-cache                      BENCH_AOT_CACHE=true  JDK 25+: train an AOT cache for the Java gateway first (JEPs
#                                    483/514/515: its classes loaded and linked, and the method profiles of a stream's
#                                    code), then measure the gateway started from it. Training: the jar extracted as
#                                    the images run it, a gateway with -XX:AOTCacheOutput taking BENCH_AOT_TRAIN_STARTS
#                                    streams (default 3000; rounds of 100, then 300) of the benchmark's own shape
#                                    (bench/load/train.mjs), then stopped so it writes the cache (~3-4 minutes in all)
#   --targets java,node              BENCH_TARGETS     which gateways to measure (e.g. `java` for a JVM A/B)
#   --scenarios idle,streams,saturation  BENCH_SCENARIOS
#   --note TEXT                      BENCH_NOTE        written into results.json
#   BENCH_STREAM_LEVELS=100,500      steady-stream loads instead of the mode's (e.g. for a JVM A/B)
#   BENCH_IDLE_COUNTS=1000,5000      idle-socket counts instead of the mode's
#   BENCH_WARMUP_STARTS=4000         streams each gateway starts in its warm-up (300 a round after the rounds that
#                                    settle the CPU per token; default 4000, 0 with --quick; 0 = no such rounds)
#   BENCH_SKIP_BUILD=true            use the jars as they are, even when older than their sources
#   BENCH_STACK_NICE=-10             the local stack's niceness (Redis and the MongoDB-wire server): they stand for
#                                    servers on other machines too, and a collector pause of the MongoDB-wire server
#                                    that waits for a core stalls every start and save of both gateways (one took
#                                    194 ms on the full machine where the others took 16-41); needs root, like
#                                    BENCH_LOADGEN_NICE
#   BENCH_LOADGEN_NODE_OPTS="FLAGS"  Node flags of the load generator (default: --expose-gc, for a full collection
#                                    between levels rather than in the middle of one)
#   BENCH_LOADGEN_NICE=-10           the load generator's niceness: it stands for browsers on other machines, so it
#                                    reads a token when it arrives rather than when the gateways and the ai-service
#                                    leave it a core (needs root; without it, a warning and the usual priority)
#   --timeline                       BENCH_TIMELINE=true  per level: every token's emit time and added latency, the
#                                    POSTs and every process's CPU each 100 ms (timeline-<gateway>-<streams>.json;
#                                    read with bench/report/timeline.py)
# Output: bench/results/<UTC time>/ results.json, table.md (also printed), latency.png, cpu.png, memory.png, logs/.
# Ports: a fixed block 19410-19499 on 127.0.0.1 (see PORTS below), checked free before anything starts.
# Every process started here runs in its own session and is stopped on exit, Ctrl-C or failure.
set -uo pipefail

BENCH_DIR=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$BENCH_DIR/.." && pwd)

QUICK=${BENCH_QUICK:-false}
TARGETS=${BENCH_TARGETS:-java,node}
SCENARIOS=${BENCH_SCENARIOS:-idle,streams,saturation}
NOTE=${BENCH_NOTE:-}
TIMELINE=${BENCH_TIMELINE:-false}
AOT_CACHE=${BENCH_AOT_CACHE:-false}
AOT_TRAIN_STARTS=${BENCH_AOT_TRAIN_STARTS:-3000}
GW_JAVA_HOME=${BENCH_JAVA_HOME:-${JAVA_HOME:-}}
GW_OPTS=${GATEWAY_JAVA_OPTS:-}
LOADGEN_NODE_OPTS=${BENCH_LOADGEN_NODE_OPTS---expose-gc}
LOADGEN_NICE=${BENCH_LOADGEN_NICE:--10}
STACK_NICE=${BENCH_STACK_NICE:--10}
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) QUICK=true ;;
    --java-home) GW_JAVA_HOME=$2; shift ;;
    --gateway-java-opts) GW_OPTS=$2; shift ;;
    --targets) TARGETS=$2; shift ;;
    --scenarios) SCENARIOS=$2; shift ;;
    --note) NOTE=$2; shift ;;
    --timeline) TIMELINE=true ;;
    --aot-cache) AOT_CACHE=true ;;
    -h|--help) awk 'NR > 1 && !/^#/ { exit } NR > 1' "$0"; exit 0 ;; # the header comment, however long
    *) echo "bench: unknown option $1 (try --help)" >&2; exit 2 ;;
  esac
  shift
done

# --- ports (a block no other part of the project uses) ------------------------------------------------------------
REDIS_PORT=19479
MONGO_PORT=19417
AI_PORT=19490
JAVA_REST_PORT=19480
JAVA_SOCKET_PORT=19481
NODE_PORT=19482

STAMP=$(date -u +%Y%m%dT%H%M%SZ)
OUT="$BENCH_DIR/results/$STAMP"
LOGS="$OUT/logs"
DATA=$(mktemp -d /tmp/streamchat-bench.XXXXXX)
mkdir -p "$LOGS"

say() { printf 'bench: %s\n' "$*" >&2; }

# --- process supervision: every part in its own session; all stopped on exit ----------------------------------
declare -A PIDS=()
ORDER=()
cleanup() {
  local i name pid
  for (( i=${#ORDER[@]}-1; i>=0; i-- )); do
    name=${ORDER[$i]}; pid=${PIDS[$name]}
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null
  done
  for (( i=${#ORDER[@]}-1; i>=0; i-- )); do
    name=${ORDER[$i]}; pid=${PIDS[$name]}
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL -- "-$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null
  done
  ORDER=()
  rm -rf "$DATA"
}
trap cleanup EXIT
trap 'say "interrupted"; exit 130' INT TERM

fail() { say "FAILED: $*"; exit 1; }

start_part() {
  local name=$1; shift
  setsid "$@" >"$LOGS/$name.log" 2>&1 </dev/null &
  PIDS[$name]=$!
  ORDER+=("$name")
  say "started $name (pid ${PIDS[$name]})"
}

forget_part() { # a part that already exited
  local name=$1 kept=() part
  for part in "${ORDER[@]}"; do [ "$part" = "$name" ] || kept+=("$part"); done
  ORDER=("${kept[@]}"); unset "PIDS[$name]"
}

wait_for() {
  local name=$1 check=$2 deadline=$((SECONDS + 240))
  until eval "$check" >/dev/null 2>&1; do
    kill -0 "${PIDS[$name]}" 2>/dev/null || { tail -n 30 "$LOGS/$name.log" >&2; fail "$name exited"; }
    (( SECONDS < deadline )) || { tail -n 30 "$LOGS/$name.log" >&2; fail "$name not ready within 240 s"; }
    sleep 0.5
  done
  say "$name is ready"
}

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
healthy() { curl -fsS --max-time 2 "$1/actuator/health" | grep -q '"status":"UP"'; }

# --- prerequisites ---------------------------------------------------------------------------------------------
command -v node >/dev/null || fail "Node 20+ is required (node not found)"
command -v curl >/dev/null || fail "curl is required"
for port in $REDIS_PORT $MONGO_PORT $AI_PORT $JAVA_REST_PORT $JAVA_SOCKET_PORT $NODE_PORT; do
  port_free "$port" || fail "port $port is in use (the benchmark uses 19410-19499 on 127.0.0.1); is another benchmark running?"
done
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
(( $(ulimit -n) >= 12000 )) || say "warning: only $(ulimit -n) file descriptors; 10,000 idle sockets may fail (raise ulimit -n)"

if [ ! -d "$BENCH_DIR/node_modules" ]; then
  say "installing the benchmark's npm packages (npm ci) ..."
  (cd "$BENCH_DIR" && npm ci --no-audit --no-fund >"$LOGS/npm.log" 2>&1) || { tail -n 20 "$LOGS/npm.log" >&2; fail "npm ci failed"; }
fi

# The charts need matplotlib: the python3 on PATH may be another one (pyenv) than Debian's, which apt feeds.
find_python() {
  local py
  for py in python3 /usr/bin/python3; do
    command -v "$py" >/dev/null && "$py" -c 'import matplotlib' 2>/dev/null && { echo "$py"; return 0; }
  done
  return 1
}
PYTHON=$(find_python)
if [ -z "$PYTHON" ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  say "installing Debian's python3-matplotlib for the charts ..."
  (apt-get install -y -qq python3-matplotlib || (apt-get update -qq && apt-get install -y -qq python3-matplotlib)) \
    >"$LOGS/apt.log" 2>&1 || true
  PYTHON=$(find_python)
fi
[ -n "$PYTHON" ] || say "no matplotlib: the charts are skipped (install it: apt-get install python3-matplotlib, or pip install matplotlib)"

# --- build the jars when missing or older than their sources ----------------------------------------------------
jar_of() { ls "$ROOT/$1"/target/*-exec.jar 2>/dev/null | head -n 1; }
stale=false
for module in infra ai-service realtime-gateway; do
  jar=$(jar_of "$module")
  if [ -z "$jar" ] || [ -n "$(find "$ROOT/$module/src/main" "$ROOT/$module/pom.xml" -newer "$jar" -type f 2>/dev/null | head -n 1)" ]; then
    stale=true
  fi
done
if $stale && [ "${BENCH_SKIP_BUILD:-false}" = true ]; then
  say "warning: the jars are older than their sources (BENCH_SKIP_BUILD=true: using them anyway)"
elif $stale; then
  say "building the jars (mvn -q -DskipTests package) ..."
  (cd "$ROOT" && mvn -q -B -DskipTests package >"$LOGS/build.log" 2>&1) || { tail -n 40 "$LOGS/build.log" >&2; fail "build failed"; }
fi

# --- the JVMs ------------------------------------------------------------------------------------------------------
# shellcheck source=../scripts/jvm-flags.sh
. "$ROOT/scripts/jvm-flags.sh"
SERVICE_JAVA=${JAVA_HOME:+$JAVA_HOME/bin/}java
GW_JAVA=${GW_JAVA_HOME:+$GW_JAVA_HOME/bin/}java
GW_JCMD=${GW_JAVA_HOME:+$GW_JAVA_HOME/bin/}jcmd
command -v "$GW_JCMD" >/dev/null || GW_JCMD="$(dirname "$(readlink -f "$(command -v "$GW_JAVA")")")/jcmd"
[ -n "$GW_OPTS" ] || GW_OPTS=$(service_java_opts "$GW_JAVA")
AI_OPTS=$(service_java_opts "$SERVICE_JAVA")
GW_VERSION=$("$GW_JAVA" -version 2>&1 | head -n 1)
GW_JAR=$(jar_of realtime-gateway)
GW_OPTS_MEASURED=$GW_OPTS
if [ "$AOT_CACHE" = true ]; then
  (( $(java_major_version "$GW_JAVA") >= 25 )) || fail "--aot-cache needs JDK 25+ for the Java gateway (--java-home); it runs $GW_VERSION"
  # The cache holds classes of the class path only, so the gateway runs from its extracted jar (as the images do).
  "$GW_JAVA" -Djarmode=tools -jar "$GW_JAR" extract --destination "$DATA/gateway-app" >"$LOGS/extract.log" 2>&1 \
    || { cat "$LOGS/extract.log" >&2; fail "could not extract the gateway jar"; }
  GW_JAR="$DATA/gateway-app/$(basename "$GW_JAR")"
  GW_AOT="$DATA/gateway.aot"
  GW_OPTS_MEASURED="$GW_OPTS -XX:AOTCache=$GW_AOT"
fi
say "Java gateway: $GW_VERSION; flags: $GW_OPTS_MEASURED"

# --- secrets and shared settings -----------------------------------------------------------------------------------
export APP_MODE=local
export JWT_SECRET AI_SERVICE_API_KEY
JWT_SECRET=$(openssl rand -hex 32)
AI_SERVICE_API_KEY=$(openssl rand -hex 32)
export REDIS_URL="redis://127.0.0.1:$REDIS_PORT"
export AI_SERVICE_URL="http://127.0.0.1:$AI_PORT"
if [ "$QUICK" = true ]; then
  export SYNTHETIC_TOKENS=${SYNTHETIC_TOKENS:-40}
else
  export SYNTHETIC_TOKENS=${SYNTHETIC_TOKENS:-200}
fi
export SYNTHETIC_TOKENS_PER_SECOND=${SYNTHETIC_TOKENS_PER_SECOND:-20}

# --- start: the local stack, the ai-service, both gateways ---------------------------------------------------------
# The local stack stands in for a Redis and a MongoDB server that have no collector of their own: its heap is sized so
# that the MongoDB-wire server's per-request garbage dies young (with the default heap, ~360 MB on this machine, a
# run had 148 young pauses of up to 93 ms and two full ones of 127 and 190 ms, each stalling whichever gateway ran).
# shellcheck disable=SC2086
start_part local-stack nice -n "$STACK_NICE" env -u REDIS_URL -u MONGODB_URI LOCAL_REDIS_PORT=$REDIS_PORT \
  LOCAL_MONGO_PORT=$MONGO_PORT DATA_DIR="$DATA" \
  "$SERVICE_JAVA" -XX:+UseSerialGC -Xms1g -Xmx1g -Xmn700m -XX:+AlwaysPreTouch -Xss512k \
  "-Xlog:gc:file=$LOGS/local-stack-gc.log:utctime,uptime" -jar "$(jar_of infra)"
wait_for local-stack "grep -q 'LOCAL STACK READY' '$LOGS/local-stack.log'"

# shellcheck disable=SC2086
start_part ai-service env AI_SERVICE_PORT=$AI_PORT MONGODB_URI="mongodb://127.0.0.1:$MONGO_PORT/chat" DATA_DIR="$DATA" \
  AI_PROVIDER=synthetic SYNTHETIC_STAMP_TOKENS=true RAG_SAMPLE_LIBRARY=false STREAM_KEEPALIVE_MS=10000 \
  "$SERVICE_JAVA" $AI_OPTS "-Xlog:safepoint:file=$LOGS/ai-service-safepoints.log:utctime,uptime" -jar "$(jar_of ai-service)"
java_gateway() { # name, then JVM flags
  local name=$1; shift
  # shellcheck disable=SC2086
  start_part "$name" env GATEWAY_PORT=$JAVA_REST_PORT SOCKET_PORT=$JAVA_SOCKET_PORT SOCKET_HOST=127.0.0.1 \
    MONGODB_URI="mongodb://127.0.0.1:$MONGO_PORT/chat" DATA_DIR="$DATA" AI_SERVICE_MAX_STREAMS=20000 \
    RATE_LIMIT_CHAT_PER_MIN=30 "$GW_JAVA" "$@" -jar "$GW_JAR"
}
if [ "$AOT_CACHE" = true ]; then
  # shellcheck disable=SC2086
  java_gateway java-gateway-training -XX:AOTCacheOutput="$GW_AOT" $GW_OPTS
  wait_for ai-service "healthy http://127.0.0.1:$AI_PORT"
  wait_for java-gateway-training "healthy http://127.0.0.1:$JAVA_REST_PORT"
  say "training the Java gateway's AOT cache: $AOT_TRAIN_STARTS streams ..."
  TRAIN_REST="http://127.0.0.1:$JAVA_REST_PORT" TRAIN_SOCKET="http://127.0.0.1:$JAVA_SOCKET_PORT" \
    TRAIN_STARTS=$AOT_TRAIN_STARTS nice -n "$LOADGEN_NICE" node "$BENCH_DIR/load/train.mjs" >"$LOGS/aot-training.log" 2>&1 \
    || { tail -n 20 "$LOGS/aot-training.log" >&2; fail "the AOT training failed"; }
  pid=${PIDS[java-gateway-training]}
  kill -TERM "$pid"
  for _ in $(seq 1 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done # the cache is written on exit
  kill -0 "$pid" 2>/dev/null && fail "the training gateway did not exit within 150 s"
  grep -q "AOTCache creation is complete" "$LOGS/java-gateway-training.log" || { tail -n 20 "$LOGS/java-gateway-training.log" >&2; fail "no AOT cache written"; }
  say "AOT cache: $(du -m "$GW_AOT" | cut -f1) MB"
  forget_part java-gateway-training
fi
# shellcheck disable=SC2086
java_gateway java-gateway $GW_OPTS_MEASURED "-Xlog:safepoint:file=$LOGS/java-gateway-safepoints.log:utctime,uptime"
start_part node-gateway env NODE_GATEWAY_PORT=$NODE_PORT MONGODB_URI="mongodb://127.0.0.1:$MONGO_PORT/chat_node" \
  node "$BENCH_DIR/node-gateway/server.mjs"
wait_for ai-service "healthy http://127.0.0.1:$AI_PORT"
wait_for java-gateway "healthy http://127.0.0.1:$JAVA_REST_PORT"
wait_for node-gateway "healthy http://127.0.0.1:$NODE_PORT"

# --- run ---------------------------------------------------------------------------------------------------------
say "running the scenarios ($([ "$QUICK" = true ] && echo quick || echo full)); results in $OUT"
JAVA_REST="http://127.0.0.1:$JAVA_REST_PORT" JAVA_SOCKET="http://127.0.0.1:$JAVA_SOCKET_PORT" \
JAVA_PID=${PIDS[java-gateway]} JAVA_JCMD="$GW_JCMD" JAVA_VERSION_LINE="$GW_VERSION" GATEWAY_JAVA_OPTS="$GW_OPTS_MEASURED" \
JAVA_SAFEPOINT_LOG="$LOGS/java-gateway-safepoints.log" \
NODE_REST="http://127.0.0.1:$NODE_PORT" NODE_SOCKET="http://127.0.0.1:$NODE_PORT" NODE_PID=${PIDS[node-gateway]} \
BENCH_QUICK=$QUICK BENCH_OUT="$OUT" BENCH_TARGETS=$TARGETS BENCH_SCENARIOS=$SCENARIOS BENCH_NOTE="$NOTE" \
BENCH_TIMELINE=$TIMELINE AI_PID=${PIDS[ai-service]} STACK_PID=${PIDS[local-stack]} \
  nice -n "$LOADGEN_NICE" node $LOADGEN_NODE_OPTS "$BENCH_DIR/load/bench.mjs" 2>&1 | tee "$LOGS/bench.log"
status=${PIPESTATUS[0]}
(( status == 0 )) || fail "the load generator failed (see $LOGS/bench.log)"
for name in ai-service java-gateway node-gateway; do
  kill -0 "${PIDS[$name]}" 2>/dev/null || say "warning: $name died during the run (see $LOGS/$name.log)"
done

if [ -n "$PYTHON" ]; then
  "$PYTHON" "$BENCH_DIR/report/charts.py" "$OUT" || say "charts failed"
fi
say "done: $OUT/table.md, $OUT/results.json"
