#!/usr/bin/env bash
# Configures and builds shardpipe (release preset: optimised, with debug info) in build/release.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake --preset release >/dev/null
cmake --build --preset release
