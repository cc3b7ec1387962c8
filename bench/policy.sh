#!/usr/bin/env bash
# Policy engine benchmarks, side by side with Cedar's official engine, in one run.
# Prints a table of ns per decision, allocation per decision and the Vigil/Cedar ratios.
#   bash bench/policy.sh            (BenchmarkDotNet short job; about 3-4 minutes on 2 cores)
#   ITERATIONS=500000 bash bench/policy.sh
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
artifacts="$root/artifacts/bench/policy"
rm -rf "$artifacts" && mkdir -p "$artifacts"

echo "== building"
dotnet build bench/Vigil.Policy.Benchmarks -c Release -nologo -v q >/dev/null

echo "== Vigil (BenchmarkDotNet)"
dotnet bench/Vigil.Policy.Benchmarks/bin/Release/net10.0/Vigil.Policy.Benchmarks.dll \
  --filter '*' --job short --exporters csv --artifacts "$artifacts" >"$artifacts/bdn.log" 2>&1 \
  || { tail -40 "$artifacts/bdn.log"; exit 1; }

echo "== Vigil compiled-policy memory"
memory=$(dotnet bench/Vigil.Policy.Benchmarks/bin/Release/net10.0/Vigil.Policy.Benchmarks.dll memory 100000)

echo "== Cedar (cedar-wasm on Node)"
(cd bench/cedar && npm ci --no-audit --no-fund >/dev/null 2>&1 || npm install --no-audit --no-fund >/dev/null)
cedar=$(node bench/cedar/bench.mjs "${ITERATIONS:-200000}")

python3 - "$artifacts" "$cedar" "$memory" <<'PY'
import csv, glob, json, sys, re
artifacts, cedar, memory = sys.argv[1], json.loads(sys.argv[2]), sys.argv[3]

def ns(text):
    text = text.replace(",", "").strip()
    m = re.match(r"([0-9.]+)\s*(ns|μs|us|ms|s)", text)
    if not m: return float("nan")
    v, u = float(m.group(1)), m.group(2)
    return v * {"ns": 1, "μs": 1e3, "us": 1e3, "ms": 1e6, "s": 1e9}[u]

rows = []
for path in sorted(glob.glob(f"{artifacts}/results/*-report.csv")):
    with open(path, newline="") as f:
        for r in csv.DictReader(f):
            name = r["Method"].strip("'")
            if r.get("Services"): name += f" ({int(r['Services']):,} services)"
            rows.append((name, ns(r["Mean"]), r.get("Allocated", "")))

peer = {"allow, pre-built input": "allow", "deny, pre-built input": "deny",
        "allow, from JSON": "allow", "deny, from JSON": "deny"}
print()
print(f"{'case':<50} {'Vigil ns':>10} {'alloc':>10} {'Cedar ns':>10} {'Cedar/Vigil':>12}")
for name, mean, alloc in rows:
    key = peer.get(name) or ("service allow" if name.startswith("service allow") else None)
    c = cedar["ns_per_decision"].get(key) if key else None
    ratio = f"{c / mean:,.1f}x" if c else ""
    print(f"{name:<50} {mean:>10,.0f} {alloc:>10} {(f'{c:,.0f}' if c else ''):>10} {ratio:>12}")
print()
print(f"peer: {cedar['engine']}, {cedar['iterations']:,} iterations per case")
print(memory)
PY
