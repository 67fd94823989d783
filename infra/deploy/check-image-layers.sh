#!/usr/bin/env bash
# What can be proven of an image without a Docker engine: extract the executable jar into Spring Boot's layers exactly
# as the Dockerfile's build stage does, lay them into one directory as its COPY lines do, start the service with the
# runtime stage's ENTRYPOINT (JarLauncher) and its ENV, then run the Dockerfile's own HEALTHCHECK command against it.
# Usage: infra/deploy/check-image-layers.sh <module>   (after mvn package; run from the repository root)
set -euo pipefail
MODULE=${1:?module: realtime-gateway or ai-service}
ROOT=$(pwd)
DOCKERFILE="$ROOT/$MODULE/Dockerfile"
JAR=$(grep -o "$MODULE/target/[^ ]*-exec.jar" "$DOCKERFILE" | head -n 1)
WORK=$(mktemp -d)
PID=
# The service is stopped with SIGTERM on the way out; `wait` then reports 143, which under `set -e` would become the
# script's exit status, so it is swallowed here: the script's status is that of its checks.
cleanup() {
  if [ -n "$PID" ]; then kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; fi
  [ -n "${KEEP_WORK:-}" ] || rm -rf "$WORK"
}
trap cleanup EXIT

java -Djarmode=tools -jar "$ROOT/$JAR" extract --layers --launcher --destination "$WORK/layers" >/dev/null
mkdir "$WORK/app"
for layer in $(grep -o 'COPY --from=build /layers/[a-z-]*/' "$DOCKERFILE" | sed 's#.*/layers/##; s#/$##'); do
  cp -r "$WORK/layers/$layer/." "$WORK/app/"
done

free_port() { node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }
# The runtime stage's ENV lines, as the container would have them.
ENV_LINES=$(node -e '
  const text = require("fs").readFileSync(process.argv[1], "utf8").replace(/\\\n/g, " ");
  const runtime = text.slice(text.lastIndexOf("\nFROM "));
  for (const line of runtime.split("\n").filter((l) => l.startsWith("ENV "))) {
    for (const m of line.slice(4).matchAll(/([A-Z_]+)=("[^"]*"|\S+)/g)) console.log(m[1] + "=" + m[2].replace(/^"|"$/g, ""));
  }' "$DOCKERFILE")
MANAGEMENT=$(free_port)
(
  cd "$WORK/app"
  while IFS= read -r assignment; do export "${assignment?}"; done <<<"$ENV_LINES"
  export MANAGEMENT_SERVER_PORT=$MANAGEMENT MANAGEMENT_PORT=$MANAGEMENT SERVER_ADDRESS=127.0.0.1 SOCKET_HOST=127.0.0.1
  export GATEWAY_PORT=$(free_port) SOCKET_PORT=$(free_port) AI_SERVICE_PORT=$(free_port) DATA_DIR="$WORK/data"
  export JWT_SECRET=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n') AI_SERVICE_API_KEY=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
  export AI_PROVIDER=local RAG_SAMPLE_LIBRARY=false REDIS_URL=redis://127.0.0.1:9 MONGODB_URI=mongodb://127.0.0.1:9/chat
  # shellcheck disable=SC2086
  exec java $JAVA_OPTS -Xmx512m org.springframework.boot.loader.launch.JarLauncher
) >"$WORK/service.log" 2>&1 &
PID=$!

HEALTHCHECK=$(node -e '
  const text = require("fs").readFileSync(process.argv[1], "utf8").replace(/\\\n/g, " ");
  const m = text.match(/HEALTHCHECK[^\n]*CMD (\[.*\])/);
  const cmd = JSON.parse(m[1]);
  if (cmd[0] !== "bash" || cmd[1] !== "-c") throw new Error("unexpected HEALTHCHECK " + m[1]);
  console.log(cmd[2]);' "$DOCKERFILE")
deadline=$((SECONDS + ${CHECK_TIMEOUT_S:-240}))
until MANAGEMENT_SERVER_PORT=$MANAGEMENT bash -c "$HEALTHCHECK" 2>/dev/null; do
  kill -0 "$PID" 2>/dev/null || { echo "$MODULE exited:"; tail -n 20 "$WORK/service.log"; exit 1; }
  (( SECONDS < deadline )) || { echo "$MODULE: HEALTHCHECK never passed"; tail -n 20 "$WORK/service.log"; exit 1; }
  sleep 1
done
echo "$MODULE: started from its image layers with the image's ENTRYPOINT and ENV; its HEALTHCHECK passes"
