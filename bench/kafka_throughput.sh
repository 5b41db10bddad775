#!/usr/bin/env bash
# Reading one Kafka topic of librdkafka's mock cluster (3 brokers, PARTITIONS partitions),
# pre-filled by kcat with MESSAGES keyed 100-byte messages, in one run, each reader RUNS times,
# alternating:
# - kcat (librdkafka, no consumer group): every partition from the beginning to its end, each
#   value written as a line to a file;
# - kcat -G: the same through a consumer group (auto-commit), so it pays the group's join too;
# - kcat -G writing shardpipe's envelope (its format string fills in the fields) instead of the
#   bare value: the bare client doing the same output;
# - kafkajs: a consumer group from the beginning, values written to a file (buffered), offsets
#   committed after every batch (kafka_kafkajs_consumer.js);
# - shardpipe: kafka source → file target (text envelopes), offsets committed to its group.
# kcat and shardpipe get the same librdkafka fetch settings (below); kafkajs the closest it has.
#   bash bench/kafka_throughput.sh [MESSAGES] [PARTITIONS]     (RUNS=1, BUILD_DIR=build/release)
# Needs a release build with SHARDPIPE_BUILD_BENCH (bash scripts/build.sh; the mock cluster is
# the target kafka_mock_cluster), kcat and the test peers (bash scripts/install-test-peers.sh).
# SHARDPIPE and KAFKA_MOCK_CLUSTER override the binaries' paths. Prints a Markdown table, then one
# RESULT line per reader and run for run_all.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/result_lines.sh
root=$PWD
export LC_ALL=C

messages=${1:-1000000}
partitions=${2:-32}
runs=${RUNS:-1}
build=${BUILD_DIR:-build/release}
shardpipe=$(realpath -m "${SHARDPIPE:-$build/src/cli/shardpipe}")
mock_cluster=${KAFKA_MOCK_CLUSTER:-$build/bench/kafka_mock_cluster}
idle=2
topic=bench
records_per_file=10000
# librdkafka's defaults fetch little per request (~0.3 M msg/s from the mock cluster against
# ~3 M msg/s with these); every librdkafka reader here gets the same.
fetch_settings=(queued.min.messages=1000000 fetch.message.max.bytes=4194304 fetch.wait.max.ms=10)
export NODE_PATH="$root/tests/peers/node_modules"

