#!/usr/bin/env bash
# Paired A/B of Vigil's CPU per proxied request: the working tree (A) against another revision (B), both serving the
# same upstream at once and measured alternately, so a slow spell of a shared machine hits both. More sensitive than
# comparing rps across runs of run.sh (differences of about 0.5 µs per request show after enough rounds).
#
#   bash bench/gateway/ab.sh REV [rounds=10] [duration=4s]     e.g. bash bench/gateway/ab.sh HEAD~3
#   REV "."          B is the working tree's build too (no second build): compare settings, not builds
#   A_ENV / B_ENV    extra environment for one side (e.g. B_ENV="DOTNET_gcServer=1" with REV=. to try a knob)
#   A_DURABILITY / B_DURABILITY   audit.durability for one side (written, synced, async; default: the build's own)
#   CONNECTIONS / THREADS         wrk connections (64) and threads (2); CONNECTIONS=1 THREADS=1 for latency
#   WARMUP           load per side before the first round (10s; .NET's tiered JIT needs several seconds)
#
# Prints each round's CPU µs per request, rps and p50 latency for both sides, then the medians and how many rounds A
# was cheaper.
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
  [[ "$base" == "$PWD" ]] || git worktree remove --force "$base" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

echo "ab: building A (working tree) and B ($REV)"
dotnet build src/Vigil.Cli -c Release -nologo -v q >/dev/null
if [[ "$REV" == "." ]]; then
  base=$PWD
else
  git worktree add -q --detach "$base" "$REV"
  dotnet build "$base/src/Vigil.Cli" -c Release -nologo -v q >/dev/null
fi

UP=$(free_port)
upstream_conf "$work/upstream" "$UP"
"$NGINX" -p "$work/upstream" -c "$work/upstream/nginx.conf" -g 'daemon off;' >/dev/null 2>&1 &
pids+=($!)

declare -A PID PORT SESSION
start() { # side tree env durability
  local side=$1 vigil="dotnet $2/src/Vigil.Cli/bin/Release/net10.0/vigil.dll" port
  port=$(free_port)
  vigil_setup "$work/$side" "$port" "$UP" "$vigil" "$4"
  env $3 $vigil serve --config "$work/$side/vigil.yaml" > "$work/$side/vigil.log" 2>&1 &
  pids+=($!)
  PID[$side]=$!
  PORT[$side]=$port
}
start A "$PWD" "${A_ENV:-}" "${A_DURABILITY:-}"
start B "$base" "${B_ENV:-}" "${B_DURABILITY:-}"

for side in A B; do
  SESSION[$side]=$(vigil_login "${PORT[$side]}" "$work/jar-$side") || { cat "$work/$side/vigil.log"; exit 1; }
done

run() { # side duration -> "cpu_us rps p50_ms"
  local side=$1 before after out requests p50
  before=$(awk '{print $14 + $15}' "/proc/${PID[$side]}/stat")
  out=$(wrk -t"${THREADS:-2}" -c"${CONNECTIONS:-64}" -d"$2" --latency -H "Cookie: __vigil_session=${SESSION[$side]}" "http://127.0.0.1:${PORT[$side]}/bench")
  after=$(awk '{print $14 + $15}' "/proc/${PID[$side]}/stat")
  requests=$(awk '/requests in/ {print $1}' <<<"$out")
  # wrk prints the p50 in us, ms or s
  p50=$(awk '$1 == "50%" { v = $2; if (v ~ /us$/) { sub(/us$/, "", v); v /= 1000 } else if (v ~ /ms$/) { sub(/ms$/, "", v) } else { sub(/s$/, "", v); v *= 1000 } print v }' <<<"$out")
  awk -v t=$((after - before)) -v hz="$(getconf CLK_TCK)" -v n="$requests" -v rps="$(awk '/Requests\/sec/ {print $2}' <<<"$out")" -v p50="$p50" \
    'BEGIN { printf "%.1f %d %.3f", t / hz / n * 1e6, rps, p50 }'
}

for side in A B; do run $side "${WARMUP:-10s}" >/dev/null; done
printf '%-6s %10s %9s %9s %10s %9s %9s\n' round A_us/req A_rps A_p50_ms B_us/req B_rps B_p50_ms
results=()
for round in $(seq 1 "$ROUNDS"); do
  read -r a_us a_rps a_p50 <<<"$(run A "$DURATION")"
  read -r b_us b_rps b_p50 <<<"$(run B "$DURATION")"
  printf '%-6s %10s %9s %9s %10s %9s %9s\n' "$round" "$a_us" "$a_rps" "$a_p50" "$b_us" "$b_rps" "$b_p50"
  results+=("$a_us $b_us $a_rps $b_rps $a_p50 $b_p50")
done
printf '%s\n' "${results[@]}" | awk '
  { a[NR] = $1; b[NR] = $2; ar[NR] = $3; br[NR] = $4; al[NR] = $5; bl[NR] = $6; if ($1 < $2) cheaper++ }
  function median(x, n,   i, j, t) { for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (x[j] < x[i]) { t = x[i]; x[i] = x[j]; x[j] = t }
    return n % 2 ? x[(n + 1) / 2] : (x[n / 2] + x[n / 2 + 1]) / 2 }
  END { ma = median(a, NR); mb = median(b, NR)
    printf "\nmedian CPU per request: A %.1f us, B %.1f us (A/B %.3f); A cheaper in %d of %d rounds\n", ma, mb, ma / mb, cheaper, NR
    printf "median rps: A %d, B %d; median p50: A %.3f ms, B %.3f ms\n", median(ar, NR), median(br, NR), median(al, NR), median(bl, NR) }'
