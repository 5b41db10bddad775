#!/usr/bin/env bash
# Builds the libFuzzer targets (fuzz/, preset `fuzz`: clang 19, ASan + UBSan) and runs each one in
# turn on a working copy of its seed corpus for SECONDS_PER_TARGET seconds (default 30). Fails if
# any fuzzer finds a crash, a leak, a hang or undefined behaviour; the input that triggered it is
# left in build/fuzz/artifacts/<target>/ and the fuzzer's output in build/fuzz/logs/<target>.log.
#
#   bash scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]
#
# TARGET is a folder of fuzz/corpus (event_pattern, pipe_file, ...); default: all of them. New
# inputs found are kept in build/fuzz/corpus/<target>/, so later runs go on from there.
# SHARDPIPE_FUZZ_JOBS sets the build's parallelism (default: the preset's).
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${1:-30}"
shift || true
targets=("$@")
if ((${#targets[@]} == 0)); then
  for dir in fuzz/corpus/*/; do targets+=("$(basename "$dir")"); done
fi

cmake --preset fuzz >/dev/null
nice cmake --build --preset fuzz ${SHARDPIPE_FUZZ_JOBS:+--parallel "$SHARDPIPE_FUZZ_JOBS"}

build=build/fuzz
mkdir -p "$build/logs"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1}"
# Readable stack traces in the logs, when an llvm-symbolizer is installed.
if [[ -z "${ASAN_SYMBOLIZER_PATH:-}" ]]; then
  for symbolizer in llvm-symbolizer-19 llvm-symbolizer; do
    if command -v "$symbolizer" >/dev/null; then
      export ASAN_SYMBOLIZER_PATH="$(command -v "$symbolizer")"
      break
    fi
  done
fi
failed=()
for target in "${targets[@]}"; do
  fuzzer="$build/fuzz/fuzz_$target"
  [[ -x "$fuzzer" ]] || { echo "no fuzzer for '$target' ($fuzzer)" >&2; exit 2; }
  corpus="$build/corpus/$target"
  artifacts="$build/artifacts/$target"
  log="$build/logs/$target.log"
  mkdir -p "$corpus" "$artifacts"
  cp -R "fuzz/corpus/$target/." "$corpus/"
  options=(-max_total_time="$seconds" -timeout=20 -rss_limit_mb=2048 -print_final_stats=1
    -artifact_prefix="$artifacts/")
  [[ -f "fuzz/$target.dict" ]] && options+=(-dict="fuzz/$target.dict")
  # A fuzzer that hits its memory limit prints a heap profile first, which can take many
  # minutes: past the run time plus a margin it is stopped, and counts as failed.
  if timeout --signal=KILL "$((seconds + 120))" nice "$fuzzer" "${options[@]}" "$corpus" \
    >"$log" 2>&1; then
    status=ok
  else
    status=FAILED
    failed+=("$target")
  fi
  # "#123456 DONE cov: 812 ft: 3001 corp: 240/18Kb lim: 4096 exec/s: 4115 rss: 96Mb"
  done_line="$(grep -E '^#[0-9]+[[:space:]]+(DONE|INITED)' "$log" | tail -n 1 || true)"
  echo "fuzz $target: $status in ${seconds}s: ${done_line:-no stats}"
  if [[ "$status" == FAILED ]]; then
    grep -E '^(==[0-9]+==ERROR|SUMMARY|.*runtime error|artifact_prefix|Test unit written)' "$log" |
      head -n 20 || true
  fi
done

if ((${#failed[@]} > 0)); then
  echo "fuzzers that found a problem: ${failed[*]} (see $build/logs/ and $build/artifacts/)" >&2
  exit 1
fi
echo "fuzz: ok"
