#!/usr/bin/env bash
# Installs the engines `npm run bench` compares berth with: Debian's Docker (dockerd 20.10) and Podman 4.3.
# Kept apart from berth's own dependency list on purpose: a server running berth does not want dockerd.
set -euo pipefail
exec bash "$(dirname "$0")/../scripts/install-deps.sh" docker.io podman
