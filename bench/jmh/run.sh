#!/usr/bin/env bash
# Short JMH runs of the gateway's token path (the machine is shared): one fork, 2 warm-up and 3 measured iterations.
#   bench/jmh/run.sh [JMH regexp and options...]      e.g. bench/jmh/run.sh Parse -prof gc
# Benchmarks this work tree's gateway classes (realtime-gateway/target/classes, built first), not whatever
# realtime-gateway jar another checkout installed in ~/.m2.
set -euo pipefail
cd "$(dirname "$0")"
(cd ../.. && mvn -q -o -pl realtime-gateway -am install -DskipTests)
mvn -q -o package dependency:build-classpath -Dmdep.outputFile=target/classpath.txt -DskipTests
exec java -cp "target/classes:../../realtime-gateway/target/classes:$(cat target/classpath.txt)" \
    org.openjdk.jmh.Main -f 1 -wi 2 -i 3 -w 1s -r 2s "$@"
