#!/usr/bin/env bash
# The tests under the sanitizers (docs/development.md, "Sanitizers"). The test command (CI) runs
# `asan` and `tsan`; `valgrind` runs on demand.
#
#   bash scripts/sanitizers.sh asan       every test, built with AddressSanitizer and UBSan
#   bash scripts/sanitizers.sh tsan       the concurrency tests, and the shardpipe processes they
#                                         start, built with ThreadSanitizer
#   bash scripts/sanitizers.sh valgrind   a local → file pipe and the operator commands under
#                                         valgrind's memcheck (preset memcheck: g++ -O0)
#   bash scripts/sanitizers.sh            all three
#
# Both sanitizer builds use clang 19 at -O1 (presets `asan` and `tsan`); the memcheck build is
# g++'s, unoptimised. A finding fails the test that made it:
# the sanitizers stop the process with an error, in the test program and in every shardpipe
# process it starts.
set -euo pipefail
cd "$(dirname "$0")/.."

stages=("$@")
((${#stages[@]} > 0)) || stages=(asan tsan valgrind)

# Readable stack traces in the reports.
for symbolizer in llvm-symbolizer-19 llvm-symbolizer; do
  if command -v "$symbolizer" >/dev/null; then
    export ASAN_SYMBOLIZER_PATH="$(command -v "$symbolizer")"
    export TSAN_OPTIONS="external_symbolizer_path=$ASAN_SYMBOLIZER_PATH ${TSAN_OPTIONS:-}"
    break
  fi
done

run_asan() {
  cmake --preset asan >/dev/null
  cmake --build --preset asan
  # Leaks are checked when each process exits; a process killed on purpose (SIGKILL) is not.
  # Each test keeps its own time limit (tests/CMakeLists.txt), as in the release build.
  ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:detect_stack_use_after_return=0:${ASAN_OPTIONS:-}" \
  UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:${UBSAN_OPTIONS:-}" \
    ctest --preset asan -j2
}

# The tests whose code runs on several threads at once: the engine's consumers, delivery lanes
# and in-flight budget, the local log's writers and readers, the checkpoint stores and leases,
# and the runner with its several workers.
tsan_programs=(
  tests/unit/pipeline/pipeline_test
  tests/unit/local/local_log_test
  tests/integration/delivery_integration_test
  tests/integration/local_behaviour_test
  tests/integration/local_integration_test
)

run_tsan() {
  cmake --preset tsan >/dev/null
  local targets=(shardpipe)
  for program in "${tsan_programs[@]}"; do targets+=("$(basename "$program")"); done
  cmake --build --preset tsan --target "${targets[@]}"
  export TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 ${TSAN_OPTIONS:-}"
  local failed=()
  for program in "${tsan_programs[@]}"; do
    echo "== tsan: $(basename "$program")"
    "build/tsan/$program" --gtest_brief=1 || failed+=("$(basename "$program")")
  done
  if ((${#failed[@]} > 0)); then
    echo "tsan: failed: ${failed[*]}" >&2
    return 1
  fi
}

# memcheck is too slow for the test suite; a short pipe and the commands an operator runs show
# that nothing leaks or reads uninitialised memory on the paths every run takes.
run_valgrind() {
  # Unoptimised (g++ -O0 -g): memcheck then names the exact lines, and it builds in minutes.
  cmake --preset memcheck >/dev/null
  cmake --build --preset memcheck
  local shardpipe=build/memcheck/src/cli/shardpipe
  local work
  work=$(mktemp -d "${TMPDIR:-/tmp}/shardpipe-valgrind.XXXXXX")
  trap 'rm -rf "$work"' RETURN
  local memcheck=(valgrind --quiet --error-exitcode=99 --leak-check=full
    --errors-for-leak-kinds=definite,indirect --show-leak-kinds=definite,indirect
    --track-origins=yes)
  cat > "$work/pipe.yaml" <<'YAML'
name: memcheck
source:
  type: local
  path: ./log
  batch_size: 100
  data_encoding: json
  on_decode_error: dead_letter
filter:
  - { data: { status: [paid] } }
transform: '{"id": <$.data.id>, "shard": <$.shardId>}'
target:
  type: file
  path: ./out
  records_per_file: 250
dead_letter:
  type: file
  path: ./dlq
YAML
  "$shardpipe" log create "$work/log" --shards 3 >/dev/null
  {
    seq 1 2000 | awk '{ printf "{\"id\":%d,\"status\":\"%s\"}\n", $1, ($1 % 2) ? "paid" : "open" }'
    echo 'not json'
  } | "${memcheck[@]}" "$shardpipe" log put "$work/log" --partition-key-field id >/dev/null
  "${memcheck[@]}" "$shardpipe" validate "$work/pipe.yaml" >/dev/null
  "${memcheck[@]}" "$shardpipe" run "$work/pipe.yaml" --stop-when-idle 1s --log-level warn
  "${memcheck[@]}" "$shardpipe" status "$work/pipe.yaml" >/dev/null
  "${memcheck[@]}" "$shardpipe" checkpoint list "$work/pipe.yaml" >/dev/null
  local delivered dead_lettered
  delivered=$(cat "$work"/out/*/*.jsonl | wc -l)
  dead_lettered=$(find "$work/dlq" -type f -exec cat {} + | wc -l)
  if [[ "$delivered" != 1000 || "$dead_lettered" != 1 ]]; then
    echo "valgrind: expected 1000 records out and 1 dead letter, got $delivered and $dead_lettered" >&2
    return 1
  fi
  echo "valgrind: log put, validate, run (2,001 records), status and checkpoint list: clean"
}

for stage in "${stages[@]}"; do
  case "$stage" in
    asan) run_asan ;;
    tsan) run_tsan ;;
    valgrind) run_valgrind ;;
    *) echo "unknown stage '$stage' (asan, tsan or valgrind)" >&2; exit 2 ;;
  esac
done
