#!/usr/bin/env bash
# End-to-end latency of one source: records put at a steady rate by an independent producer
# (latency_producer.js), read by a shardpipe pipe of that source into a file target. A record's
# latency is the modification time of the output file that holds it − its put time (µs, in its
# payload). Prints p50, p99 and max, and fails (exit 1) unless every record put was delivered
# exactly once.
#   bash bench/latency.sh SOURCE [SECONDS] [RATE]       SOURCE: local | kinesis | dynamodb | kafka
# Defaults: 20 s at 1,000 records/s. SHARDS (1; dynamodb always has one), TICK_MS and
# RECORDS_PER_FILE override the settings below; SHARDPIPE, KAFKA_MOCK_CLUSTER and BUILD_DIR
# (build/release) the binaries; KEEP=1 keeps the scratch folder (output, logs).
# Needs a release build, the test peers (bash scripts/install-test-peers.sh) and python3; for
# dynamodb root: it re-runs itself in a private network namespace (`unshare -n`), since DynamoDB
# Local listens on every interface. Prints a Markdown table and a machine-readable RESULT line.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

usage() { echo "usage: bash bench/latency.sh local|kinesis|dynamodb|kafka [SECONDS] [RATE]" >&2; exit 2; }
source=${1:-}
case $source in local | kinesis | dynamodb | kafka) ;; *) usage ;; esac
if [ "$source" = dynamodb ] && [ "${SHARDPIPE_LATENCY_NETNS:-}" != 1 ]; then
  exec env SHARDPIPE_LATENCY_NETNS=1 unshare -n -- bash "$root/bench/$(basename "$0")" "$@"
fi
if [ "${SHARDPIPE_LATENCY_NETNS:-}" = 1 ]; then ip link set lo up; fi
export LC_ALL=C

seconds=${2:-20}
rate=${3:-1000}
build=${BUILD_DIR:-build/release}
shardpipe=$(realpath -m "${SHARDPIPE:-$build/src/cli/shardpipe}")
mock_cluster=$(realpath -m "${KAFKA_MOCK_CLUSTER:-$build/bench/kafka_mock_cluster}")
export NODE_PATH="$root/tests/peers/node_modules"
export AWS_ACCESS_KEY_ID=AKIDBENCH AWS_SECRET_ACCESS_KEY=bench-secret AWS_REGION=us-east-1

# Settings, chosen so that the latency is the runtime's own, not a batching window's:
# - one shard (partition) by default, as DynamoDB Local always has, so the sources compare;
# - the producer puts every 50 ms (tick_ms) what is due by then, stamped just before the put:
#   its own batching is not counted, it only makes records arrive in 20 bursts a second. 20
#   requests a second is what the emulators (one Node.js or Java server each) took without
#   queueing on 2 busy cores; at 100 they queued, and the latency measured their queue. A tick
#   is also longer than the 5 ms `log put` waits for more input, so each is one group commit;
# - maximum_batching_window 0s (a batch goes as soon as records are read), and records_per_file
#   = batch_size = one tick's records per shard. A file target delivers a record when its file
#   is full (or once the shard was idle for 1 s), so larger files make records wait for later
#   ones; smaller ones cost an fdatasync and a rename each, written one after the other (local,
#   200/s with 10 ms ticks, on a busy machine, p50/p99 ms: 1 record per file 96/285, 2 = one
#   tick 85/109, 20 82/188, 50 181/332);
# - --stop-when-idle 3s: longer than any pause in the producer's puts, so the pipe does not stop
#   early. The producer's cool-down records (1 s more at the same rate, not measured) fill the
#   files of the last measured records, which would otherwise wait for the pipe's idle flush.
tick_ms=${TICK_MS:-50}
idle=3
shards=${SHARDS:-1}
if [ "$source" = dynamodb ]; then shards=1; fi
records_per_file=${RECORDS_PER_FILE:-$(awk -v r="$rate" -v t="$tick_ms" -v s="$shards" \
  'BEGIN { n = r * t / 1000 / s; n = (n == int(n)) ? n : int(n) + 1; print (n < 1 ? 1 : n) }')}
