# Sourced by the benchmarks that need PostgreSQL: starts a fresh server on 127.0.0.1 and a free
# port under $work/pg (the caller makes $work and removes it), sets $dsn, and stops the server on
# exit. EXTRA_SERVER_OPTIONS adds `-c name=value` settings.
pg_bin=${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)}

# initdb refuses to run as root: the server runs as the postgres user then.
as_server() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

stop_postgres() {
  as_server "$pg_bin/pg_ctl" -D "$work/pg/data" -m immediate -w stop >/dev/null 2>&1 || true
}

start_postgres() {
  chmod 755 "$work"
  mkdir "$work/pg"
  [ "$(id -u)" -eq 0 ] && chown postgres: "$work/pg"
  local port
  port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  as_server "$pg_bin/initdb" -D "$work/pg/data" -A trust -U postgres -E UTF8 --locale C >/dev/null
  as_server "$pg_bin/pg_ctl" -D "$work/pg/data" -l "$work/pg/server.log" -w \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $work/pg/data ${EXTRA_SERVER_OPTIONS:-}" \
    start >/dev/null
  dsn="postgresql://postgres@127.0.0.1:$port/postgres"
}
