#!/usr/bin/env bash
# A throw-away PostgreSQL cluster for the tests: made in a temporary folder, owned by an unprivileged
# user (initdb refuses root), listening on a local port only, fsync on (the store's guarantees are
# tested as they run). Usage:
#   eval "$(.ci/pg-cluster.sh start)"   prints: export INSPECTOR_TEST_PG=…; export PG_CLUSTER_DIR=…
#   .ci/pg-cluster.sh stop DIR          stops it and removes the folder
set -euo pipefail

bindir() {
  local d
  d=$(command -v pg_config >/dev/null 2>&1 && pg_config --bindir || true)
  [ -n "$d" ] && [ -x "$d/initdb" ] && { echo "$d"; return; }
  d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
  [ -n "$d" ] && [ -x "$d/initdb" ] && { echo "$d"; return; }
  echo "PostgreSQL (initdb) not found: apt-get install postgresql" >&2
  exit 1
}

as_owner() {  # run as the cluster's owner: ourselves, or nobody when we are root
  if [ "$(id -u)" -eq 0 ]; then
    setpriv --reuid=nobody --regid=nogroup --clear-groups -- "$@"
  else
    "$@"
  fi
}

case "${1:-}" in
  start)
    bin=$(bindir)
    dir=$(mktemp -d /tmp/inspector-pg.XXXXXX)
    chmod 755 "$dir"
    [ "$(id -u)" -eq 0 ] && chown nobody:nogroup "$dir"
    port=${PG_TEST_PORT:-$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')}
    # C collation: text sorts by code point, as SQLite sorts it (the program refuses another)
    as_owner "$bin/initdb" -D "$dir/data" -U inspector --auth=trust --locale=C --encoding=UTF8 >"$dir/initdb.log" 2>&1 \
      || { cat "$dir/initdb.log" >&2; exit 1; }
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
      -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$dir -c max_connections=200" \
      start >/dev/null || { cat "$dir/server.log" >&2; exit 1; }
    echo "export PG_CLUSTER_DIR=$dir"
    echo "export INSPECTOR_TEST_PG=postgresql://inspector@127.0.0.1:$port/postgres"
    ;;
  stop)
    dir=${2:?cluster folder}
    bin=$(bindir)
    as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
    rm -rf "$dir"
    ;;
  *)
    echo "usage: .ci/pg-cluster.sh start | stop DIR" >&2
    exit 2
    ;;
esac
