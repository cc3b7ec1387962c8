#!/usr/bin/env bash
# Gateway benchmark, one run on loopback with wrk:
#   1. the upstream directly (nginx serving a fixed 200),
#   2. nginx as a plain reverse proxy with upstream keepalive,
#   3. Vigil with a session cookie, a Rego policy decision and the decision log on every request.
# Prints rps, p50 and p99 for each and the ratios. Usage: bash bench/gateway/run.sh [duration] [connections]
# Environment:
#   THREADS        wrk threads (2)
#   NGINX_WORKERS  the nginx proxy's worker_processes (1; "auto" is one per core, Debian's default)
#   WARMUP         warm-up per target before the first round (10s)
#   ROUNDS         rounds (1); more alternate nginx and Vigil and print each round's ratio and the median
#   PERF=1         perf record Vigil (PERF_ARGS overrides "-F 999", e.g. "-e syscalls:sys_enter_futex");
#                  PERF=floor records the floor instead (perf-floor.data), to compare the two profiles
#   TRACE=1        system calls per request of nginx and Vigil (perf trace)
#   AUDIT_DURABILITY  audit.durability of the Vigil under test (written, synced, async; default: Vigil's, written)
#   FLOOR=1        also measure bench/gateway/floor, the smallest Kestrel proxy (no policy, session, headers or log):
#                  what Kestrel and .NET sockets cost on this machine before any of Vigil's work
set -euo pipefail
cd "$(dirname "$0")/../.."
DURATION=${1:-10s}
CONNECTIONS=${2:-64}
THREADS=${THREADS:-2}

source bench/gateway/common.sh
ensure_tools
dotnet build src/Vigil.Cli -c Release -nologo -v q >/dev/null
[[ -z "${FLOOR:-}" ]] || dotnet build bench/gateway/floor -c Release -nologo -v q >/dev/null
VIGIL="dotnet src/Vigil.Cli/bin/Release/net10.0/vigil.dll"

work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

UP=$(free_port); NG=$(free_port); VG=$(free_port); FL=$(free_port)

# nginx: the upstream (fixed body) and, as a separate instance, the plain reverse proxy with upstream keepalive
# (separate processes so the CPU each one spends can be measured).
upstream_conf "$work/upstream" "$UP"
nginx_conf "$work/proxy" "upstream app { server 127.0.0.1:$UP; keepalive 128; } server { listen 127.0.0.1:$NG; location / { proxy_pass http://app; proxy_http_version 1.1; proxy_set_header Connection \"\"; proxy_set_header Host \\\$host; } }" "${NGINX_WORKERS:-1}"
"$NGINX" -p "$work/upstream" -c "$work/upstream/nginx.conf" -g 'daemon off;' >/dev/null 2>&1 &
pids+=($!)
UPSTREAM_MASTER=$!
"$NGINX" -p "$work/proxy" -c "$work/proxy/nginx.conf" -g 'daemon off;' >/dev/null 2>&1 &
pids+=($!)
PROXY_MASTER=$!

if [[ -n "${FLOOR:-}" ]]; then
  env DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1 ${PERF:+DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0} dotnet bench/gateway/floor/bin/Release/net10.0/Vigil.Bench.KestrelFloor.dll "$FL" "$UP" >/dev/null 2>&1 &
  pids+=($!)
  FLOOR_PID=$!
fi

# Vigil: one session route to the same upstream, the demo policy, decision log on.
vigil_setup "$work/vigil" "$VG" "$UP" "$VIGIL" "${AUDIT_DURABILITY:-}"
env ${VIGIL_ENV:-} ${PERF:+DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0} $VIGIL serve --config "$work/vigil/vigil.yaml" > "$work/vigil.log" 2>&1 &
pids+=($!)
VIGIL_PID=$!

for port in $UP $NG $VG ${FLOOR:+$FL}; do
  for _ in $(seq 1 100); do curl -s -o /dev/null "http://127.0.0.1:$port/.vigil/health" && break; sleep 0.2; done
done

# Sign in once through the real OIDC flow (login page + antiforgery token) to get a session cookie.
session=$(vigil_login "$VG" "$work/jar") || { cat "$work/vigil.log"; exit 1; }

