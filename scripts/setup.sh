#!/usr/bin/env bash
# Installs (idempotently) the system packages the tests need on a fresh Debian 12 machine.
# Each line of PACKAGES is "<command-or-file-to-check> <debian-package>".
set -euo pipefail

PACKAGES=(
  "jq jq"
  "nft nftables"
  "ip iproute2"
  "ss iproute2"
  "sysctl procps"
  "socat socat"
  "ipset ipset"
  "iptables-restore iptables"
  "rsvg-convert librsvg2-bin"
  "/usr/bin/chromium chromium"
  "/usr/share/zoneinfo/America/New_York tzdata"
)

missing=()
for entry in "${PACKAGES[@]}"; do
  check=${entry%% *}
  package=${entry#* }
  if [[ "$check" == /* ]]; then
    [[ -e "$check" ]] || missing+=("$package")
  else
    command -v "$check" >/dev/null 2>&1 || missing+=("$package")
  fi
done

if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
