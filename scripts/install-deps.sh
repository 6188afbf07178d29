#!/usr/bin/env bash
# Installs the Debian packages berthd and its tests need (or, given arguments, those packages).
# Idempotent; quick when all are present.
set -euo pipefail
DEFAULT_PKGS=(
  # runtime
  crun runc conmon catatonit tini iproute2 iptables nftables containernetworking-plugins attr
  # images and test fixtures
  skopeo umoci docker-registry debootstrap busybox-static apache2-utils jq
  # real clients used by the tests
  python3-docker docker-compose
  # test/fixtures/setup.sh
  curl openssl debian-archive-keyring
  # the completion and manual tests
  zsh man-db
  # the web console's browser tests
  chromium
  # compressed build contexts and ADD archives (bzip2, xz, zstd)
  bzip2 xz-utils zstd
  # remote daemons: ssh:// (client, and the server the tests start on a loopback port)
  openssh-client openssh-server
)
if [ $# -gt 0 ]; then PKGS=("$@"); else PKGS=("${DEFAULT_PKGS[@]}"); fi
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
