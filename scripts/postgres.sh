#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the tests (Debian's postgresql package, installed by scripts/setup.sh).
#
#   eval "$(bash scripts/postgres.sh start)"      # prints export lines: VIGIL_TEST_POSTGRES, VIGIL_TEST_POSTGRES_DIR
#   bash scripts/postgres.sh stop "$VIGIL_TEST_POSTGRES_DIR"
#
# The cluster lives in a new temporary folder (owned by the `postgres` system user when run as root, since the
# server refuses to run as root), listens only on 127.0.0.1 at a free port, requires a password (SCRAM) for a
# random superuser password, and is tuned for speed, not durability (fsync off). Progress goes to stderr.
set -euo pipefail

bindir() {
  local dir
  for dir in /usr/lib/postgresql/*/bin; do
    [[ -x "$dir/initdb" ]] && { echo "$dir"; return 0; }
  done
  command -v initdb >/dev/null 2>&1 && { dirname "$(readlink -f "$(command -v initdb)")"; return 0; }
  echo "postgres.sh: initdb not found (run scripts/setup.sh)" >&2
  return 1
}

# Runs a command as the cluster owner: `postgres` when we are root, else ourselves.
as_owner() {
  if [[ $EUID -eq 0 ]]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

start() {
  local bin dir password port attempt started=0 t0
  t0=$(date +%s.%N)
  bin=$(bindir)
  dir=$(mktemp -d "${TMPDIR:-/tmp}/vigil-pg.XXXXXX")
  chmod 700 "$dir"
  [[ $EUID -eq 0 ]] && chown postgres:postgres "$dir"
  password=$(head -c 18 /dev/urandom | od -An -tx1 | tr -d ' \n')
  as_owner bash -c "umask 077; printf '%s\n' '$password' > '$dir/pwfile'"
  if ! as_owner "$bin/initdb" -D "$dir/data" -U vigil_test --auth=scram-sha-256 --pwfile="$dir/pwfile" -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1; then
    cat "$dir/initdb.log" >&2
    echo "postgres.sh: initdb failed" >&2
    return 1
  fi
  rm -f "$dir/pwfile"

  for attempt in 1 2 3 4 5 6 7 8; do
    port=$((20000 + (RANDOM * 32768 + RANDOM) % 40000))
    if ss -Hltn "sport = :$port" 2>/dev/null | grep -q .; then
      continue
    fi
    if as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start \
        -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$dir -c max_connections=300 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c shared_buffers=64MB" >/dev/null 2>&1; then
      started=1
      break
    fi
    echo "postgres.sh: start on port $port failed (attempt $attempt), retrying" >&2
  done
  if [[ $started -ne 1 ]]; then
    tail -n 20 "$dir/server.log" >&2 || true
    echo "postgres.sh: could not start PostgreSQL" >&2
    return 1
  fi

  echo "postgres.sh: PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port ($dir), started in $(awk "BEGIN{printf \"%.1f\", $(date +%s.%N) - $t0}") s" >&2
  echo "export VIGIL_TEST_POSTGRES='Host=127.0.0.1;Port=$port;Username=vigil_test;Password=$password;Database=postgres'"
  echo "export VIGIL_TEST_POSTGRES_DIR='$dir'"
}

stop() {
  local dir=${1:-}
  [[ -n "$dir" && -d "$dir/data" ]] || return 0
  as_owner "$(bindir)/pg_ctl" -D "$dir/data" -m immediate -w -t 30 stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}

case "${1:-}" in
  start) start ;;
  stop) stop "${2:-}" ;;
  *) echo "usage: postgres.sh start | stop DIR" >&2; exit 2 ;;
esac
