#!/usr/bin/env bash
# Installs what is needed, builds, and runs every test. Run as root on Debian 12:
#   bash scripts/test.sh
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh
bash scripts/build.sh
ctest --preset release -j2 --timeout 900
# A short libFuzzer smoke run (docs/development.md). pipe_file is left out: it soon finds a known
# hang inside the YAML library (fuzz/README.md, known issues) and is run on demand.
bash scripts/fuzz.sh 15 event_pattern input_template local_segment processor_protocol
