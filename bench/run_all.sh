#!/usr/bin/env bash
# Runs every source benchmark, one after the other: local_throughput.sh, kinesis_throughput.sh,
# dynamodb_throughput.sh, kafka_throughput.sh, then latency.sh for each source. Writes ONE
# Markdown table (bench/results_table.py: a row per reader per source, with records/s, MB/s, CPU
# per million records, peak RSS, p50/p99 latency and the ratios to the source's baselines) under
# a header naming the machine, the versions and the command, to stdout and to OUT.
#   bash bench/run_all.sh [--quick]
# The full run takes about 5 minutes on a quiet 2-core machine; --quick uses small sizes (a
# smoke run). OUT (default bench/results-<UTC time>.md) names the file; SHARDPIPE and
# BUILD_DIR (build/release) are passed on. Needs root (dynamodb runs in a private network
# namespace) and what each script needs: a release build with the benchmarks, the test peers,
# kcat, GNU time and python3. Exits 1 if any benchmark failed (the others still run).
set -euo pipefail
cd "$(dirname "$0")/.."

quick=0
case ${1:-} in
  --quick) quick=1 ;;
  "") ;;
  *) echo "usage: bash bench/run_all.sh [--quick]" >&2; exit 2 ;;
esac
# The exact command, with the settings that change what is measured.
command_line="bash bench/run_all.sh${1:+ $1}"
for name in SHARDPIPE BUILD_DIR; do
  if [ -n "${!name:-}" ]; then command_line="$name=${!name} $command_line"; fi
done
started=$(date -u '+%Y-%m-%d %H:%M:%S UTC')
out=${OUT:-bench/results-$(date -u +%Y-%m-%dT%H%M%SZ).md}
build=${BUILD_DIR:-build/release}

# Sizes: the full run follows docs/BENCHMARKS.md's commands with one run per reader; --quick
# only checks that everything works.
if [ "$quick" = 1 ]; then
  local_args=(100000 4) kinesis_args=(10000) dynamodb_args=(5000) kafka_args=(100000 32)
  latency_args=(5 200)
else
  local_args=(1000000 4) kinesis_args=(200000) dynamodb_args=(100000) kafka_args=(1000000 32)
  latency_args=(20 1000)
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/shardpipe-run-all.XXXXXX")
failures=()
cleanup() {
  if [ "${#failures[@]}" -eq 0 ]; then rm -rf "$work"; else echo "run_all: logs kept in $work" >&2; fi
}
trap cleanup EXIT
touch "$work/results"

# run NAME COMMAND…: runs one benchmark (its output into $work/NAME.out and .err, shown on
# stderr as it ends) and keeps its RESULT lines, even when it failed after printing some.
run() {
  local name=$1 status=0 t0=$SECONDS
  shift
  echo "run_all: $name: $*" >&2
  "$@" > "$work/$name.out" 2> "$work/$name.err" || status=$?
  cat "$work/$name.out" >&2
  if [ "$status" -ne 0 ]; then
    tail -n 20 "$work/$name.err" >&2
    failures+=("$name (\`$*\`) exited $status: $(tail -n 2 "$work/$name.err" | tr '\n' ' ')")
  fi
  echo "run_all: $name: exit $status after $((SECONDS - t0)) s" >&2
  grep '^RESULT ' "$work/$name.out" >> "$work/results" || true
}

load_at_start=$(cut -d ' ' -f 1-3 /proc/loadavg)
run local bash bench/local_throughput.sh "${local_args[@]}"
run kinesis bash bench/kinesis_throughput.sh "${kinesis_args[@]}"
run dynamodb env RUNS=1 bash bench/dynamodb_throughput.sh "${dynamodb_args[@]}"
run kafka env RUNS=1 bash bench/kafka_throughput.sh "${kafka_args[@]}"
for source in local kinesis dynamodb kafka; do
  run "latency-$source" bash bench/latency.sh "$source" "${latency_args[@]}"
done
load_at_end=$(cut -d ' ' -f 1-3 /proc/loadavg)

