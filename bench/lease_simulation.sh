#!/usr/bin/env bash
# Balancing at scale (docs/scaling.md): simulated workers (threads, each with its own connection
# and the real balancer) sharing SHARDS shards through a fresh PostgreSQL server on 127.0.0.1.
# Prints a Markdown table: time to fair shares after a start, kills, joins and graceful stops,
# leases moved, and store statements per second (counted by the workers, and checked against the
# server's own count of transactions).
#   bash bench/lease_simulation.sh [SHARDS] [WORKERS] [LEASE_MS]
# Needs a release build (bash scripts/build.sh) and the PostgreSQL server binaries.
set -euo pipefail
cd "$(dirname "$0")/.."

shards=${1:-1000}
workers=${2:-50}
lease_ms=${3:-10000}
simulation=${SIMULATION:-build/release/bench/lease_simulation}
work=$(mktemp -d "${TMPDIR:-/tmp}/shardpipe-lease-sim.XXXXXX")
source bench/postgres_server.sh
cleanup() {
  stop_postgres
  rm -rf "$work"
}
trap cleanup EXIT
EXTRA_SERVER_OPTIONS="-c max_connections=$((workers * 2 + 20))" start_postgres

commits() { psql "$dsn" -qAt -c "SELECT xact_commit FROM pg_stat_database WHERE datname = 'postgres'"; }
before=$(commits)
start=$(date +%s.%N)
status=0
"$simulation" "$dsn" --shards "$shards" --workers "$workers" --lease-ms "$lease_ms" || status=$?
end=$(date +%s.%N)
after=$(commits)
awk -v c=$((after - before)) -v a="$start" -v b="$end" \
  'BEGIN { printf "\nserver: %d transactions in %.0f s, %.0f/s on average\n", c, b - a, c / (b - a) }'
exit $status
