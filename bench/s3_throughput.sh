#!/usr/bin/env bash
# Writing objects into s3rver, in one run:
# - the baseline: the AWS SDK for JavaScript PUTs the very bytes shardpipe writes (made first by
#   the same pipe into a file target: with compression none, its files are the objects), one
#   request per shard at a time, as shardpipe does: the client-side ceiling of s3rver;
# - shardpipe: local log → s3 (compression none, then gzip and zstd), checkpoints on.
#   bash bench/s3_throughput.sh [RECORDS] [SHARDS] [RECORDS_PER_OBJECT]
# Needs a release build (bash scripts/build.sh) and the test peers (bash scripts/install-test-peers.sh).
# Prints a Markdown table.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

records=${1:-400000}
shards=${2:-4}
per_object=${3:-10000}
shardpipe=${SHARDPIPE:-build/release/src/cli/shardpipe}
tool="$root/tests/peers/s3/s3_tool.js"
work=$(mktemp -d "${TMPDIR:-/tmp}/shardpipe-s3-bench.XXXXXX")
server_pid=
cleanup() { [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

now() { date +%s.%N; }
rate() { awk -v n="$1" -v s="$2" 'BEGIN { printf "%.1f", n / s }'; }
mb() { awk -v b="$1" 'BEGIN { printf "%.1f", b / 1e6 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

node "$root/tests/peers/s3/s3rver_server.js" 0 "$work/s3" bench > "$work/s3rver.log" 2>&1 &
server_pid=$!
for _ in $(seq 100); do grep -q listening "$work/s3rver.log" && break; sleep 0.1; done
endpoint="http://127.0.0.1:$(awk '/listening/ { print $2 }' "$work/s3rver.log")"
export AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER AWS_REGION=us-east-1

# 100-byte records, keys from each line's hash.
"$shardpipe" log create "$work/log" --shards "$shards" > /dev/null
awk -v n="$records" 'BEGIN { for (i = 0; i < n; i++) printf "{\"n\":%d,\"p\":\"%s\"}\n", i, substr(sprintf("%090d", i), 1, 86 - length(i)) }' \
  | "$shardpipe" log put "$work/log"

pipe() {  # NAME TARGET-LINES
  cat > "$work/$1.yaml" <<YAML
name: $1
source:
  type: local
  path: ./log
  batch_size: 10000
  data_encoding: text
  on_decode_error: fail
  max_in_flight_records: 400000
  max_in_flight_bytes: 512MiB
target:
$2
YAML
}

# The objects' bytes, as files.
pipe files "  type: file
  path: ./files
  records_per_file: $per_object"
"$shardpipe" run "$work/files.yaml" --stop-when-idle 1s --log-level warn
files=("$work"/files/*/*.jsonl)
bytes=$(cat "${files[@]}" | wc -c)
objects=${#files[@]}

base_s=$(node "$tool" "$endpoint" put-files bench baseline/ "$shards" "${files[@]}" 2> /dev/null)

declare -A seconds stored_bytes
for compression in none gzip zstd; do
  pipe "s3-$compression" "  type: s3
  bucket: bench
  prefix: $compression/
  endpoint: $endpoint
  records_per_object: $per_object
  compression: $compression"
  t0=$(now)
  "$shardpipe" run "$work/s3-$compression.yaml" --stop-when-idle 1s --log-level warn
  t1=$(now)
  # The idle wait is not work: take it off.
  seconds[$compression]=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a - 1 }')
  listed=$(node "$tool" "$endpoint" list bench "$compression/" 2> /dev/null)
  count=$(printf '%s\n' "$listed" | grep -c '"key"')
  [ "$count" -eq "$objects" ] || { echo "shardpipe ($compression) wrote $count objects, expected $objects" >&2; exit 1; }
  stored_bytes[$compression]=$(printf '%s\n' "$listed" | awk -F'"size":' '{ split($2, a, "}"); s += a[1] } END { printf "%d", s }')
done
[ "${stored_bytes[none]}" -eq "$bytes" ] || { echo "stored ${stored_bytes[none]} bytes, expected $bytes" >&2; exit 1; }

echo "| what ($records records of 100 bytes, $shards shards, $objects objects of $per_object records, $(mb "$bytes") MB of envelopes) | seconds | objects/s | MB/s (uncompressed) | MB stored | ratio to the baseline |"
echo "|---|---:|---:|---:|---:|---:|"
echo "| baseline: JS SDK PutObject of the same bytes, $shards at a time | $base_s | $(rate "$objects" "$base_s") | $(rate "$(mb "$bytes")" "$base_s") | $(mb "$bytes") | 1.00 |"
for compression in none gzip zstd; do
  s=${seconds[$compression]}
  echo "| shardpipe local → s3, compression $compression | $s | $(rate "$objects" "$s") | $(rate "$(mb "$bytes")" "$s") | $(mb "${stored_bytes[$compression]}") | $(ratio "$base_s" "$s") |"
done
