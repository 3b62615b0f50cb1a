#!/usr/bin/env bash
# A private, throw-away PostgreSQL + PostGIS cluster for benchmarks/run.py (never used by CI or tests).
#
#   bash benchmarks/postgis.sh                 # start, print "URL postgresql://...", wait for stdin to close
#   bash benchmarks/postgis.sh CMD ARGS...     # start, run CMD with BENCH_PG_URL set, then stop
#
# Installs the Debian packages when PostGIS is missing (apt-get, needs root), creates a cluster with initdb
# in a temporary folder, listens on 127.0.0.1 only on a free port, creates the postgis extension in a
# database "bench", prints the connection URL, and stops and removes the cluster on exit (trap).
set -euo pipefail

log() { echo "postgis.sh: $*" >&2; }

pg_bin() {
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  [ -n "$dir" ] && echo "$dir"
}

have_postgis() {
  local bin share
  bin=$(pg_bin) || return 1
  share=$("$bin/pg_config" --sharedir 2>/dev/null) || return 1
  [ -f "$share/extension/postgis.control" ]
}

if ! have_postgis; then
  log "installing PostgreSQL + PostGIS from Debian packages"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  # 'postgis' pulls postgresql-NN-postgis-3 for the distribution's PostgreSQL
  apt-get install -y -qq postgresql postgis >&2
fi
BIN=$(pg_bin)

WORK=$(python3 -c 'import tempfile; print(tempfile.mkdtemp(prefix="bench-pg."))')
RUN_AS=()
if [ "$(id -u)" = "0" ]; then   # initdb refuses root: run the server as the postgres system user
  chown postgres: "$WORK"
  RUN_AS=(runuser -u postgres --)
fi

cleanup() {
  "${RUN_AS[@]}" "$BIN/pg_ctl" -D "$WORK/data" -m fast -w stop >/dev/null 2>&1 || true
  rm -rf "$WORK"
  log "cluster stopped and removed"
}
trap cleanup EXIT INT TERM

PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"${RUN_AS[@]}" "$BIN/initdb" -D "$WORK/data" -U bench --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
"${RUN_AS[@]}" "$BIN/pg_ctl" -D "$WORK/data" -l "$WORK/server.log" -w \
  -o "-c listen_addresses=127.0.0.1 -p $PORT -c unix_socket_directories=$WORK" start >/dev/null
"$BIN/psql" -q -h 127.0.0.1 -p "$PORT" -U bench -d postgres -c "CREATE DATABASE bench" >/dev/null
"$BIN/psql" -q -h 127.0.0.1 -p "$PORT" -U bench -d bench -c "CREATE EXTENSION postgis" >/dev/null

URL="postgresql://bench@127.0.0.1:$PORT/bench"
echo "URL $URL"
log "cluster in $WORK, port $PORT"

if [ "$#" -gt 0 ]; then
  BENCH_PG_URL="$URL" "$@"
else
  cat >/dev/null   # wait until the driver closes our stdin
fi