to_ms() { awk -v v="$1" 'BEGIN { if (v ~ /us$/) { sub(/us$/,"",v); print v/1000 } else if (v ~ /ms$/) { sub(/ms$/,"",v); print v+0 } else if (v ~ /s$/) { sub(/s$/,"",v); print v*1000 } else print v }'; }
declare -A RPS P50 P99 CPU KERNEL UPCPU WRKCPU MACHINE
sys_ticks() { # system (kernel) clock ticks of processes
  local total=0 p
  for p in "$@"; do [[ -r /proc/$p/stat ]] && total=$((total + $(awk '{print $15}' /proc/$p/stat))); done
  echo $total
}
busy_ticks() { # busy clock ticks of the whole machine (all cores: user, nice, system, irq, softirq, steal)
  awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9 }' /proc/stat
}
ticks() { # total user+system clock ticks of a process and its children threads
  local total=0 p
  for p in "$@"; do [[ -r /proc/$p/stat ]] && total=$((total + $(awk '{print $14 + $15}' /proc/$p/stat))); done
  echo $total
}
measure() { # name pids url [header]
  local name=$1 pidlist=$2 url=$3; shift 3
  if [[ "${WARMUP:-10s}" != 0s ]]; then
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"${WARMUP:-10s}" "$@" "$url" >/dev/null 2>&1 || true   # warm-up: pools, and JIT tiering (still compiling ~5 s into load)
  fi
  local before; before=$(ticks $pidlist)
  local sys_before; sys_before=$(sys_ticks $pidlist)
  local up_before; up_before=$(ticks $UPSTREAM_PIDS)
  local machine_before; machine_before=$(busy_ticks)
  local perf_pid=""
  if [[ -n "${PERF:-}" && ( ( "$PERF" != floor && "$name" == vigil ) || ( "$PERF" == floor && "$name" == floor ) ) ]]; then
    # PERF=1: sample Vigil with perf while wrk runs (needs DOTNET_PerfMapEnabled=1); PERF=floor: the floor
    perf record ${PERF_ARGS:--F 999} -g -p "$pidlist" -o "$PWD/$( [[ "$PERF" == floor ]] && echo perf-floor.data || echo perf.data )" >/dev/null 2>&1 & perf_pid=$!
  fi
  local out wrk_cpu
  # wrk's own CPU (user + system seconds) through bash's time keyword.
  wrk_cpu=$( { TIMEFORMAT='%U %S'; time wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "$@" "$url" > "$work/wrk-out.txt"; } 2>&1 | awk '{ print $1 + $2 }')
  out=$(cat "$work/wrk-out.txt")
  if [[ -n "$perf_pid" ]]; then kill -INT "$perf_pid"; wait "$perf_pid" || true; fi
  local after; after=$(ticks $pidlist)
  local sys_after; sys_after=$(sys_ticks $pidlist)
  local up_after; up_after=$(ticks $UPSTREAM_PIDS)
  local machine_after; machine_after=$(busy_ticks)
  local requests; requests=$(awk '/requests in/ {print $1}' <<<"$out")
  local hz; hz=$(getconf CLK_TCK)
  per_request() { awk -v t="$1" -v hz="$hz" -v n="$requests" 'BEGIN { if (n > 0 && t > 0) printf "%.1f", t / hz / n * 1e6; else print "-" }'; }
  CPU[$name]=$(per_request $((after - before)))
  KERNEL[$name]=$(awk -v s=$((sys_after - sys_before)) -v t=$((after - before)) 'BEGIN { if (t > 0) printf "%.0f%%", 100 * s / t; else print "-" }')
  UPCPU[$name]=$(per_request $((up_after - up_before)))
  WRKCPU[$name]=$(awk -v s="$wrk_cpu" -v n="$requests" 'BEGIN { if (n > 0) printf "%.1f", s / n * 1e6; else print "-" }')
  MACHINE[$name]=$(per_request $((machine_after - machine_before)))
  RPS[$name]=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  P50[$name]=$(to_ms "$(awk '$1=="50%" {print $2}' <<<"$out")")
  P99[$name]=$(to_ms "$(awk '$1=="99%" {print $2}' <<<"$out")")
  if [[ -n "${TRACE:-}" && -n "$pidlist" ]]; then # TRACE=1: system calls per request of the proxy (perf trace; requests = writes / 2)
    local tpids; tpids=$(tr ' ' ',' <<<"$pidlist" | sed 's/,$//')
    wrk -t"$THREADS" -c"$CONNECTIONS" -d6s "$@" "$url" > "$work/trace-wrk.txt" 2>&1 &
    local wrk_pid=$!
    sleep 1; timeout -s INT 3 perf trace -s -p "$tpids" -o "$work/trace-$name.txt" >/dev/null 2>&1 || true
    wait "$wrk_pid" || true
    awk -v name="$name" '$1 ~ /^[a-z_0-9]+$/ && $2 ~ /^[0-9]+$/ && NF >= 6 { c[$1] += $2 } END { n = c["sendto"] + c["writev"] + c["write"]; for (k in c) printf "  %s %-14s %8d  %.2f per request\n", name, k, c[k], (n ? c[k] / (n / 2) : 0) }' "$work/trace-$name.txt" | sort -k3 -rn | head -12
  fi
  local errors; errors=$(grep -E "Non-2xx|Socket errors" <<<"$out" || true)
  [[ -z "$errors" ]] || echo "  $name: $errors"
}

