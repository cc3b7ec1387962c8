#!/usr/bin/env bash
# Paired A/B of Vigil's CPU per proxied request: the working tree (A) against another revision (B), both serving the
# same upstream at once and measured alternately, so a slow spell of a shared machine hits both. More sensitive than
# comparing rps across runs of run.sh (differences of about 0.5 µs per request show after enough rounds).
#
#   bash bench/gateway/ab.sh REV [rounds=10] [duration=4s]     e.g. bash bench/gateway/ab.sh HEAD~3
#   A_ENV / B_ENV    extra environment for one side (e.g. B_ENV="DOTNET_gcServer=1" with REV=HEAD to try a knob)
#   WARMUP           load per side before the first round (10s; .NET's tiered JIT needs several seconds)
#
# Prints each round's CPU µs per request and rps for both sides, then the medians and how many rounds A was cheaper.
set -euo pipefail
cd "$(dirname "$0")/../.."
REV=${1:?usage: bash bench/gateway/ab.sh REV [rounds] [duration]}
ROUNDS=${2:-10}
DURATION=${3:-4s}

source bench/gateway/common.sh
ensure_tools

work=$(mktemp -d)
pids=()
base="$work/base"
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  git worktree remove --force "$base" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

echo "ab: building A (working tree) and B ($REV)"
git worktree add -q --detach "$base" "$REV"
dotnet build src/Vigil.Cli -c Release -nologo -v q >/dev/null
dotnet build "$base/src/Vigil.Cli" -c Release -nologo -v q >/dev/null

UP=$(free_port)
upstream_conf "$work/upstream" "$UP"
"$NGINX" -p "$work/upstream" -c "$work/upstream/nginx.conf" -g 'daemon off;' >/dev/null 2>&1 &
pids+=($!)

declare -A PID PORT SESSION
start() { # side tree env
  local side=$1 vigil="dotnet $2/src/Vigil.Cli/bin/Release/net10.0/vigil.dll" port
  port=$(free_port)
  vigil_setup "$work/$side" "$port" "$UP" "$vigil"
  env $3 $vigil serve --config "$work/$side/vigil.yaml" > "$work/$side/vigil.log" 2>&1 &
  pids+=($!)
  PID[$side]=$!
  PORT[$side]=$port
}
start A "$PWD" "${A_ENV:-}"
start B "$base" "${B_ENV:-}"

for side in A B; do
  SESSION[$side]=$(vigil_login "${PORT[$side]}" "$work/jar-$side") || { cat "$work/$side/vigil.log"; exit 1; }
done

run() { # side duration -> "cpu_us rps"
  local side=$1 before after out requests
  before=$(awk '{print $14 + $15}' "/proc/${PID[$side]}/stat")
  out=$(wrk -t2 -c64 -d"$2" -H "Cookie: __vigil_session=${SESSION[$side]}" "http://127.0.0.1:${PORT[$side]}/bench")
  after=$(awk '{print $14 + $15}' "/proc/${PID[$side]}/stat")
  requests=$(awk '/requests in/ {print $1}' <<<"$out")
  awk -v t=$((after - before)) -v hz="$(getconf CLK_TCK)" -v n="$requests" -v rps="$(awk '/Requests\/sec/ {print $2}' <<<"$out")" \
    'BEGIN { printf "%.1f %d", t / hz / n * 1e6, rps }'
}

for side in A B; do run $side "${WARMUP:-10s}" >/dev/null; done
printf '%-6s %10s %9s %10s %9s\n' round A_us/req A_rps B_us/req B_rps
results=()
for round in $(seq 1 "$ROUNDS"); do
  read -r a_us a_rps <<<"$(run A "$DURATION")"
  read -r b_us b_rps <<<"$(run B "$DURATION")"
  printf '%-6s %10s %9s %10s %9s\n' "$round" "$a_us" "$a_rps" "$b_us" "$b_rps"
  results+=("$a_us $b_us")
done
printf '%s\n' "${results[@]}" | awk '
  { a[NR] = $1; b[NR] = $2; if ($1 < $2) cheaper++ }
  function median(x, n,   i, j, t) { for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (x[j] < x[i]) { t = x[i]; x[i] = x[j]; x[j] = t }
    return n % 2 ? x[(n + 1) / 2] : (x[n / 2] + x[n / 2 + 1]) / 2 }
  END { ma = median(a, NR); mb = median(b, NR)
    printf "\nmedian CPU per request: A %.1f us, B %.1f us (A/B %.3f); A cheaper in %d of %d rounds\n", ma, mb, ma / mb, cheaper, NR }'
