#!/usr/bin/env bash
# A throwaway Redis server for the tests (Debian's redis-server package, installed by scripts/setup.sh).
#
#   eval "$(bash scripts/redis.sh start)"      # prints export lines: VIGIL_TEST_REDIS, VIGIL_TEST_REDIS_DIR
#   bash scripts/redis.sh pause "$VIGIL_TEST_REDIS_DIR"    # stops the server, keeps its folder (outage tests)
#   bash scripts/redis.sh resume "$VIGIL_TEST_REDIS_DIR"   # starts it again on the same port and password
#   bash scripts/redis.sh stop "$VIGIL_TEST_REDIS_DIR"     # stops it and removes the folder
#
# The server lives in a new temporary folder (config, pid file, log), listens only on 127.0.0.1 at a free port (no
# Unix socket), requires a random password (requirepass), and keeps nothing on disk (no RDB snapshots, no AOF).
# VIGIL_TEST_REDIS is a StackExchange.Redis configuration string. Progress goes to stderr.
set -euo pipefail

server_bin() {
  command -v redis-server >/dev/null 2>&1 || { echo "redis.sh: redis-server not found (run scripts/setup.sh)" >&2; return 1; }
  command -v redis-server
}

# Starts the server described by DIR/redis.conf and waits until it answers (PING with the password).
run() {
  local dir=$1 port password i
  port=$(awk '$1 == "port" { print $2 }' "$dir/redis.conf")
  password=$(cat "$dir/password")
  "$(server_bin)" "$dir/redis.conf" >/dev/null 2>&1 || return 1
  for i in $(seq 1 100); do
    if [[ "$(REDISCLI_AUTH="$password" redis-cli -h 127.0.0.1 -p "$port" --no-auth-warning ping 2>/dev/null)" == "PONG" ]]; then
      return 0
    fi
    sleep 0.1
  done
  return 1
}

start() {
  local dir password port attempt started=0
  server_bin >/dev/null
  dir=$(mktemp -d "${TMPDIR:-/tmp}/vigil-redis.XXXXXX")
  chmod 700 "$dir"
  password=$(head -c 18 /dev/urandom | od -An -tx1 | tr -d ' \n')
  (umask 077; printf '%s' "$password" >"$dir/password")
  for attempt in 1 2 3 4 5 6 7 8; do
    port=$((20000 + (RANDOM * 32768 + RANDOM) % 40000))
    if ss -Hltn "sport = :$port" 2>/dev/null | grep -q .; then
      continue
    fi
    (umask 077; cat >"$dir/redis.conf" <<EOF
bind 127.0.0.1
port $port
unixsocket ""
protected-mode yes
requirepass $password
daemonize yes
pidfile $dir/redis.pid
logfile $dir/redis.log
dir $dir
save ""
appendonly no
databases 1
EOF
    )
    if run "$dir"; then
      started=1
      break
    fi
    stop_server "$dir"
    echo "redis.sh: start on port $port failed (attempt $attempt), retrying" >&2
  done
  if [[ $started -ne 1 ]]; then
    tail -n 20 "$dir/redis.log" >&2 || true
    rm -rf "$dir"
    echo "redis.sh: could not start redis-server" >&2
    return 1
  fi

  echo "redis.sh: Redis $("$(server_bin)" --version | sed -E 's/.*v=([^ ]+).*/\1/') on 127.0.0.1:$port ($dir)" >&2
  echo "export VIGIL_TEST_REDIS='127.0.0.1:$port,password=$password'"
  echo "export VIGIL_TEST_REDIS_DIR='$dir'"
}

# Stops the server of DIR (if running) and waits until its process is gone; the folder stays.
stop_server() {
  local dir=$1 pid i
  [[ -f "$dir/redis.pid" ]] || return 0
  pid=$(cat "$dir/redis.pid")
  if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null && grep -qs redis-server "/proc/$pid/cmdline"; then
    kill "$pid" 2>/dev/null || true
    for i in $(seq 1 100); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -0 "$pid" 2>/dev/null && kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$dir/redis.pid"
}

valid_dir() {
  [[ -n "${1:-}" && -f "$1/redis.conf" ]] || { echo "redis.sh: not a redis.sh folder: ${1:-}" >&2; return 1; }
}

case "${1:-}" in
  start) start ;;
  pause) valid_dir "${2:-}" && stop_server "$2" ;;
  resume) valid_dir "${2:-}" && { run "$2" || { tail -n 20 "$2/redis.log" >&2; echo "redis.sh: could not start redis-server again" >&2; exit 1; }; } ;;
  stop)
    if [[ -n "${2:-}" && -f "${2}/redis.conf" ]]; then
      stop_server "$2"
      rm -rf "$2"
    fi
    ;;
  *) echo "usage: redis.sh start | pause DIR | resume DIR | stop DIR" >&2; exit 2 ;;
esac
