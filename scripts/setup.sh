#!/usr/bin/env bash
# Sets up a fresh Debian 12 machine (root, Node 20) for runbook: the apt packages the sandbox and the
# test suite need, the npm dependencies, and the build. Safe to run again; installs only what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

# systemd-container, debootstrap, socat, zstd, iproute2, e2fsprogs: the sandbox's hosts (nspawn over a
# debootstrap image, network namespaces, loopback forwarders, loop-mounted shared storage).
# openssh-server, openssh-client, sudo: the real sshd of the transport and CLI tests, with become.
# qemu-system-x86 (the emulator only, no recommends): the lab guest's unit test boots it.
# chromium: the browser test of the classroom grade's HTML page drives it (puppeteer-core, which
# downloads no browser of its own). tmux: the terminal test reads the listr2 view off a real screen.
packages=(systemd-container debootstrap socat zstd iproute2 e2fsprogs openssh-server openssh-client sudo ca-certificates qemu-system-x86 chromium tmux)
missing=()
for package in "${packages[@]}"; do
  dpkg-query --show --showformat='${db:Status-Status}' "$package" 2>/dev/null | grep -qx installed || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "missing packages: ${missing[*]}; run as root: apt-get install -y --no-install-recommends ${missing[*]}" >&2
    exit 1
  fi
  echo "installing ${missing[*]}"
  apt-get update -q
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

node_major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$node_major" -lt 20 ]; then
  echo "runbook needs Node 20 or later; this machine has $(node --version)" >&2
  exit 1
fi

npm ci --no-audit --no-fund
npm run build
