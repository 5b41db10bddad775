#!/usr/bin/env bash
# Throughput of `shardpipe log put` and of a local → file pipe with 100-byte records, next to
# the disk's own ceiling (cat of the same bytes into a file, then sync), all in one run.
#   bash bench/local_throughput.sh [RECORDS] [SHARDS]      (ENCODING=base64|text|json, default text)
# Needs a release build (bash scripts/build.sh) and GNU time (/usr/bin/time). Prints a Markdown
# table, then one RESULT line per row (CPU seconds and peak RSS of its process) for run_all.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/result_lines.sh

records=${1:-2000000}
shards=${2:-4}
shardpipe=${SHARDPIPE:-build/release/src/cli/shardpipe}
encoding=${ENCODING:-text}
work=$(mktemp -d "${TMPDIR:-/tmp}/shardpipe-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT

now() { date +%s.%N; }
rate() { awk -v n="$1" -v s="$2" 'BEGIN { printf "%.0f", n / s }'; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }

# 100-byte records: 99 bytes of text and the newline.
awk -v n="$records" 'BEGIN { pad = sprintf("%80s", ""); gsub(/ /, "x", pad);
  for (i = 0; i < n; i++) printf "%018d-%s\n", i, pad }' > "$work/input.txt"
input_bytes=$(stat -c %s "$work/input.txt")

# Disk ceiling for the input bytes.
sync
t0=$(now); timed cat-input cat "$work/input.txt" > "$work/cat-input.txt"; sync "$work/cat-input.txt"; t1=$(now)
cat_input_s=$(secs "$t0" "$t1")

"$shardpipe" log create "$work/log" --shards "$shards" >/dev/null
sync
t0=$(now); timed put "$shardpipe" log put "$work/log" < "$work/input.txt" 2>/dev/null; t1=$(now)
put_s=$(secs "$t0" "$t1")

cat > "$work/pipe.yaml" <<YAML
name: bench
source:
  type: local
  path: ./log
  batch_size: 10000
  data_encoding: $encoding
  on_decode_error: fail
  # Room for every shard's open file of 50,000 records (about 30 MB each): with the default
  # caps the files would be closed early to stay within 64 MiB.
  max_in_flight_records: 400000
  max_in_flight_bytes: 256MiB
target:
  type: file
  path: ./out
  records_per_file: 50000
YAML
t0=$(now); timed pipe "$shardpipe" run "$work/pipe.yaml" --stop-when-idle 200ms --log-level warn; t1=$(now)
# The idle wait (200ms) is not work: take it off; the flush of partial files after it is counted.
pipe_s=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a - 0.2 }')
out_records=$(cat "$work"/out/*/*.jsonl | wc -l)
out_bytes=$(cat "$work"/out/*/*.jsonl | wc -c)
if [ "$out_records" -ne "$records" ]; then echo "expected $records records out, got $out_records" >&2; exit 1; fi

# Disk ceiling for the output bytes.
cat "$work"/out/*/*.jsonl > "$work/output-copy.jsonl"
sync
t0=$(now); timed cat-output cat "$work/output-copy.jsonl" > "$work/cat-output.jsonl"; sync "$work/cat-output.jsonl"; t1=$(now)
cat_output_s=$(secs "$t0" "$t1")

echo "| what | records | seconds | records/s | ratio to cat of the same bytes |"
echo "|---|---:|---:|---:|---:|"
echo "| cat input ($input_bytes B) + sync | $records | $cat_input_s | $(rate "$records" "$cat_input_s") | 1.00 |"
echo "| shardpipe log put ($shards shards, fsync per group) | $records | $put_s | $(rate "$records" "$put_s") | $(awk -v a="$cat_input_s" -v b="$put_s" 'BEGIN { printf "%.2f", a / b }') |"
echo "| cat output ($out_bytes B) + sync | $records | $cat_output_s | $(rate "$records" "$cat_output_s") | 1.00 |"
echo "| shardpipe run local → file ($encoding envelopes) | $records | $pipe_s | $(rate "$records" "$pipe_s") | $(awk -v a="$cat_output_s" -v b="$pipe_s" 'BEGIN { printf "%.2f", a / b }') |"

# Machine-readable: bytes are what each row writes (the input for cat input and log put, the
# envelopes for cat output and the pipe); CPU and peak RSS are those of the row's process.
result() {  # READER SECONDS BYTES TIME_NAME
  local user sys rss
  read -r user sys rss < <(tail -n 1 "$work/time-$4")
  echo "RESULT source=local reader=$1 kind=throughput records=$records seconds=$2 bytes=$3" \
    "cpu_s=$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.2f", u + s }') rss_kib=$rss"
}
echo
result cat_input "$cat_input_s" "$input_bytes" cat-input
result log_put "$put_s" "$input_bytes" put
result cat_output "$cat_output_s" "$out_bytes" cat-output
result shardpipe "$pipe_s" "$out_bytes" pipe
