#!/usr/bin/env bash
# The five-minute tour: installs and builds shardpipe, creates a local log with 4 shards, puts
# 10,000 sample orders into it, and runs a pipe that moves them into files, with checkpoints in
# SQLite. Run as root on Debian 12 from the repository: bash scripts/quickstart.sh
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh
bash scripts/build.sh
shardpipe=build/release/src/cli/shardpipe
tour=quickstart
rm -rf "$tour"
mkdir -p "$tour"

echo
echo "== 1. a local log with 4 shards"
$shardpipe log create "$tour/orders-log" --shards 4

echo
echo "== 2. 10,000 orders, keyed by customer"
seq 1 10000 | awk '{
  status = ($1 % 3 == 0) ? "pending" : "paid";
  printf "{\"order_id\":%d,\"customer\":\"customer-%d\",\"status\":\"%s\",\"amount\":%d.%02d}\n", $1, $1 % 97, status, $1 % 500, $1 % 100
}' | $shardpipe log put "$tour/orders-log" --partition-key-field customer
$shardpipe log describe "$tour/orders-log"

echo
echo "== 3. a pipe from the log into files"
cat > "$tour/orders.yaml" <<'YAML'
name: orders
source:
  type: local
  path: ./orders-log
  starting_position: TRIM_HORIZON
  batch_size: 500
  data_encoding: json
target:
  type: file
  path: ./out
  records_per_file: 1000
dead_letter:                  # where records that are not valid JSON go
  type: file
  path: ./dlq
checkpoint:
  store: sqlite:./state/orders.db
YAML
$shardpipe validate "$tour/orders.yaml"
$shardpipe run "$tour/orders.yaml" --stop-when-idle 2s

echo
echo "== 4. where the records went"
files=$(find "$tour/out" -name '*.jsonl' | wc -l)
records=$(cat "$tour"/out/*/*.jsonl | wc -l)
$shardpipe status "$tour/orders.yaml"
echo
echo "$records records delivered in $files files under $tour/out/<shardId>/; checkpoints in $tour/state/orders.db"
echo "first record: $(head -c 400 "$(find "$tour/out" -name '*.jsonl' | sort | head -1)" | head -1)"