count=$(awk -v r="$rate" -v s="$seconds" 'BEGIN { printf "%d", r * s + 0.5 }')
[ "$count" -gt 0 ] || { echo "latency.sh: $seconds s at $rate records/s puts no record" >&2; exit 2; }
[ -x "$shardpipe" ] || { echo "no $shardpipe: build the release preset" >&2; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/shardpipe-latency-$source.XXXXXX")
server_pid='' producer_pid='' pipe_pid='' cluster_open=''
stop() {  # PID: ends a process this script started, and waits for it
  if [ -n "$1" ]; then kill "$1" 2>/dev/null || true; wait "$1" 2>/dev/null || true; fi
}
cleanup() {
  stop "$producer_pid"
  stop "$pipe_pid"
  if [ -n "$cluster_open" ]; then
    exec 3>&-  # end of file on the mock cluster's standard input: it destroys itself and exits
    for _ in $(seq 50); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
  fi
  stop "$server_pid"
  if [ -n "${KEEP:-}" ]; then echo "kept $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Waits until FILE has a line starting with PATTERN, while process PID lives (else fails with
# the log LOG).
wait_for_line() {  # FILE PATTERN PID LOG WHAT
  for _ in $(seq 3000); do
    grep -q "^$2" "$1" 2>/dev/null && return 0
    kill -0 "$3" 2>/dev/null || { cat "$4" >&2; echo "$5 ended before it was ready" >&2; exit 1; }
    sleep 0.1
  done
  echo "$5 was not ready within 300 s" >&2
  exit 1
}

# Each start_<source> starts the source's server (if any), creates the stream, and sets
# source_yaml (the pipe's source lines), encoding and sink (the producer's arguments).
start_local() {
  "$shardpipe" log create "$work/log" --shards "$shards" > /dev/null
  source_yaml="type: local
  path: ./log"
  encoding=text
  sink=(local "$shardpipe" "$work/log")
}

start_kinesis() {
  node tests/peers/kinesis/kinesalite_server.js > "$work/server.log" 2>&1 &
  server_pid=$!
  wait_for_line "$work/server.log" listening "$server_pid" "$work/server.log" kinesalite
  local endpoint
  endpoint="http://127.0.0.1:$(awk '/listening/ { print $2 }' "$work/server.log")"
  node tests/peers/kinesis/kinesis_tool.js "$endpoint" create latency "$shards"
  source_yaml="type: kinesis
  stream: latency
  endpoint: $endpoint"
  encoding=text
  sink=(kinesis "$endpoint" latency)
}

start_dynamodb() {
  local port=8000
  bash tests/peers/dynamodb/dynamodb_local.sh "$port" > "$work/server.log" 2>&1 &
  server_pid=$!
  wait_for_line "$work/server.log" listening "$server_pid" "$work/server.log" "DynamoDB Local"
  local endpoint="http://127.0.0.1:$port" arn
  arn=$(node tests/peers/dynamodb/dynamodb_tool.js "$endpoint" create-table latency --view NEW_AND_OLD_IMAGES)
  source_yaml="type: dynamodb_streams
  stream: $arn
  endpoint: $endpoint
  region: us-east-1"
  # json, the encoding users pick to read the images: the token is in the new image.
  encoding=json
  sink=(dynamodb "$endpoint" latency)
}

start_kafka() {
  [ -x "$mock_cluster" ] || { echo "no $mock_cluster: build the target kafka_mock_cluster" >&2; exit 1; }
  [ -d "$NODE_PATH/kafkajs" ] || { echo "kafkajs is missing: bash scripts/install-test-peers.sh" >&2; exit 1; }
  # Its standard input is a FIFO this shell holds open on fd 3 until the end.
  mkfifo "$work/cluster.stdin"
  "$mock_cluster" --brokers 3 --topic latency --partitions "$shards" \
    < "$work/cluster.stdin" > "$work/server.log" 2>&1 &
  server_pid=$!
  exec 3> "$work/cluster.stdin"
  cluster_open=1
  wait_for_line "$work/server.log" listening "$server_pid" "$work/server.log" "the mock cluster"
  local bootstraps
  bootstraps=$(awk '/^listening/ { print $2 }' "$work/server.log")
  # fetch.wait.max.ms 10 as in kafka_throughput.sh (librdkafka's default would let a fetch
  # wait up to 500 ms); a short session because the mock cluster waits session.timeout.ms − 1 s
  # on a rebalance.
  source_yaml="type: kafka
  bootstrap_servers: $bootstraps
  topics: [latency]
  consumer_group: latency
  properties:
    fetch.wait.max.ms: \"10\"
    session.timeout.ms: \"6000\""
  encoding=text
  sink=(kafka "$bootstraps" latency)
}

"start_$source"
cat > "$work/pipe.yaml" <<YAML
name: latency
source:
  $source_yaml
  batch_size: $records_per_file
  maximum_batching_window: 0s
  data_encoding: $encoding
  on_decode_error: fail
target:
  type: file
  path: ./out
  records_per_file: $records_per_file
metrics:
  listen: off
YAML

# The producer puts its warm-up record first, so that the pipe finds a record at its start and
# does not stop as idle while the producer loads; then it waits for that record's delivery.
node bench/latency_producer.js "${sink[0]}" "$rate" "$seconds" "$tick_ms" "$work/out" "${sink[@]:1}" \
  > "$work/producer.log" 2> "$work/producer.err" &
producer_pid=$!
wait_for_line "$work/producer.log" "warm-up put" "$producer_pid" "$work/producer.err" "the producer"
"$shardpipe" run "$work/pipe.yaml" --stop-when-idle "${idle}s" --log-level warn 2> "$work/pipe.err" &
pipe_pid=$!

# The pipe must outlive the producer: if it stopped first, records would be left unread.
while kill -0 "$producer_pid" 2>/dev/null; do
  if ! kill -0 "$pipe_pid" 2>/dev/null; then
    status=0
    wait "$pipe_pid" || status=$?
    pipe_pid=
    cat "$work/pipe.err" "$work/producer.err" >&2
    echo "the pipe stopped (exit status $status) before the producer finished: $(tail -n 1 "$work/producer.log")" >&2
    exit 1
  fi
  sleep 0.2
done
status=0
wait "$producer_pid" || status=$?
producer_pid=
[ "$status" -eq 0 ] || { cat "$work/producer.err" >&2; echo "the producer exited $status" >&2; exit 1; }
status=0
wait "$pipe_pid" || status=$?
pipe_pid=
[ "$status" -eq 0 ] || { cat "$work/pipe.err" >&2; echo "the pipe exited $status" >&2; exit 1; }

put_line=$(grep '^put ' "$work/producer.log")
put=$(awk '{ print $2 }' <<< "$put_line")
[ "$put" -eq "$count" ] || { echo "the producer put $put records, not $count" >&2; exit 1; }
# A producer that needed more than 5 % (and a tick) longer than planned waited for requests the
# peer did not answer in time: the latencies then include the peer's queue.
behind=$(awk -v took="$(awk '{ print $5 }' <<< "$put_line")" -v s="$seconds" -v t="$tick_ms" \
  'BEGIN { print (took > s * 1.05 + t / 1000) ? 1 : 0 }')
cool_down=$(sed -n 's/.*then \([0-9]*\) cool-down records.*/\1/p' <<< "$put_line")
report=$(python3 bench/latency_report.py "$work/out" "$count" "$cool_down") ||
  { echo "latency.sh: not every record put was delivered exactly once (see above)" >&2; exit 1; }
value() { tr ' ' '\n' <<< "$report" | awk -F= -v k="$1" '$1 == k { print $2 }'; }

reader=shardpipe  # the row of run_all.sh's table the latency belongs to
if [ "$source" = dynamodb ]; then reader=shardpipe_json; fi
echo "| $source → file, $count records ($rate/s for $seconds s, $shards shard(s), data_encoding $encoding, records_per_file $records_per_file) | delivered once | p50 ms | p99 ms | max ms |"
echo "|---|---:|---:|---:|---:|"
echo "| put → shardpipe → file written (its mtime) | $(value count) | $(value p50_ms) | $(value p99_ms) | $(value max_ms) |"
echo
echo "Latency: the output file's mtime (its last write) − the put time stamped by the producer just before the put; the file's rename came a median $(value rename_ms_p50) ms after its mtime (not counted). File times come from the kernel's coarse clock (a tick, often 4 ms). Smallest latency: $(value min_ms) ms."
echo "Producer (${sink[0]}, a put every $tick_ms ms): $put_line."
[ "$behind" = 0 ] || echo "**Warning: the producer fell behind its rate: the peer did not keep up, and the latencies include its queue.**"
echo "RESULT source=$source reader=$reader kind=latency records=$(value count) rate=$rate seconds=$seconds shards=$shards records_per_file=$records_per_file p50_ms=$(value p50_ms) p99_ms=$(value p99_ms) max_ms=$(value max_ms) producer_behind=$behind"
