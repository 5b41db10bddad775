#!/usr/bin/env bash
# Bounded memory under backpressure: a backlog of RECORDS records (default 10 million, 100 bytes
# each) is drained by a pipe, and the pipe's resident memory is sampled every 200 ms.
#   1. into a deliberately slow HTTP target (every batch answered after DELAY_MS, default 20),
#      for SLOW_SECONDS (default 60), with parallelization_factor 1 and then 4: reading must
#      pause at the in-flight caps, so memory stays flat however big the backlog is;
#   2. into a file target, the whole backlog, as fast as the disk allows.
#   bash bench/memory_backpressure.sh [RECORDS] [SHARDS]
# Needs a release build (bash scripts/build.sh) and python3. Prints a Markdown table.
set -euo pipefail
cd "$(dirname "$0")/.."

records=${1:-10000000}
shards=${2:-4}
slow_seconds=${SLOW_SECONDS:-60}
delay_ms=${DELAY_MS:-20}
shardpipe=$(realpath "${SHARDPIPE:-build/release/src/cli/shardpipe}")
server_script=$(realpath tests/support/scripted_http_server.py)
work=$(mktemp -d "${TMPDIR:-/tmp}/shardpipe-memory.XXXXXX")
server_pid=""
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# Runs "$@" in the background and prints "<peak RSS MiB> <seconds>" once it exits; with a
# time limit, sends SIGTERM when it is reached (a graceful stop, which is measured too).
measure() {
  local limit=$1
  shift
  local start peak=0 rss pid
  start=$(date +%s.%N)
  "$@" &
  pid=$!
  while kill -0 "$pid" 2>/dev/null; do
    rss=$(awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status" 2>/dev/null || echo 0)
    [ -n "$rss" ] && [ "$rss" -gt "$peak" ] && peak=$rss
    if [ "$limit" != 0 ] && awk -v s="$start" -v l="$limit" -v n="$(date +%s.%N)" \
        'BEGIN { exit !(n - s >= l) }'; then
      kill -TERM "$pid" 2>/dev/null || true
      limit=0
    fi
    sleep 0.2
  done
  wait "$pid" || true
  awk -v p="$peak" -v s="$start" -v n="$(date +%s.%N)" 'BEGIN { printf "%.0f %.1f\n", p / 1024, n - s }'
}

echo "generating $records records..." >&2
awk -v n="$records" 'BEGIN { pad = sprintf("%60s", ""); gsub(/ /, "x", pad);
  for (i = 0; i < n; i++) printf "{\"k\":\"key-%d\",\"i\":%d,\"pad\":\"%s\"}\n", i % 1000, i, pad }' \
  > "$work/input.jsonl"
"$shardpipe" log create "$work/log" --shards "$shards" >/dev/null
"$shardpipe" log put "$work/log" --partition-key-field k < "$work/input.jsonl" 2>/dev/null
rm "$work/input.jsonl"

mkdir -p "$work/server"
echo "{\"status\": 200, \"delay_ms\": $delay_ms}" > "$work/server/script.json"
python3 "$server_script" --port-file "$work/server/port" --log /dev/null \
  --script "$work/server/script.json" >/dev/null 2>&1 &
server_pid=$!
for _ in $(seq 100); do [ -s "$work/server/port" ] && break; sleep 0.1; done
port=$(cat "$work/server/port")

slow_pipe() {  # NAME PARALLELIZATION_FACTOR
  cat > "$work/$1.yaml" <<YAML
name: $1
source: { type: local, path: ./log, batch_size: 100, data_encoding: json, on_decode_error: fail,
          parallelization_factor: $2 }
target: { type: http, url: "http://127.0.0.1:$port/batches", timeout: 30s }
checkpoint: { store: "sqlite:./$1.db" }
shutdown_timeout: 5s
YAML
}
handled() {  # NAME: records checkpointed, i.e. the backlog less what status says is behind
  "$shardpipe" status "$work/$1.yaml" --json | python3 -c '
import json, sys
shards = json.load(sys.stdin)["shards"]
print(int(sys.argv[1]) - sum(s["recordsBehind"] or 0 for s in shards))' "$records"
}

echo "| run | target | records handled | seconds | peak RSS (MiB) |"
echo "|---|---|---|---|---|"
for pf in 1 4; do
  slow_pipe "slow$pf" "$pf"
  read -r peak secs < <(measure "$slow_seconds" "$shardpipe" run "$work/slow$pf.yaml" --log-level error)
  echo "| backlog of $records, parallelization_factor $pf, stopped after ${slow_seconds}s | http, ${delay_ms} ms per batch of 100 | $(handled "slow$pf") | $secs | $peak |"
done

cat > "$work/drain.yaml" <<YAML
name: drain
source: { type: local, path: ./log, batch_size: 10000, data_encoding: json, on_decode_error: fail }
target: { type: file, path: ./out, records_per_file: 50000 }
checkpoint: { store: "sqlite:./drain.db" }
YAML
read -r peak secs < <(measure 0 "$shardpipe" run "$work/drain.yaml" --stop-when-idle 500ms --log-level error)
out=$(cat "$work"/out/*/*.jsonl | wc -l)
echo "| backlog of $records, drained to the end | file | $out | $secs | $peak |"
