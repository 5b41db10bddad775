#!/usr/bin/env bash
# Reading one DynamoDB Local stream (NEW_AND_OLD_IMAGES, one shard) pre-filled with RECORDS
# inserts of ~150-byte items, in one run, each reader RUNS times, alternating:
# - the ceiling: GetRecords pages (Limit 1000) fetched with plain HTTP, parsed and only counted
#   (dynamodb_ceiling_reader.js): the server's own pace for a reader that costs next to nothing;
# - a JS SDK reader: GetRecords (Limit 1000) back to back, each record's JSON written to a file
#   (dynamodb_raw_reader.js);
# - shardpipe: dynamodb_streams source → file target, data_encoding json (plain images added)
#   and base64 (the record as sent), checkpoints on, a fresh state each time.
#   bash bench/dynamodb_throughput.sh [RECORDS]        (RUNS=2, PORT=8000 by default)
# Needs a release build (bash scripts/build.sh), the test peers (bash scripts/install-test-peers.sh)
# and root: it re-runs itself in a private network namespace (`unshare -n`), since DynamoDB
# Local listens on every interface. Prints a Markdown table, then one RESULT line per reader and
# run for run_all.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/result_lines.sh
root=$PWD
if [ "${SHARDPIPE_DYNAMODB_BENCH_NETNS:-}" != 1 ]; then
  exec env SHARDPIPE_DYNAMODB_BENCH_NETNS=1 unshare -n -- bash "$root/bench/$(basename "$0")" "$@"
fi
ip link set lo up
export LC_ALL=C

records=${1:-100000}
runs=${RUNS:-2}
port=${PORT:-8000}
idle=2
shardpipe=${SHARDPIPE:-build/release/src/cli/shardpipe}
shardpipe=$(realpath "$shardpipe")
tool="$root/tests/peers/dynamodb/dynamodb_tool.js"
export NODE_PATH="$root/tests/peers/node_modules"
work=$(mktemp -d "${TMPDIR:-/tmp}/shardpipe-dynamodb-bench.XXXXXX")
server_pid=
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null; wait "$server_pid" 2>/dev/null; fi
  rm -rf "$work"
}
trap cleanup EXIT

