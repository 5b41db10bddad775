#!/usr/bin/env bash
# Installs what is needed, builds, and runs every test. Run as root on Debian 12:
#   bash scripts/test.sh
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh
bash scripts/build.sh
ctest --preset release -j2 --timeout 900
bash scripts/fuzz.sh 15   # a short libFuzzer smoke run of every fuzz target (docs/development.md)
