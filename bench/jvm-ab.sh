#!/usr/bin/env bash
# A/B of the Java gateway's JVM settings with the benchmark: one bench/run.sh per candidate (Java gateway only:
# idle sockets and steady streams), then one table of the candidates side by side.
#
#   ./bench/jvm-ab.sh                         candidates below; loads from BENCH_STREAM_LEVELS / BENCH_IDLE_COUNTS
#   JDK25=/path/to/jdk-25 ./bench/jvm-ab.sh   where Temurin 25 lives (default /usr/lib/jvm/temurin-25-jdk-amd64)
set -uo pipefail
BENCH_DIR=$(cd "$(dirname "$0")" && pwd)
JDK17=${JDK17:-${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")}}
JDK25=${JDK25:-/usr/lib/jvm/temurin-25-jdk-amd64}
export BENCH_STREAM_LEVELS=${BENCH_STREAM_LEVELS:-100,500}
export BENCH_IDLE_COUNTS=${BENCH_IDLE_COUNTS:-1000,5000}
HEAP="-Xms1g -Xmx1g -XX:+AlwaysPreTouch -XX:+PerfDisableSharedMem -Dio.netty.leakDetection.level=disabled"

# name | JDK | flags
CANDIDATES=(
  "17-g1-default|$JDK17|-XX:+UseG1GC -Xmx1g"
  "17-g1-10ms|$JDK17|-XX:+UseG1GC -XX:MaxGCPauseMillis=10 $HEAP"
  "17-parallel|$JDK17|-XX:+UseParallelGC $HEAP"
  "17-serial|$JDK17|-XX:+UseSerialGC $HEAP"
  "25-zgc-compact|$JDK25|-XX:+UseZGC -XX:+UseCompactObjectHeaders $HEAP"
  "25-g1-10ms-compact|$JDK25|-XX:+UseG1GC -XX:MaxGCPauseMillis=10 -XX:+UseCompactObjectHeaders $HEAP"
)
[ -n "${AB_ONLY:-}" ] && mapfile -t CANDIDATES < <(printf '%s\n' "${CANDIDATES[@]}" | grep -E "^(${AB_ONLY//,/|})\|")

RESULTS=()
for candidate in "${CANDIDATES[@]}"; do
  IFS='|' read -r name jdk flags <<<"$candidate"
  [ -x "$jdk/bin/java" ] || { echo "jvm-ab: skipping $name: no JDK at $jdk" >&2; continue; }
  echo "jvm-ab: === $name ($jdk) $flags" >&2
  "$BENCH_DIR/run.sh" --targets java --scenarios idle,streams --java-home "$jdk" --gateway-java-opts "$flags" \
    --note "jvm-ab $name" >&2 || { echo "jvm-ab: $name failed" >&2; continue; }
  RESULTS+=("$name=$(ls -d "$BENCH_DIR"/results/*/ | tail -n 1)results.json")
done
node "$BENCH_DIR/load/compare.mjs" "${RESULTS[@]}"
