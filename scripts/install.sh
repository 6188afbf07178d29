#!/usr/bin/env bash
# Sets berth up on a Debian 12 machine as root and starts berthd, so `berth run nginx` works right
# after. Idempotent. Without internet, images come from the local registry that
# test/fixtures/setup.sh fills from Debian packages; daemon.json points berth's mirror at it.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh
if ! command -v node >/dev/null || [ "$(node -p 'process.versions.node.split(".")[0]')" -lt 20 ]; then
  apt-get install -y -qq nodejs npm >/dev/null
fi
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
# The berth package: /usr/lib/berth, /usr/bin/berth{,d}, the systemd unit, completion, manuals.
DEB=$(bash scripts/package.sh)
# Links of an older checkout-based install would shadow /usr/bin.
for f in berth berthd; do
  if [ -L /usr/local/bin/$f ]; then
    case "$(readlink /usr/local/bin/$f)" in */dist/$f.mjs) rm -f /usr/local/bin/$f ;; esac
  fi
done

# Local registry with the fixture images (Docker Hub is unreachable here).
if [ "${BERTH_SKIP_FIXTURES:-}" != 1 ]; then bash test/fixtures/setup.sh; fi

# The package's daemon.json is a conffile; offline, berth's mirror is the fixture registry.
mkdir -p /etc/berth
if [ ! -s /etc/berth/daemon.json ] || [ "$(tr -d ' \n' </etc/berth/daemon.json)" = '{}' ]; then
  cat > /etc/berth/daemon.json <<JSON
{
  "registry-mirrors": ["http://127.0.0.1:5000"]
}
JSON
fi
# A berthd started by an older install (not through the package) is stopped first.
if [ ! -x /usr/lib/berth/berthd-service ] && [ -f /run/berth/berthd.pid ] && kill -0 "$(cat /run/berth/berthd.pid)" 2>/dev/null; then
  kill "$(cat /run/berth/berthd.pid)"
  for _ in $(seq 50); do kill -0 "$(cat /run/berth/berthd.pid 2>/dev/null)" 2>/dev/null || break; sleep 0.1; done
fi
rm -f /etc/systemd/system/berthd.service
# postinst creates the berth group and (re)starts berthd: with systemd where it is PID 1,
# directly otherwise (log: /var/log/berthd.log).
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --reinstall -o Dpkg::Options::=--force-confold "$DEB" >/dev/null
# Without a docker CLI on this host, `docker` is berth: `docker -H ssh://this-host` from elsewhere
# runs `docker system dial-stdio` here. A real docker CLI is never replaced.
if [ ! -e /usr/bin/docker ] && [ ! -e /usr/local/bin/docker ]; then
  ln -s /usr/bin/berth /usr/local/bin/docker
fi
# A policy-rc.d that forbids services (container images ship one answering 101) keeps postinst
# from starting berthd; this script was asked to start it, so it does.
if ! berth version >/dev/null 2>&1; then
  if [ -d /run/systemd/system ]; then systemctl start berthd.service || true; else /usr/lib/berth/berthd-service start || true; fi
fi
for _ in $(seq 100); do
  if berth version >/dev/null 2>&1; then echo "berthd is running: $(berth version --format '{{.Server.Version}}')"; exit 0; fi
  sleep 0.1
done
echo "berthd did not come up; see /var/log/berthd.log or 'journalctl -u berthd'" >&2
exit 1
