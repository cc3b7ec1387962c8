#!/usr/bin/env bash
# The one command that runs every test: installs what the tests need, builds, runs each test
# project, and ends with one line "N passed, N failed, N skipped" summing all of them.
set -uo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh || { echo "setup failed"; echo "0 passed, 1 failed"; exit 1; }

# A throwaway PostgreSQL cluster for the storage tests, stopped on exit. If it cannot start, the variable still
# points at a server (an unusable one), so the PostgreSQL tests fail instead of being skipped.
VIGIL_TEST_POSTGRES_DIR="" VIGIL_TEST_REDIS_DIR=""
trap 'bash scripts/postgres.sh stop "$VIGIL_TEST_POSTGRES_DIR"; bash scripts/redis.sh stop "$VIGIL_TEST_REDIS_DIR"' EXIT
if pg_env=$(bash scripts/postgres.sh start); then
  eval "$pg_env"
else
  echo "postgres: could not start a test cluster; the PostgreSQL tests will fail"
  export VIGIL_TEST_POSTGRES="Host=127.0.0.1;Port=1;Username=unavailable;Password=unavailable;Database=unavailable;Timeout=2"
fi

# Likewise a throwaway Redis for the revocation bus tests; unusable if it cannot start, so they fail, not skip.
if redis_env=$(bash scripts/redis.sh start); then
  eval "$redis_env"
else
  echo "redis: could not start a test server; the Redis tests will fail"
  export VIGIL_TEST_REDIS="127.0.0.1:1,password=unavailable,connectTimeout=2000"
fi

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
# Test processes run sockets the way `vigil serve` does by default (server.inline_io: inline socket completions).
export DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1
if ! dotnet build Vigil.slnx -c Release -nologo -v q; then
  echo "build failed"
  echo "0 passed, 1 failed"
  exit 1
fi

passed=0 failed=0 skipped=0 status=0
logdir=$(mktemp -d)
for project in test/*/*.csproj; do
  name=$(basename "$project" .csproj)
  echo "== $name"
  log="$logdir/$name.log"
  dotnet test "$project" -c Release --no-build -nologo --logger "console;verbosity=minimal" 2>&1 | tee "$log"
  rc=${PIPESTATUS[0]}
  line=$(grep -E "(Passed|Failed)! +- +Failed: +[0-9]+, +Passed: +[0-9]+, +Skipped: +[0-9]+" "$log" | tail -n 1)
  if [[ -z "$line" ]]; then
    echo "$name: no test summary (exit $rc)"
    failed=$((failed + 1)); status=1; continue
  fi
  f=$(sed -E 's/.*Failed: +([0-9]+).*/\1/' <<<"$line")
  p=$(sed -E 's/.*Passed: +([0-9]+).*/\1/' <<<"$line")
  s=$(sed -E 's/.*Skipped: +([0-9]+).*/\1/' <<<"$line")
  passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + s))
  [[ $rc -ne 0 || $f -ne 0 ]] && status=1
done
rm -rf "$logdir"

echo "$passed passed, $failed failed, $skipped skipped"
exit $status
