#!/usr/bin/env bash
# A/B of two builds of the Java gateway under the same load on the same machine at the same time: both jars run
# side by side against one ai-service (synthetic, stamped tokens), one Redis and one MongoDB-wire server, and take
# rounds of streams in turn (A B, B A, ...), so load from other processes hits both alike. Per round it reads each
# gateway's per-thread CPU (/proc/<pid>/task/*/stat) and splits the JIT compiler's threads from the rest.
#
#   ./bench/gateway-ab.sh A.jar B.jar [C.jar] (jars built with `mvn -pl realtime-gateway -am package -DskipTests`)
#   AB_ROUNDS=8 AB_WARMUP=6 AB_STREAMS=50 ./bench/gateway-ab.sh A.jar B.jar
#   AB_OPTS_B="<JVM flags>" ./bench/gateway-ab.sh X.jar X.jar   one jar, two JVM settings (AB_OPTS_A/_B/_C replace
#                                                                the flags of that gateway only; AB_OPTS_AI those
#                                                                of the ai-service, e.g. to profile it)
#   AB_JAVA_B=/usr/lib/jvm/temurin-25-jdk-amd64 ./bench/gateway-ab.sh X.jar X.jar   another JDK for one gateway
#                                                                (AB_JAVA_A/_B/_C; its flags from scripts/jvm-flags.sh
#                                                                for that JDK unless AB_OPTS_<side> is set)
# Output: bench/results/ab-<UTC time>/ab.json and the summary table (printed). Ports 19410-19499 like run.sh.
set -uo pipefail
BENCH_DIR=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$BENCH_DIR/.." && pwd)
JAR_A=$(readlink -f "${1:?usage: gateway-ab.sh A.jar B.jar}")
JAR_B=$(readlink -f "${2:?usage: gateway-ab.sh A.jar B.jar}")
JAR_C=${3:+$(readlink -f "$3")}
REDIS_PORT=19479; MONGO_PORT=19417; AI_PORT=19490
A_REST=19480; A_SOCKET=19481; B_REST=19483; B_SOCKET=19484; C_REST=19485; C_SOCKET=19486
OUT="$BENCH_DIR/results/ab-$(date -u +%Y%m%dT%H%M%SZ)"; LOGS="$OUT/logs"; mkdir -p "$LOGS"
DATA=$(mktemp -d /tmp/streamchat-ab.XXXXXX)
say() { printf 'gateway-ab: %s\n' "$*" >&2; }
declare -A PIDS=(); ORDER=()
cleanup() {
  local i pid
  for (( i=${#ORDER[@]}-1; i>=0; i-- )); do pid=${PIDS[${ORDER[$i]}]}; kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null; done
  for (( i=${#ORDER[@]}-1; i>=0; i-- )); do
    pid=${PIDS[${ORDER[$i]}]}
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL -- "-$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null
  done
  rm -rf "$DATA"
}
trap cleanup EXIT
trap 'say interrupted; exit 130' INT TERM
fail() { say "FAILED: $*"; exit 1; }
start_part() { local name=$1; shift; setsid "$@" >"$LOGS/$name.log" 2>&1 </dev/null & PIDS[$name]=$!; ORDER+=("$name"); }
wait_for() {
  local name=$1 check=$2 deadline=$((SECONDS + 240))
  until eval "$check" >/dev/null 2>&1; do
    kill -0 "${PIDS[$name]}" 2>/dev/null || { tail -n 30 "$LOGS/$name.log" >&2; fail "$name exited"; }
    (( SECONDS < deadline )) || fail "$name not ready within 240 s"; sleep 0.5
  done
}
healthy() { curl -fsS --max-time 2 "$1/actuator/health" | grep -q '"status":"UP"'; }
for port in $REDIS_PORT $MONGO_PORT $AI_PORT $A_REST $A_SOCKET $B_REST $B_SOCKET $C_REST $C_SOCKET; do
  ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || fail "port $port is in use"
done
ulimit -n 65536 2>/dev/null || true
[ -d "$BENCH_DIR/node_modules" ] || (cd "$BENCH_DIR" && npm ci --no-audit --no-fund >"$LOGS/npm.log" 2>&1) || fail "npm ci failed"
jar_of() { ls "$ROOT/$1"/target/*-exec.jar 2>/dev/null | head -n 1; }
[ -n "$(jar_of infra)" ] && [ -n "$(jar_of ai-service)" ] || fail "build infra and ai-service first (mvn -q -DskipTests package)"
. "$ROOT/scripts/jvm-flags.sh"
JAVA=${JAVA_HOME:+$JAVA_HOME/bin/}java
OPTS=${GATEWAY_JAVA_OPTS:-$(service_java_opts "$JAVA")}
export APP_MODE=local JWT_SECRET AI_SERVICE_API_KEY
JWT_SECRET=$(openssl rand -hex 32); AI_SERVICE_API_KEY=$(openssl rand -hex 32)
export REDIS_URL="redis://127.0.0.1:$REDIS_PORT" AI_SERVICE_URL="http://127.0.0.1:$AI_PORT"
export SYNTHETIC_TOKENS=${SYNTHETIC_TOKENS:-40} SYNTHETIC_TOKENS_PER_SECOND=${SYNTHETIC_TOKENS_PER_SECOND:-20}
start_part local-stack env -u REDIS_URL -u MONGODB_URI LOCAL_REDIS_PORT=$REDIS_PORT LOCAL_MONGO_PORT=$MONGO_PORT \
  DATA_DIR="$DATA" "$JAVA" -XX:+UseSerialGC -Xms1g -Xmx1g -Xmn700m -XX:+AlwaysPreTouch -Xss512k -jar "$(jar_of infra)"
wait_for local-stack "grep -q 'LOCAL STACK READY' '$LOGS/local-stack.log'"
start_part ai-service env AI_SERVICE_PORT=$AI_PORT MONGODB_URI="mongodb://127.0.0.1:$MONGO_PORT/chat" DATA_DIR="$DATA" \
  AI_PROVIDER=synthetic SYNTHETIC_STAMP_TOKENS=true RAG_SAMPLE_LIBRARY=false STREAM_KEEPALIVE_MS=10000 \
  "$JAVA" ${AB_OPTS_AI:-$(service_java_opts "$JAVA")} -jar "$(jar_of ai-service)"
java_of() { if [ -n "$1" ]; then echo "$1/bin/java"; else echo "$JAVA"; fi; }
opts_of() { # the side's AB_OPTS, else the flags jvm-flags.sh picks for the side's JDK
  local opts=$1 home=$2
  if [ -n "$opts" ]; then echo "$opts"; elif [ -n "$home" ]; then service_java_opts "$home/bin/java"; else echo "$OPTS"; fi
}
gateway() { # name rest socket jar flags java
  start_part "$1" env GATEWAY_PORT=$2 SOCKET_PORT=$3 SOCKET_HOST=127.0.0.1 MONGODB_URI="mongodb://127.0.0.1:$MONGO_PORT/chat" \
    DATA_DIR="$DATA" AI_SERVICE_MAX_STREAMS=20000 RATE_LIMIT_CHAT_PER_MIN=30 MANAGEMENT_PORT=0 "$6" $5 -jar "$4"
}
OPTS_A=$(opts_of "${AB_OPTS_A:-}" "${AB_JAVA_A:-}"); OPTS_B=$(opts_of "${AB_OPTS_B:-}" "${AB_JAVA_B:-}")
OPTS_C=$(opts_of "${AB_OPTS_C:-}" "${AB_JAVA_C:-}")
gateway gateway-a $A_REST $A_SOCKET "$JAR_A" "$OPTS_A" "$(java_of "${AB_JAVA_A:-}")"
gateway gateway-b $B_REST $B_SOCKET "$JAR_B" "$OPTS_B" "$(java_of "${AB_JAVA_B:-}")"
[ -n "$JAR_C" ] && gateway gateway-c $C_REST $C_SOCKET "$JAR_C" "$OPTS_C" "$(java_of "${AB_JAVA_C:-}")"
wait_for ai-service "healthy http://127.0.0.1:$AI_PORT"
wait_for gateway-a "healthy http://127.0.0.1:$A_REST"
wait_for gateway-b "healthy http://127.0.0.1:$B_REST"
[ -n "$JAR_C" ] && wait_for gateway-c "healthy http://127.0.0.1:$C_REST"
say "A=$JAR_A B=$JAR_B${JAR_C:+ C=$JAR_C} flags: A ${AB_JAVA_A:-} $OPTS_A; B ${AB_JAVA_B:-} $OPTS_B${JAR_C:+; C ${AB_JAVA_C:-} $OPTS_C}; results in $OUT"
AB_OUT="$OUT" AB_A="http://127.0.0.1:$A_REST|http://127.0.0.1:$A_SOCKET|${PIDS[gateway-a]}" \
AB_B="http://127.0.0.1:$B_REST|http://127.0.0.1:$B_SOCKET|${PIDS[gateway-b]}" \
AB_C="${JAR_C:+http://127.0.0.1:$C_REST|http://127.0.0.1:$C_SOCKET|${PIDS[gateway-c]:-}}" AB_AI="http://127.0.0.1:$AI_PORT" \
  node "$BENCH_DIR/load/gateway-ab.mjs" 2>&1 | tee "$LOGS/ab.log"