[ -x "$mock_cluster" ] || { echo "no $mock_cluster: build the target kafka_mock_cluster" >&2; exit 1; }
command -v kcat > /dev/null || { echo "kcat is not installed" >&2; exit 1; }
[ -d "$NODE_PATH/kafkajs" ] || { echo "kafkajs is missing: bash scripts/install-test-peers.sh" >&2; exit 1; }
# The mock cluster keeps at most ~5 MiB per partition and deletes older batches silently; a
# message takes ~125 bytes there (value, key, record overhead), so keep well under that.
per_partition=$((messages * 125 / partitions))
if [ "$per_partition" -gt $((4 * 1024 * 1024)) ]; then
  echo "$messages messages over $partitions partitions is ~$per_partition bytes per partition:" \
    "more than the mock cluster keeps; use more partitions" >&2
  exit 1
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/shardpipe-kafka-bench.XXXXXX")
cluster_pid=
cleanup() {
  if [ -n "$cluster_pid" ]; then
    exec 3>&-  # end of file on its standard input: it destroys the cluster and exits
    for _ in $(seq 50); do kill -0 "$cluster_pid" 2>/dev/null || break; sleep 0.1; done
    kill "$cluster_pid" 2>/dev/null || true
    wait "$cluster_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }
rate() { awk -v n="$1" -v s="$2" 'BEGIN { printf "%.0f", n / s }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

# Its standard input is a FIFO this shell holds open on fd 3 until the end.
mkfifo "$work/cluster.stdin"
"$mock_cluster" --brokers 3 --topic "$topic" --partitions "$partitions" \
  < "$work/cluster.stdin" > "$work/cluster.log" 2>&1 &
cluster_pid=$!
exec 3> "$work/cluster.stdin"
for _ in $(seq 100); do
  grep -q '^listening' "$work/cluster.log" && break
  kill -0 "$cluster_pid" 2>/dev/null || { cat "$work/cluster.log" >&2; exit 1; }
  sleep 0.1
done
grep -q '^listening' "$work/cluster.log" || { echo "the mock cluster did not start" >&2; exit 1; }
bootstraps=$(awk '/^listening/ { print $2 }' "$work/cluster.log")
# The mock cluster's CPU seconds so far (user + system).
cluster_cpu() { awk -v hz="$(getconf CLK_TCK)" '{ printf "%.2f", ($14 + $15) / hz }' "/proc/$cluster_pid/stat"; }

# key<TAB>value, the value {"n":<i>,"p":"xxx…"} padded to 100 bytes; one key per message, so
# librdkafka's partitioner spreads them evenly.
awk -v n="$messages" 'BEGIN {
  pad = sprintf("%87s", ""); gsub(/ /, "x", pad)
  for (i = 1; i <= n; i++) printf "k%d\t{\"n\":%d,\"p\":\"%s\"}\n", i, i, substr(pad, 1, 87 - length(i ""))
}' > "$work/input.txt"
value_bytes=$(awk -F '\t' '{ print length($2); exit }' "$work/input.txt")
t0=$(now)
kcat -P -q -b "$bootstraps" -t "$topic" -K $'\t' -X linger.ms=20 -X batch.num.messages=10000 \
  -X queue.buffering.max.messages=1000000 < "$work/input.txt"
t1=$(now)
put_s=$(secs "$t0" "$t1")
rm -f "$work/input.txt"

# Runs COMMAND…, setting t0 (its start), wall (s), cpu (user + sys s), rss (peak MiB) and
# server (the mock cluster's CPU s meanwhile).
measure() {
  local c0 c1
  c0=$(cluster_cpu)
  t0=$(now)
  /usr/bin/time -f '%U %S %M' -o "$work/time" "$@"
  status=$?
  t1=$(now)
  c1=$(cluster_cpu)
  wall=$(secs "$t0" "$t1")
  read -r user sys rss_kb < <(tail -n 1 "$work/time")
  cpu=$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.2f", u + s }')
  rss=$(awk -v k="$rss_kb" 'BEGIN { printf "%.0f", k / 1024 }')
  server=$(awk -v a="$c0" -v b="$c1" 'BEGIN { printf "%.2f", b - a }')
}

# shardpipe's envelope for these messages, as a kcat format string (see kcat_envelope below).
kcat_envelope_format='{"eventSource":"SelfManagedKafka","eventID":"%t-%p:%o","bootstrapServers":"'$bootstraps'","topic":"%t","partition":%p,"offset":%o,"timestamp":%T,"timestampType":"CREATE_TIME","key":"%k","value":"%s","headers":[]}\n'
kcat_fetch=()
for setting in "${fetch_settings[@]}"; do kcat_fetch+=(-X "$setting"); done

# shardpipe's Kafka source may not be in this build: find out before timing it.
shardpipe_available=1
shardpipe_reason=
pipe_yaml() {  # DIR RUN
  # 32 partitions with an open file each: the in-flight caps are raised (as local_throughput.sh
  # does) so that full files of records_per_file fit, instead of files closed early.
  cat > "$1/pipe.yaml" <<YAML
name: kafka-bench
source:
  type: kafka
  bootstrap_servers: $bootstraps
  topics: [$topic]
  consumer_group: bench-shardpipe-$2
  properties:
$(for setting in "${fetch_settings[@]}"; do echo "    ${setting%%=*}: \"${setting#*=}\""; done)
    session.timeout.ms: "6000"
  batch_size: 10000
  max_in_flight_records: 400000
  max_in_flight_bytes: 256MiB
  data_encoding: text
  on_decode_error: fail
target:
  type: file
  path: ./out
  records_per_file: $records_per_file
metrics:
  listen: off
YAML
}
mkdir -p "$work/check"
pipe_yaml "$work/check" 0
if [ ! -x "$shardpipe" ]; then
  shardpipe_available=0 shardpipe_reason="no $shardpipe"
elif ! "$shardpipe" validate "$work/check/pipe.yaml" > "$work/check/validate.log" 2>&1; then
  shardpipe_available=0 shardpipe_reason=$(head -n 3 "$work/check/validate.log")
fi

# Times READER's COMMAND…, its standard output to STDOUT, then checks that OUTPUT holds every
# message, one per line, and keeps the row (run: the current run).
timed_reader() {  # READER OUTPUT STDOUT COMMAND…
  local reader=$1 output=$2 stdout=$3
  shift 3
  set +e
  measure "$@" > "$stdout"
  set -e
  [ "$status" -eq 0 ] || { echo "$reader exited $status" >&2; exit 1; }
  got=$(wc -l < "$output")
  [ "$got" -eq "$messages" ] || { echo "$reader wrote $got of $messages" >&2; exit 1; }
  output_bytes=$(stat -c %s "$output")
  rows+=("$reader|$run|$wall|$cpu|$rss|$server")
  results+=("$reader $run $wall $cpu $rss_kb")
  speeds[$reader,$run]=$wall
  rm -f "$output"
}

# What shardpipe's time is made of: from its last partition assignment (the end of the group's
# join) to its last full file, and the disk's ceiling for the same bytes (cat of its output +
# sync), as a note. Files that are not full wait for their partition to be quiet: left out.
stream_note() {  # DIR RUN STARTED (shardpipe's start, as now printed it)
  local dir=$1 run=$2 started=$3 assigned joined full=0 last_full=0 bytes copy_s
  assigned=$(grep 'kafka: assigned' "$dir/stderr" | tail -n 1 | cut -d ' ' -f 1)
  [ -n "$assigned" ] || return 0
  joined=$(date -d "$assigned" +%s.%N)
  while IFS=' ' read -r lines mtime; do
    [ "$lines" -eq "$records_per_file" ] || continue
    full=$((full + lines))
    last_full=$(awk -v a="$last_full" -v b="$mtime" 'BEGIN { print (b > a ? b : a) }')
  done < <(find "$dir/out" -name '*.jsonl' -printf '%T@ %p\n' |
    while read -r mtime file; do echo "$(wc -l < "$file") $mtime"; done)
  [ "$full" -gt 0 ] || return 0
  bytes=$(find "$dir/out" -name '*.jsonl' -printf '%s\n' | awk '{ s += $1 } END { print s }')
  local c0 c1
  c0=$(now)
  find "$dir/out" -name '*.jsonl' -print0 | xargs -0 cat > "$work/copy" && sync
  c1=$(now)
  copy_s=$(secs "$c0" "$c1")
  notes+=("shardpipe run $run: partitions assigned $(secs "$started" "$joined") s after its start; then $full messages in full files in $(secs "$joined" "$last_full") s ($(rate "$full" "$(secs "$joined" "$last_full")") msgs/s); its $((bytes / 1000000)) MB of envelopes copied by cat + sync in $copy_s s ($(rate "$messages" "$copy_s") msgs/s: the disk's ceiling for them)")
}

rows=()
results=()  # READER RUN SECONDS CPU RSS_KIB, for the RESULT lines
notes=()
failed=0
declare -A speeds
for run in $(seq "$runs"); do
  timed_reader kcat "$work/kcat-out.txt" "$work/kcat-out.txt" \
    kcat -C -q -e -o beginning -b "$bootstraps" -t "$topic" -f '%s\n' "${kcat_fetch[@]}"
  # The same client through a consumer group: it pays the group join that kcat -C does not.
  timed_reader kcat_group "$work/kcat-out.txt" "$work/kcat-out.txt" \
    kcat -G "bench-kcat-$run" -q -e -b "$bootstraps" -f '%s\n' -X auto.offset.reset=earliest \
    "${kcat_fetch[@]}" "$topic"
  # kcat -G again, writing shardpipe's envelope (CONTRACT section 3) through its format string
  # instead of the bare value: the bare client doing the same output as shardpipe, so what is
  # left between them is the guarantees and the pipeline. kcat does not escape JSON: the
  # benchmark's keys and values need none.
  timed_reader kcat_envelope "$work/kcat-out.txt" "$work/kcat-out.txt" \
    kcat -G "bench-kcat-envelope-$run" -q -e -b "$bootstraps" -f "$kcat_envelope_format" \
    -X auto.offset.reset=earliest "${kcat_fetch[@]}" "$topic"
  notes+=("kcat -G envelope run $run: $((output_bytes / 1000000)) MB of envelopes written (kcat does not escape the values' quotes: 6 bytes a line fewer than shardpipe's)")
  timed_reader kafkajs "$work/kafkajs-out.txt" "$work/kafkajs.log" \
    node bench/kafka_kafkajs_consumer.js "$bootstraps" "$topic" "bench-kafkajs-$run" \
    "$work/kafkajs-out.txt" "$messages"
  read -r _ _ _ joined _ consumed < "$work/kafkajs.log"
  notes+=("kafkajs run $run: first batch ${joined} s after its start (the group join), then ${consumed} s until its last value was written ($(rate "$messages" "$consumed") msgs/s)")

  [ "$shardpipe_available" = 1 ] || continue
  dir="$work/shardpipe-$run"  # a fresh state, output and consumer group each time
  mkdir -p "$dir"
  pipe_yaml "$dir" "$run"
  set +e
  measure "$shardpipe" run "$dir/pipe.yaml" --stop-when-idle "${idle}s" 2> "$dir/stderr"
  set -e
  if [ "$status" -ne 0 ]; then
    if grep -q 'not available in this build' "$dir/stderr"; then
      shardpipe_available=0 shardpipe_reason=$(head -n 3 "$dir/stderr")
      continue
    fi
    cat "$dir/stderr" >&2
    echo "shardpipe exited $status" >&2
    exit 1
  fi
  # The idle wait is not work: take it off. But a last file that is not full is only closed once
  # the partition has been idle for a while: count until the newest file was written if later.
  exited=$wall
  last=$(find "$dir/out" -name '*.jsonl' -printf '%T@\n' | sort -n | tail -n 1)
  written=$(secs "$t0" "${last:-$t0}")
  wall=$(awk -v w="$wall" -v i="$idle" -v l="$written" 'BEGIN { s = w - i; if (l > s) s = l; printf "%.3f", s }')
  got=$(find "$dir/out" -name '*.jsonl' -print0 | xargs -0 -r cat | wc -l)
  if [ "$got" -ne "$messages" ]; then
    notes+=("shardpipe run $run: delivered $got of $messages (not counted as a result)")
    failed=1
  else
    rows+=("shardpipe|$run|$wall|$cpu|$rss|$server")
    results+=("shardpipe $run $wall $cpu $rss_kb")
    speeds[shardpipe,$run]=$wall
  fi
  notes+=("shardpipe run $run: exited ${exited} s after its start, last output file written ${written} s after it")
  stream_note "$dir" "$run" "$t0"
  rm -rf "$dir/out" "$work/copy"
done

echo "| reader ($messages messages of $value_bytes bytes with keys, $partitions partitions, 3 brokers) | run | seconds | msgs/s | CPU s | peak RSS MiB | mock cluster CPU s |"
echo "|---|---:|---:|---:|---:|---:|---:|"
echo "| write: kcat -P (linger.ms=20, batch.num.messages=10000) | | $put_s | $(rate "$messages" "$put_s") | | | |"
for row in "${rows[@]}"; do
  IFS='|' read -r what run wall cpu rss server <<< "$row"
  case $what in
    kcat) name="kcat -C -e (no group) → file" ;;
    kcat_group) name="kcat -G -e (consumer group, auto-commit) → file" ;;
    kcat_envelope) name="kcat -G -e, shardpipe's envelope by -f → file" ;;
    kafkajs) name="kafkajs consumer group, eachBatch → file, autoCommit" ;;
    shardpipe) name="shardpipe kafka → file (data_encoding: text)" ;;
  esac
  echo "| $name | $run | $wall | $(rate "$messages" "$wall") | $cpu | $rss | $server |"
