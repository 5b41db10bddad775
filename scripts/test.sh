#!/usr/bin/env bash
# Installs what is needed, builds, and runs every test. Run as root on Debian 12:
#   bash scripts/test.sh
# The release build (what the quick start runs), every test with ctest under AddressSanitizer and
# UBSan, a short libFuzzer smoke run of every fuzzer, then the concurrency tests under
# ThreadSanitizer. (`ctest --preset release` runs the same tests on the release build.)
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh
bash scripts/install-test-peers.sh
bash scripts/build.sh
# Every test, and every shardpipe process the tests start, with ASan + UBSan: a memory error,
# undefined behaviour or a leak fails the test that made it.
bash scripts/sanitizers.sh asan
# A short libFuzzer smoke run of every fuzzer (docs/development.md).
bash scripts/fuzz.sh 15 event_pattern input_template local_segment pipe_file processor_protocol \
  kpl_aggregate aws_kinesis_response dynamodb_stream_record kafka_envelope
# The concurrency tests, and the shardpipe processes they start, under ThreadSanitizer.
bash scripts/sanitizers.sh tsan
