#!/usr/bin/env bash
# Installs (idempotently) the system packages the tests need on a fresh Debian 12 machine.
# Each line of PACKAGES is "<command-or-path-to-check> <debian-package>"; a path may hold a glob.
set -euo pipefail

PACKAGES=(
  "jq jq"
  "openssl openssl"
  "nft nftables"
  "ip iproute2"
  "ss iproute2"
  "sysctl procps"
  "socat socat"
  "tcpdump tcpdump"
  "ipset ipset"
  "iptables-restore iptables"
  "rsvg-convert librsvg2-bin"
  "/usr/bin/chromium chromium"
  "/usr/share/zoneinfo/America/New_York tzdata"
  "/usr/lib/postgresql/*/bin/initdb postgresql"
  "redis-server redis-server"
  "node nodejs" # llhttp for the forwarder's differential tests; they need Node.js 20+ (llhttp 9), as the machine has
)

missing=()
for entry in "${PACKAGES[@]}"; do
  check=${entry%% *}
  package=${entry#* }
  if [[ "$check" == /* ]]; then
    compgen -G "$check" >/dev/null || missing+=("$package")
  else
    command -v "$check" >/dev/null 2>&1 || missing+=("$package")
  fi
done

if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  # The tests start their own throwaway cluster (scripts/postgres.sh): the package must not create and start a
  # system-wide "main" cluster on port 5432.
  if [[ " ${missing[*]} " == *" postgresql "* ]]; then
    mkdir -p /etc/postgresql-common
    grep -qs '^create_main_cluster *= *false' /etc/postgresql-common/createcluster.conf ||
      echo "create_main_cluster = false" >>/etc/postgresql-common/createcluster.conf
    export UCF_FORCE_CONFFOLD=1 # postgresql-common's postinst must keep this file, not replace it with its template
  fi
  # The tests start their own throwaway redis-server (scripts/redis.sh): the package's system service must not start.
  # policy-rc.d (exit 101) tells invoke-rc.d not to start services during the install; one already there is kept.
  own_policy=0
  if [[ " ${missing[*]} " == *" redis-server "* && ! -e /usr/sbin/policy-rc.d ]]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
    chmod 755 /usr/sbin/policy-rc.d
    own_policy=1
  fi
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  ((own_policy)) && rm -f /usr/sbin/policy-rc.d
fi

# Where systemd runs, the redis-server unit stays disabled and stopped (idempotent).
if command -v redis-server >/dev/null 2>&1 && [[ -d /run/systemd/system ]] && command -v systemctl >/dev/null 2>&1; then
  if systemctl is-enabled --quiet redis-server 2>/dev/null || systemctl is-active --quiet redis-server 2>/dev/null; then
    systemctl disable --now redis-server >/dev/null 2>&1 || true
  fi
fi