done
echo
for run in $(seq "$runs"); do
  if [ -n "${speeds[shardpipe,$run]:-}" ]; then
    echo "run $run: shardpipe / kcat (msgs/s) $(ratio "${speeds[kcat,$run]}" "${speeds[shardpipe,$run]}"), shardpipe / kcat -G $(ratio "${speeds[kcat_group,$run]}" "${speeds[shardpipe,$run]}"), shardpipe / kcat -G envelope $(ratio "${speeds[kcat_envelope,$run]}" "${speeds[shardpipe,$run]}"), shardpipe / kafkajs $(ratio "${speeds[kafkajs,$run]}" "${speeds[shardpipe,$run]}"), kafkajs / kcat $(ratio "${speeds[kcat,$run]}" "${speeds[kafkajs,$run]}")"
  else
    echo "run $run: kafkajs / kcat (msgs/s) $(ratio "${speeds[kcat,$run]}" "${speeds[kafkajs,$run]}")"
  fi
done
[ "$shardpipe_available" = 1 ] || echo "shardpipe: kafka source not available in this build ($shardpipe_reason)"
echo "librdkafka fetch settings of kcat and shardpipe: ${fetch_settings[*]}; kafkajs: maxWaitTimeInMs 10, maxBytesPerPartition 4194304, maxBytes 52428800."
echo "Every time includes connecting; kcat -G's, kafkajs' and shardpipe's include joining a consumer group (the mock cluster holds a group's first join ~3 s)."
echo "shardpipe's seconds: until it exited less the ${idle} s idle wait of --stop-when-idle, or until its newest file was written if later."
for note in "${notes[@]}"; do echo "$note"; done

# Machine-readable: bytes are the message values, the same for every reader; CPU and peak RSS
# are those of the reader's process.
print_results kafka "$messages" "$((messages * value_bytes))"
exit "$failed"
