#!/usr/bin/env bash
# Sets berth up on a Debian 12 machine as root and starts berthd, so `berth run nginx` works right
# after. Idempotent. Without internet, images come from the local registry that
# test/fixtures/setup.sh fills from Debian packages; daemon.json points berth's mirror at it.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

bash scripts/install-deps.sh
if ! command -v node >/dev/null || [ "$(node -p 'process.versions.node.split(".")[0]')" -lt 20 ]; then
  apt-get install -y -qq nodejs npm >/dev/null
fi
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
npm run --silent build

ln -sf "$ROOT/dist/berth.mjs" /usr/local/bin/berth
ln -sf "$ROOT/dist/berthd.mjs" /usr/local/bin/berthd
# Without a docker CLI on this host, `docker` is berth: `docker -H ssh://this-host` from elsewhere
# runs `docker system dial-stdio` here. A real docker CLI is never replaced.
if [ ! -e /usr/bin/docker ] && [ ! -e /usr/local/bin/docker ]; then
  ln -s "$ROOT/dist/berth.mjs" /usr/local/bin/docker
fi
getent group berth >/dev/null || groupadd --system berth

# Local registry with the fixture images (Docker Hub is unreachable here).
if [ "${BERTH_SKIP_FIXTURES:-}" != 1 ]; then bash test/fixtures/setup.sh; fi

mkdir -p /etc/berth
if [ ! -f /etc/berth/daemon.json ]; then
  cat > /etc/berth/daemon.json <<JSON
{
  "registry-mirrors": ["http://127.0.0.1:5000"]
}
JSON
fi

install -m 0644 packaging/berthd.service /etc/systemd/system/berthd.service
if [ -d /run/systemd/system ]; then
  systemctl daemon-reload
  systemctl enable berthd >/dev/null 2>&1 || true
  systemctl restart berthd
else
  # No systemd as PID 1 (containers, CI): run berthd directly, detached from this shell.
  if [ -f /run/berth/berthd.pid ] && kill -0 "$(cat /run/berth/berthd.pid)" 2>/dev/null; then
    kill "$(cat /run/berth/berthd.pid)"
    for _ in $(seq 50); do kill -0 "$(cat /run/berth/berthd.pid 2>/dev/null)" 2>/dev/null || break; sleep 0.1; done
  fi
  mkdir -p /var/log
  setsid nohup /usr/local/bin/berthd >>/var/log/berthd.log 2>&1 < /dev/null &
fi
for _ in $(seq 100); do
  if berth version >/dev/null 2>&1; then echo "berthd is running: $(berth version --format '{{.Server.Version}}')"; exit 0; fi
  sleep 0.1
done
echo "berthd did not come up; see /var/log/berthd.log or 'journalctl -u berthd'" >&2
exit 1