# Versions: each falls back to "unknown" rather than failing the report.
first_line() { "$@" 2>&1 | head -n 1 || true; }
package_version() {  # NPM_PACKAGE
  node -p "require('./tests/peers/node_modules/$1/package.json').version" 2>/dev/null || echo unknown
}
compiler=$(awk -F= '/^CMAKE_CXX_COMPILER:/ { print $2 }' "$build/CMakeCache.txt" 2>/dev/null || true)
build_type=$(awk -F= '/^CMAKE_BUILD_TYPE:/ { print $2 }' "$build/CMakeCache.txt" 2>/dev/null || true)
dynamodb_local=$(python3 -c '
import sys, zipfile
jar = zipfile.ZipFile("tests/peers/node_modules/.dynamodb-local/emulator/DynamoDBLocal.jar")
text = jar.read("META-INF/maven/com/amazonaws/DynamoDBLocal/pom.properties").decode()
print(next(l.split("=", 1)[1] for l in text.splitlines() if l.startswith("version=")))' 2>/dev/null ||
  echo unknown)
kcat_version=$(kcat -V 2>/dev/null | awk '/^Version/ { v = $2; for (i = 3; i <= NF; i++) if ($i == "librdkafka") l = $(i + 1) }
  END { print v " (librdkafka " l ")" }' || echo unknown)

{
  echo "# shardpipe source benchmarks, $started"
  echo
  echo "- Command: \`$command_line\` (written to $out); one run of each reader, one after the other."
  echo "- Sizes: local ${local_args[0]} records of 100 bytes in ${local_args[1]} shards; kinesis ${kinesis_args[0]} records of 100 bytes, one shard;" \
    "dynamodb ${dynamodb_args[0]} items, one shard; kafka ${kafka_args[0]} messages of 100 bytes, ${kafka_args[1]} partitions;" \
    "latency ${latency_args[0]} s at ${latency_args[1]} records/s per source."
  echo "- Machine: $(nproc) CPUs (nproc), $(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)," \
    "$(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo) RAM, Linux $(uname -r)," \
    "$(awk -F= '/^PRETTY_NAME=/ { gsub(/"/, "", $2); print $2 }' /etc/os-release 2>/dev/null);" \
    "load average $load_at_start at the start, $load_at_end at the end."
  echo "- Versions: $(first_line "${compiler:-c++}" --version) ($build, ${build_type:-unknown build type})," \
    "librdkafka $(pkg-config --modversion rdkafka 2>/dev/null || echo unknown), Node.js $(node --version)," \
    "kcat $kcat_version, kinesalite $(package_version kinesalite), DynamoDB Local $dynamodb_local" \
    "on $(first_line java -version), kafkajs $(package_version kafkajs)," \
    "AWS SDK for JavaScript $(package_version @aws-sdk/client-kinesis)."
  echo
  python3 bench/results_table.py "$work/results"
  echo "- records/s and MB/s: each reader's records and bytes over its seconds. Bytes are the" \
    "records' data as the source holds it (kinesis, kafka: the 100-byte values; dynamodb: the" \
    "stream records' JSON as sent); for the local log, what the row writes (the input for cat" \
    "and log put, the envelopes for cat and the pipe)."
  echo "- CPU s per M records and peak RSS: user + system CPU and maximum resident set of the" \
    "reader's own process (GNU time), including its start; the servers' CPU is in each script's" \
    "own output. shardpipe's seconds leave out its --stop-when-idle wait, as each script says."
  echo "- × ceiling: records/s over that of the source's ceiling in the same run (local: cat of" \
    "the same bytes + sync; kinesis, dynamodb: the raw GetRecords loop; kafka: kcat). × JS" \
    "reader: over the JS SDK reader (kinesis, dynamodb) or kafkajs (kafka)."
  echo "- p50/p99: latency.sh, from the put to the delivery (the mtime of the output file holding" \
    "the record), on shardpipe's rows; — where not measured."
  for failure in "${failures[@]}"; do echo "- **Failed:** $failure"; done
} > "$work/report.md"

mkdir -p "$(dirname "$out")"
cp "$work/report.md" "$out"
cat "$work/report.md"
echo "run_all: wrote $out" >&2
[ "${#failures[@]}" -eq 0 ]