echo "wrk -t$THREADS -c$CONNECTIONS -d$DURATION on $(nproc) cores"
PROXY_WORKERS=$(pgrep -P "$PROXY_MASTER" | tr '\n' ' ')
UPSTREAM_PIDS="$UPSTREAM_MASTER $(pgrep -P "$UPSTREAM_MASTER" | tr '\n' ' ')"
ROUNDS=${ROUNDS:-1}
declare -A ALL_RATIO
# CPU per request in µs: the proxy's (and the share of it spent in the kernel), the upstream's, wrk's, and the whole machine's (every process and the kernel's
# interrupt work; on a saturated machine rps = cores / machine CPU per request).
printf '\n%-8s %5s %12s %10s %10s %16s %7s %9s %7s %9s\n' target round rps p50_ms p99_ms proxy_cpu_us/req kernel upstream wrk machine
for round in $(seq 1 "$ROUNDS"); do
  # ROUNDS>1: nginx and Vigil measured alternately, so a slow spell of this shared machine hits both; the ratio of each
  # round and their median are printed (warm-up only before the first round).
  measure direct "" "http://127.0.0.1:$UP/bench"
  measure nginx "$PROXY_WORKERS" "http://127.0.0.1:$NG/bench"
  measure vigil "$VIGIL_PID" "http://127.0.0.1:$VG/bench" -H "Cookie: __vigil_session=$session"
  targets="direct nginx vigil"
  if [[ -n "${FLOOR:-}" ]]; then measure floor "$FLOOR_PID" "http://127.0.0.1:$FL/bench"; targets="$targets floor"; fi
  for n in $targets; do printf '%-8s %5s %12s %10s %10s %16s %7s %9s %7s %9s\n' "$n" "$round" "${RPS[$n]}" "${P50[$n]}" "${P99[$n]}" "${CPU[$n]:--}" "${KERNEL[$n]:--}" "${UPCPU[$n]}" "${WRKCPU[$n]}" "${MACHINE[$n]}"; done
  ALL_RATIO[$round]=$(awk -v v="${RPS[vigil]}" -v n="${RPS[nginx]}" 'BEGIN { printf "%.3f", v/n }')
  WARMUP=0s
done
if ((ROUNDS > 1)); then
  ratios=$(for r in "${ALL_RATIO[@]}"; do echo "$r"; done | sort -n | tr '\n' ' ')
  median=$(for r in "${ALL_RATIO[@]}"; do echo "$r"; done | sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }')
  echo "vigil/nginx rps ratio per round: $ratios-> median $median"
fi
echo "load average during the run: $(cut -d' ' -f1-3 /proc/loadavg) (other processes share these cores)"
awk -v last="$( ((ROUNDS > 1)) && echo " (last round)" )" -v v="${RPS[vigil]}" -v n="${RPS[nginx]}" -v vp="${P50[vigil]}" -v dp="${P50[direct]}" -v np="${P50[nginx]}" -v vc="${CPU[vigil]:-0}" -v nc="${CPU[nginx]:-0}" 'BEGIN {
  printf "\nvigil/nginx rps ratio%s: %.2f (target >= 0.90)\n", last, v/n
  if (vc > 0 && nc > 0) printf "vigil/nginx CPU per request: %.2f (less load-dependent than the rps ratio)\n", vc/nc
  printf "added p50 over direct: vigil %.3f ms, nginx %.3f ms (target for vigil <= 0.300 ms)\n", vp-dp, np-dp }'
if [[ -n "${FLOOR:-}" ]]; then
  awk -v f="${RPS[floor]}" -v n="${RPS[nginx]}" -v fc="${CPU[floor]:-0}" -v nc="${CPU[nginx]:-0}" 'BEGIN {
    printf "floor (smallest Kestrel proxy, no Vigil work)/nginx: rps %.2f, CPU per request %.2f\n", f/n, (nc > 0 ? fc/nc : 0) }'
fi
# What 0.9 x nginx leaves Vigil: the machine CPU per request at 0.9 x nginx's rps, minus what everything other than
# Vigil spent per request in Vigil's run (upstream, wrk, kernel interrupt work, other processes).
awk -v nm="${MACHINE[nginx]}" -v vm="${MACHINE[vigil]}" -v vc="${CPU[vigil]}" -v fc="${CPU[floor]:-}" 'BEGIN {
  if (nm > 0 && vm > 0 && vc > 0) {
    budget = nm / 0.9 - (vm - vc)
    printf "machine CPU per request: nginx %.1f us, vigil %.1f us; at 0.9 x nginx Vigil could spend %.1f us per request (it spends %.1f%s)\n", nm, vm, budget, vc, (fc != "" ? sprintf("; the floor %.1f", fc) : "")
  } }'
records=$(wc -l < "$work/vigil/data/decisions.log")
echo "decision log records written by Vigil: $records"
