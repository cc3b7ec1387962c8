#!/usr/bin/env bash
# Segmentation benchmark. Prints a table: analyze time and peak memory on generated clusters (up to 5,000 pods,
# 1,000 policies, 100 namespaces; target < 10 s and < 2 GB on 2 cores) and nftables ruleset size vs number of groups.
#   bash bench/segmentation.sh          # quick table (one timed run per size), exit 1 if the target is missed
#   bash bench/segmentation.sh --bdn    # full BenchmarkDotNet run (mean/allocations), takes minutes
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
project=bench/Vigil.Segmentation.Benchmarks
dotnet build "$project" -c Release -nologo -v q >/dev/null
if [[ "${1:-}" == "--bdn" ]]; then
  shift
  if [[ $# -eq 0 ]]; then set -- --filter '*'; fi
  exec dotnet run -c Release --no-build --project "$project" -- --job short "$@"
fi
if command -v /usr/bin/time >/dev/null 2>&1; then
  /usr/bin/time -f "max resident set size: %M KB, wall %e s" dotnet run -c Release --no-build --project "$project" -- report
else
  dotnet run -c Release --no-build --project "$project" -- report
fi