now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }
rate() { awk -v n="$1" -v s="$2" 'BEGIN { printf "%.0f", n / s }'; }
mbps() { awk -v n="$1" -v s="$2" 'BEGIN { printf "%.1f", n / s / 1e6 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

bash "$root/tests/peers/dynamodb/dynamodb_local.sh" "$port" > "$work/dynamodb_local.log" 2>&1 &
server_pid=$!
for _ in $(seq 1800); do
  grep -q '^listening' "$work/dynamodb_local.log" && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$work/dynamodb_local.log" >&2; exit 1; }
  sleep 0.1
done
grep -q '^listening' "$work/dynamodb_local.log" || { echo "DynamoDB Local did not start" >&2; exit 1; }
endpoint="http://127.0.0.1:$port"
java_pid=$(pgrep -P "$server_pid" java)
# DynamoDB Local's CPU seconds so far (user + system).
server_cpu() { awk -v hz="$(getconf CLK_TCK)" '{ printf "%.2f", ($14 + $15) / hz }' "/proc/$java_pid/stat"; }

export AWS_ACCESS_KEY_ID=AKIDBENCH AWS_SECRET_ACCESS_KEY=bench-secret AWS_REGION=us-east-1
arn=$(node "$tool" "$endpoint" create-table bench --view NEW_AND_OLD_IMAGES)
t0=$(now)
node bench/dynamodb_writer.js "$endpoint" bench "$records" 8 > /dev/null
t1=$(now)
put_s=$(secs "$t0" "$t1")

# Runs COMMAND…, setting wall (s), cpu (user + sys s), rss (peak MiB) and server (DynamoDB
# Local's CPU s meanwhile).
measure() {
  local c0 c1
  c0=$(server_cpu)
  t0=$(now)
  /usr/bin/time -f '%U %S %M' -o "$work/time" "$@"
  t1=$(now)
  c1=$(server_cpu)
  wall=$(secs "$t0" "$t1")
  read -r user sys rss_kb < <(tail -n 1 "$work/time")
  cpu=$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.2f", u + s }')
  rss=$(awk -v k="$rss_kb" 'BEGIN { printf "%.0f", k / 1024 }')
  server=$(awk -v a="$c0" -v b="$c1" 'BEGIN { printf "%.2f", b - a }')
}

rows=()
results=()  # READER RUN SECONDS CPU RSS_KIB, for the RESULT lines
notes=()
record_bytes=
declare -A speeds
for run in $(seq "$runs"); do
  measure node bench/dynamodb_ceiling_reader.js "$endpoint" "$arn" "$records" > "$work/raw-count"
  [ "$(cat "$work/raw-count")" -eq "$records" ] || { echo "ceiling reader read $(cat "$work/raw-count") of $records" >&2; exit 1; }
  rows+=("raw|$run|$wall|$cpu|$rss|$server")
  results+=("ceiling $run $wall $cpu $rss_kb")
  speeds[raw,$run]=$wall

  measure node bench/dynamodb_raw_reader.js "$endpoint" "$arn" "$work/js-out.jsonl" "$records" > "$work/js-count"
  [ "$(cat "$work/js-count")" -eq "$records" ] || { echo "JS reader read $(cat "$work/js-count") of $records" >&2; exit 1; }
  js_records=$(wc -l < "$work/js-out.jsonl")
  [ "$js_records" -eq "$records" ] || { echo "JS reader wrote $js_records of $records" >&2; exit 1; }
  rows+=("js|$run|$wall|$cpu|$rss|$server")
  results+=("js_sdk $run $wall $cpu $rss_kb")
  speeds[js,$run]=$wall
  rm -f "$work/js-out.jsonl"

  for encoding in json base64; do
    dir="$work/shardpipe-$encoding-$run"  # a fresh state (checkpoints) and output each time
    mkdir -p "$dir"
    cat > "$dir/pipe.yaml" <<YAML
name: dynamodb-bench
source:
  type: dynamodb_streams
  stream: $arn
  endpoint: $endpoint
  region: us-east-1
  batch_size: 10000
  data_encoding: $encoding
  on_decode_error: fail
target:
  type: file
  path: ./out
  records_per_file: 50000
YAML
    measure "$shardpipe" run "$dir/pipe.yaml" --stop-when-idle "${idle}s" --log-level warn
    # The idle wait is not work: take it off. But a last file that is not full is only closed
    # once the shard has been idle for a while: count until the newest file was written if that
    # is later.
    exited=$wall
    last=$(find "$dir/out" -name '*.jsonl' -printf '%T@\n' | sort -n | tail -n 1)
    written=$(secs "$t0" "$last")
    wall=$(awk -v w="$wall" -v i="$idle" -v l="$written" 'BEGIN { s = w - i; if (l > s) s = l; printf "%.3f", s }')
    out_records=$(cat "$dir"/out/*/*.jsonl | wc -l)
    [ "$out_records" -eq "$records" ] || { echo "shardpipe ($encoding) delivered $out_records of $records" >&2; exit 1; }
    if [ "$encoding" = base64 ] && [ -z "$record_bytes" ]; then
      # The records as the service sent them: the envelope is the record plus eventSourceARN.
      member=",\"eventSourceARN\":\"$arn\""
      [ "$(cat "$dir"/out/*/*.jsonl | grep -c -F "$member")" -eq "$records" ] ||
        { echo "shardpipe (base64): not every envelope ends with eventSourceARN" >&2; exit 1; }
      record_bytes=$(cat "$dir"/out/*/*.jsonl | awk -v m="${#member}" '{ n += length($0) - m } END { print n }')
    fi
    rows+=("$encoding|$run|$wall|$cpu|$rss|$server")
    results+=("shardpipe_$encoding $run $wall $cpu $rss_kb")
    speeds[$encoding,$run]=$wall
    notes+=("shardpipe ($encoding) run $run: exited ${exited} s after its start, last output file written ${written} s after it")
    rm -rf "$dir/out"
  done
done

echo "| reader ($records records, one shard, $((record_bytes / records)) bytes each as sent) | run | seconds | records/s | MB/s | CPU s | peak RSS MiB | DynamoDB Local CPU s |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|"
echo "| write: JS SDK BatchWriteItem (25 items, 8 requests at once) | | $put_s | $(rate "$records" "$put_s") | | | | |"
for row in "${rows[@]}"; do
  IFS='|' read -r what run wall cpu rss server <<< "$row"
  case $what in
    raw) name="ceiling: plain-HTTP GetRecords (Limit 1000), records counted only" ;;
    js) name="JS SDK reader: GetRecords (Limit 1000) back to back → file" ;;
    json) name="shardpipe dynamodb_streams → file (data_encoding: json)" ;;
    base64) name="shardpipe dynamodb_streams → file (data_encoding: base64)" ;;
  esac
  echo "| $name | $run | $wall | $(rate "$records" "$wall") | $(mbps "$record_bytes" "$wall") | $cpu | $rss | $server |"
done
echo
for run in $(seq "$runs"); do
  echo "run $run: shardpipe / JS SDK reader (records/s): json $(ratio "${speeds[js,$run]}" "${speeds[json,$run]}"), base64 $(ratio "${speeds[js,$run]}" "${speeds[base64,$run]}");" \
    "to the ceiling: JS SDK reader $(ratio "${speeds[raw,$run]}" "${speeds[js,$run]}"), json $(ratio "${speeds[raw,$run]}" "${speeds[json,$run]}"), base64 $(ratio "${speeds[raw,$run]}" "${speeds[base64,$run]}")"
done
echo "MB/s counts the stream records' JSON as the service sent them ($record_bytes bytes in all)."
echo "shardpipe's seconds: until it exited less the ${idle} s idle wait of --stop-when-idle, or until its newest file was written if later."
for note in "${notes[@]}"; do echo "$note"; done

# Machine-readable: bytes are the stream records' JSON as the service sent them, the same for
# every reader; CPU and peak RSS are those of the reader's process.
print_results dynamodb "$records" "$record_bytes"
