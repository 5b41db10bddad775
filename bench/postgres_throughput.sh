#!/usr/bin/env bash
# Rows per second into PostgreSQL, in one run against one fresh local server (fsync on,
# synchronous_commit on):
# - shardpipe: local log (100-byte JSON records, data_encoding json) → postgres target, mode
#   insert, one statement per batch, checkpoints on;
# - the ceiling: psql \copy of the very rows shardpipe wrote into an empty table of the same
#   schema (primary key, jsonb), one COPY, one commit;
# - the alternative design, for the record: the same COPY into a temporary table followed by
#   INSERT ... SELECT ... ON CONFLICT (event_id) DO NOTHING, in one transaction.
#   bash bench/postgres_throughput.sh [RECORDS] [SHARDS]        (BATCH=5000 by default)
# Needs a release build (bash scripts/build.sh) and the PostgreSQL server binaries. Prints a
# Markdown table.
set -euo pipefail
cd "$(dirname "$0")/.."

records=${1:-200000}
shards=${2:-4}
batch=${BATCH:-5000}
shardpipe=${SHARDPIPE:-build/release/src/cli/shardpipe}
work=$(mktemp -d "${TMPDIR:-/tmp}/shardpipe-pg-bench.XXXXXX")
source bench/postgres_server.sh
cleanup() {
  stop_postgres
  rm -rf "$work"
}
trap cleanup EXIT
EXTRA_SERVER_OPTIONS="-c shared_buffers=256MB -c max_wal_size=4GB" start_postgres
psql_run() { psql "$dsn" -v ON_ERROR_STOP=1 -qAt "$@"; }

now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }
rate() { awk -v n="$1" -v s="$2" 'BEGIN { printf "%.0f", n / s }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

# 100-byte records: {"k":"key-<i mod 100>","n":<i>,"p":"xxx…"} padded to 99 bytes + newline.
awk -v n="$records" 'BEGIN { for (i = 0; i < n; i++) {
    line = sprintf("{\"k\":\"key-%d\",\"n\":%d,\"p\":\"", i % 100, i);
    pad = 99 - length(line) - 2; p = sprintf("%" pad "s", ""); gsub(/ /, "x", p);
    printf "%s%s\"}\n", line, p } }' > "$work/input.jsonl"
"$shardpipe" log create "$work/log" --shards "$shards" >/dev/null
"$shardpipe" log put "$work/log" --partition-key-field k < "$work/input.jsonl" 2>/dev/null

cat > "$work/pipe.yaml" <<YAML
name: pg-bench
source:
  type: local
  path: ./log
  batch_size: $batch
  data_encoding: json
  on_decode_error: fail
target:
  type: postgres
  dsn: "$dsn"
  table: events
  mode: insert
metrics:
  listen: "off"
YAML
t0=$(now)
"$shardpipe" run "$work/pipe.yaml" --stop-when-idle 200ms --log-level warn
t1=$(now)
# The idle wait (200ms) is not work: take it off. Connecting and creating the table are counted.
pipe_s=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a - 0.2 }')
rows=$(psql_run -c "SELECT count(*) FROM events")
[ "$rows" -eq "$records" ] || { echo "shardpipe wrote $rows of $records rows" >&2; exit 1; }

# The same rows, as COPY text, for the ceiling and the alternative.
psql_run -c "\copy (SELECT event_id, shard_id, sequence_number, partition_key, record FROM events) TO '$work/rows.copy'"
psql_run -c "CREATE TABLE events_copy (LIKE events INCLUDING ALL); CHECKPOINT"
t0=$(now)
psql_run -c "\copy events_copy (event_id, shard_id, sequence_number, partition_key, record) FROM '$work/rows.copy'"
t1=$(now)
copy_s=$(secs "$t0" "$t1")

psql_run -c "CREATE TABLE events_staged (LIKE events INCLUDING ALL); CHECKPOINT"
cat > "$work/staged.sql" <<SQL
BEGIN;
CREATE TEMP TABLE incoming (event_id text, shard_id text, sequence_number text, partition_key text, record text) ON COMMIT DROP;
\copy incoming FROM '$work/rows.copy'
INSERT INTO events_staged (event_id, shard_id, sequence_number, partition_key, record)
  SELECT event_id, shard_id, sequence_number, partition_key, record::jsonb FROM incoming
  ON CONFLICT (event_id) DO NOTHING;
COMMIT;
SQL
t0=$(now)
psql_run -f "$work/staged.sql"
t1=$(now)
staged_s=$(secs "$t0" "$t1")

bytes=$(stat -c %s "$work/rows.copy")
echo "| what ($records rows, $(( bytes / records )) bytes each as COPY text) | seconds | rows/s | ratio to the ceiling |"
echo "|---|---:|---:|---:|"
echo "| ceiling: psql \\copy into an empty table (one COPY, one commit) | $copy_s | $(rate "$records" "$copy_s") | 1.00 |"
echo "| psql \\copy to a temp table + INSERT … ON CONFLICT DO NOTHING | $staged_s | $(rate "$records" "$staged_s") | $(ratio "$copy_s" "$staged_s") |"
echo "| shardpipe local → postgres insert ($shards shards, batch_size $batch, checkpoints) | $pipe_s | $(rate "$records" "$pipe_s") | $(ratio "$copy_s" "$pipe_s") |"
echo
echo "shardpipe / COPY ceiling: $(ratio "$copy_s" "$pipe_s")"
