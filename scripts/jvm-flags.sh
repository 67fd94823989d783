# JVM flags of the two services (ai-service, realtime-gateway), chosen by the JDK that runs them.
# Sourced by ./run.sh and bench/run.sh; `service_java_opts JAVA_BIN` prints the flags.
# The choice and its measurements are in README.md ("Performance" -> "JVM settings").
#
#   Java 25+     the parallel collector + compact object headers (JEP 519, product flag in 25): measured against
#                generational ZGC on 25 and Parallel on 17 (250 streams x 200 tokens, bench/gateway-ab.sh): CPU per
#                token without the JIT 75 vs 87 (ZGC) and 82 (17) us, p99 7.3 vs 21.2 and 12.4 ms
#   Java 21-24   generational ZGC (-XX:+ZGenerational is needed on 21-22, the default from 23; not measured here)
#   Java 17-20   the parallel collector (measured against G1 with a 10 ms goal on 2 cores: lower CPU per token,
#                p99 and stop-the-world total in two A/B runs each; G1's barriers and concurrent threads cost more here)
# All: a fixed heap (no resizing pauses, the pages touched at start), -XX:+PerfDisableSharedMem (hsperfdata
# writes can stall safepoints when the disk is busy), and the processor count the JVM's ergonomics see
# (-XX:ActiveProcessorCount, from SERVICE_CPUS when set, e.g. in a container with a CPU quota), and Netty's buffer
# leak detector off (-Dio.netty.leakDetection.level=disabled: by default it records a stack trace for one buffer in
# 128, ~2 % of the gateway's CPU when streams start in a profile; the test suites keep it on).

java_major_version() {
  "$1" -version 2>&1 | awk -F'"' '/version/ { split($2, v, "."); print (v[1] == "1" ? v[2] : v[1]); exit }'
}

service_java_opts() {
  local java=${1:-java} heap=${SERVICE_HEAP:-1g} major
  major=$(java_major_version "$java")
  local common="-Xms$heap -Xmx$heap -XX:+AlwaysPreTouch -XX:+PerfDisableSharedMem -Dio.netty.leakDetection.level=disabled"
  [ -n "${SERVICE_CPUS:-}" ] && common="$common -XX:ActiveProcessorCount=$SERVICE_CPUS"
  if [ -z "$major" ] || (( major < 21 )); then
    echo "-XX:+UseParallelGC $common"
  elif (( major < 23 )); then
    echo "-XX:+UseZGC -XX:+ZGenerational $common"
  elif (( major < 25 )); then
    echo "-XX:+UseZGC $common"
  else
    echo "-XX:+UseParallelGC -XX:+UseCompactObjectHeaders $common"
  fi
}
