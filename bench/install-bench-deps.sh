#!/usr/bin/env bash
# Installs the engines `npm run bench` compares berth with: Debian's Docker (dockerd 20.10) and Podman 4.3.
# Kept apart from scripts/install-deps.sh on purpose: a server running berth does not want dockerd.
set -euo pipefail
PKGS=(docker.io podman)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
