#!/usr/bin/env bash
# The whole test suite on a fresh clone, as root: installs what the tests need, builds, starts the
# local registries with the fixture images and one berthd for the run, runs unit and integration
# tests, and cleans up after itself. Usage: scripts/test.sh [test files...]
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
# BERTH_TEST_CONFIG picks another daemon.json (own socket, data, bridge) to run beside a live suite.
export BERTH_TEST_CONFIG=${BERTH_TEST_CONFIG:-$ROOT/test/berthd-test.json}
BERTH_TEST_HOST=$(node -p "require(process.env.BERTH_TEST_CONFIG).hosts[0]")
EXEC_ROOT=$(node -p "require(process.env.BERTH_TEST_CONFIG)['exec-root']")
export BERTH_TEST_HOST
LOG=/var/log/berthd-test-$(basename "$EXEC_ROOT").log

bash scripts/install-deps.sh
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
npm run --silent build
npm run --silent typecheck
npm run --silent lint
bash test/fixtures/setup.sh

stop_daemon() {
  local pidf=$EXEC_ROOT/berthd.pid
  if [ -f $pidf ] && kill -0 "$(cat $pidf)" 2>/dev/null; then
    # Containers outlive berthd by design: remove the run's leftovers through the API first.
    ids=$(node dist/berth.mjs -H $BERTH_TEST_HOST ps -aq 2>/dev/null || true)
    [ -n "$ids" ] && node dist/berth.mjs -H $BERTH_TEST_HOST rm -f $ids >/dev/null 2>&1 || true
    kill "$(cat $pidf)"
    for _ in $(seq 100); do kill -0 "$(cat $pidf 2>/dev/null)" 2>/dev/null || break; sleep 0.1; done
  fi
}
stop_daemon
setsid node dist/berthd.mjs --config-file "$BERTH_TEST_CONFIG" >$LOG 2>&1 </dev/null &
# The live-restore test kills this daemon on purpose: no job-control message for it.
disown
trap 'stop_daemon' EXIT
for _ in $(seq 100); do
  node dist/berth.mjs -H $BERTH_TEST_HOST version >/dev/null 2>&1 && break
  sleep 0.1
done
node dist/berth.mjs -H $BERTH_TEST_HOST version >/dev/null || { echo "test berthd did not start:"; tail -50 $LOG; exit 1; }

if [ $# -gt 0 ]; then
  files=("$@")
else
  mapfile -t files < <(find src test bench -name '*.test.ts' | sort)
fi
node --import tsx --test --test-concurrency=1 --test-reporter=spec "${files[@]}"
