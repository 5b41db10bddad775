#!/usr/bin/env bash
# Reading one kinesalite shard pre-filled with 100-byte records, in one run:
# - the ceiling: GetRecords pages fetched with plain HTTP and only counted (kinesis_raw_reader.js);
# - a JS SDK reader: GetRecords (Limit 10000) in a loop, data written to a file;
# - shardpipe: kinesis source → file target (text envelopes), checkpoints on.
#   bash bench/kinesis_throughput.sh [RECORDS]
# Needs a release build (bash scripts/build.sh), the test peers (bash scripts/install-test-peers.sh)
# and GNU time (/usr/bin/time). Prints a Markdown table, then one RESULT line per reader (CPU
# seconds and peak RSS of its process) for run_all.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/result_lines.sh
root=$PWD

records=${1:-200000}
shardpipe=${SHARDPIPE:-build/release/src/cli/shardpipe}
tool="$root/tests/peers/kinesis/kinesis_tool.js"
work=$(mktemp -d "${TMPDIR:-/tmp}/shardpipe-kinesis-bench.XXXXXX")
server_pid=
cleanup() { [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }
rate() { awk -v n="$1" -v s="$2" 'BEGIN { printf "%.0f", n / s }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

node "$root/tests/peers/kinesis/kinesalite_server.js" > "$work/kinesalite.log" 2>&1 &
server_pid=$!
for _ in $(seq 100); do grep -q listening "$work/kinesalite.log" && break; sleep 0.1; done
endpoint="http://127.0.0.1:$(awk '/listening/ { print $2 }' "$work/kinesalite.log")"

export AWS_ACCESS_KEY_ID=AKIDBENCH AWS_SECRET_ACCESS_KEY=bench-secret AWS_REGION=us-east-1
node "$tool" "$endpoint" create bench 1
# 100-byte records: {"k":"key-<i mod 100>","n":<i>} padded with a "p" field to 100 bytes.
t0=$(now)
node "$tool" "$endpoint" put bench "$records" 100 0 500 100 > /dev/null
t1=$(now)
put_s=$(secs "$t0" "$t1")

t0=$(now)
raw=$(NODE_PATH="$root/tests/peers/node_modules" timed raw node bench/kinesis_raw_reader.js "$endpoint" bench shardId-000000000000)
t1=$(now)
raw_s=$(secs "$t0" "$t1")
[ "$raw" -eq "$records" ] || { echo "raw reader read $raw of $records" >&2; exit 1; }

t0=$(now)
timed js node "$tool" "$endpoint" read bench shardId-000000000000 "$work/js-out.txt"
t1=$(now)
js_s=$(secs "$t0" "$t1")
js_records=$(wc -l < "$work/js-out.txt")
[ "$js_records" -eq "$records" ] || { echo "JS reader read $js_records of $records" >&2; exit 1; }

cat > "$work/pipe.yaml" <<YAML
name: kinesis-bench
source:
  type: kinesis
  stream: bench
  endpoint: $endpoint
  batch_size: 10000
  data_encoding: text
  on_decode_error: fail
target:
  type: file
  path: ./out
  records_per_file: 50000
YAML
t0=$(now)
timed pipe "$shardpipe" run "$work/pipe.yaml" --stop-when-idle 1s --log-level warn
t1=$(now)
# The idle wait is not work: take it off.
pipe_s=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a - 1 }')
out_records=$(cat "$work"/out/*/*.jsonl | wc -l)
[ "$out_records" -eq "$records" ] || { echo "shardpipe delivered $out_records of $records" >&2; exit 1; }

echo "| what ($records records of 100 bytes, one shard) | seconds | records/s | ratio to the ceiling |"
echo "|---|---:|---:|---:|"
echo "| put with the JS SDK (PutRecords of 500) | $put_s | $(rate "$records" "$put_s") | |"
echo "| ceiling: raw GetRecords loop, records counted only | $raw_s | $(rate "$records" "$raw_s") | 1.00 |"
echo "| JS SDK reader: GetRecords (Limit 10000) → file | $js_s | $(rate "$records" "$js_s") | $(ratio "$raw_s" "$js_s") |"
echo "| shardpipe kinesis → file (text envelopes, checkpoints) | $pipe_s | $(rate "$records" "$pipe_s") | $(ratio "$raw_s" "$pipe_s") |"
echo
echo "shardpipe / JS SDK reader: $(ratio "$js_s" "$pipe_s")"

# Machine-readable: bytes are the records' data (as the JS SDK reader wrote it, less newlines),
# the same for every reader; CPU and peak RSS are those of the reader's process.
data_bytes=$(($(wc -c < "$work/js-out.txt") - records))
result() {  # READER SECONDS TIME_NAME
  local user sys rss
  read -r user sys rss < <(tail -n 1 "$work/time-$3")
  echo "RESULT source=kinesis reader=$1 kind=throughput records=$records seconds=$2 bytes=$data_bytes" \
    "cpu_s=$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.2f", u + s }') rss_kib=$rss"
}
echo
result ceiling "$raw_s" raw
result js_sdk "$js_s" js
result shardpipe "$pipe_s" pipe
