#!/usr/bin/env bash
# The full-size several-nodes soak (issue 10): 2 gateway nodes in one JVM sharing an embedded Redis and a
# MongoDB-wire server, 500 sockets, 100 concurrent streams, random drops resumed on the other node, a MongoDB outage in
# the middle; then every reply saved once with its whole text, no seq gap on any socket and no repeat but the
# contract's identical live/replayed copy, no quota drift (each user charged once per completed stream in MongoDB and
# Redis, no reservation left), no Redis key without a TTL, heap after GC within 10 % of its start (both readings taken
# once the test's own client threads have ended, so it is the gateway nodes' heap that is compared). It is dev.streamchat.gateway.cluster.ClusterSoakIT at full
# size; mvn verify runs the same test small (60 sockets, 20 streams).
#
#   ./bench/soak.sh                                   500 sockets, 100 streams, 200 tokens each
#   SOAK_SOCKETS=1000 SOAK_STREAMS=200 ./bench/soak.sh
#   SOAK_HEAP_REPORT=true ./bench/soak.sh             also print what the heap grew by (classes, threads)
#
# Prints the line "SOAK nodes=2 sockets=... took=...ms" and Maven's verdict. Not part of mvn verify.
set -uo pipefail
cd "$(dirname "$0")/.."
SOCKETS=${SOAK_SOCKETS:-500}
STREAMS=${SOAK_STREAMS:-100}
TOKENS=${SOAK_TOKENS:-200}
GAP_MS=${SOAK_TOKEN_GAP_MS:-30}
HEAP_REPORT=${SOAK_HEAP_REPORT:-false}
mvn -q -o -pl realtime-gateway -am install -DskipTests
mvn -o -pl realtime-gateway verify -Dtest=NoSuchTests -Dit.test=ClusterSoakIT \
    -Dsurefire.failIfNoSpecifiedTests=false -Dfailsafe.failIfNoSpecifiedTests=false \
    -Dsoak.sockets="$SOCKETS" -Dsoak.streams="$STREAMS" -Dsoak.tokens="$TOKENS" -Dsoak.tokenGapMs="$GAP_MS" \
    -Dsoak.heapReport="$HEAP_REPORT" \
    | grep -E "Tests run:|BUILD|FAIL|ERROR\]" || true
grep -h -E "^SOAK |^ +[+-][0-9]+ B " realtime-gateway/target/failsafe-reports/*ClusterSoakIT-output.txt
