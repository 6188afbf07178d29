#!/usr/bin/env bash
# Builds berth_<version>_<arch>.deb with dpkg-deb: the bundled CLI and daemon with their native
# module under /usr/lib/berth, the systemd unit, daemon.json as a conffile, logrotate, shell
# completion and man pages. Usage: scripts/package.sh [OUTDIR]   (default: dist-pkg/)
# BERTH_PKG_VERSION overrides the version taken from package.json; BERTH_PKG_NO_BUILD=1 packs the
# dist/ that is there (the tests, whose daemon runs from it).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
OUT=${1:-$ROOT/dist-pkg}
VERSION=${BERTH_PKG_VERSION:-$(node -p "require('./package.json').version")}
ARCH=$(dpkg --print-architecture)

if [ "${BERTH_PKG_NO_BUILD:-}" != 1 ]; then
  [ -d node_modules/better-sqlite3/build/Release ] || npm ci --no-audit --no-fund --loglevel=error
  npm run --silent build
fi

STAGE=$(mktemp -d)
trap 'rm -rf "$STAGE"' EXIT
LIB=$STAGE/usr/lib/berth
mkdir -p "$LIB/node_modules" "$STAGE/usr/bin" "$STAGE/DEBIAN"

# The bundles, and the one native addon they load (better-sqlite3 with its two small helpers).
cp dist/berth.mjs dist/berthd.mjs "$LIB/"
cp -r dist/cli-chunks dist/console "$LIB/"
find "$LIB/cli-chunks" -name '*.map' -delete
for m in better-sqlite3 bindings file-uri-to-path; do
  mkdir -p "$LIB/node_modules/$m"
  cp node_modules/$m/package.json "$LIB/node_modules/$m/"
  [ -f node_modules/$m/LICENSE ] && cp node_modules/$m/LICENSE "$LIB/node_modules/$m/"
done
cp -r node_modules/better-sqlite3/lib "$LIB/node_modules/better-sqlite3/"
mkdir -p "$LIB/node_modules/better-sqlite3/build/Release"
cp node_modules/better-sqlite3/build/Release/better_sqlite3.node "$LIB/node_modules/better-sqlite3/build/Release/"
cp node_modules/bindings/bindings.js "$LIB/node_modules/bindings/"
cp node_modules/file-uri-to-path/index.js "$LIB/node_modules/file-uri-to-path/"
strip --strip-unneeded "$LIB/node_modules/better-sqlite3/build/Release/better_sqlite3.node" 2>/dev/null || true
install -m 0755 packaging/berthd-service "$LIB/berthd-service"
# berth starts from the CLI's startup snapshot (built with this node; another node runs berth.mjs).
cp dist/berth.blob "$LIB/"
cp -p dist/berth.node-stamp "$LIB/"
sed "s#$(pwd)/dist#/usr/lib/berth#g" dist/berth >"$LIB/berth"
chmod 0755 "$LIB/berth"
ln -s ../lib/berth/berth "$STAGE/usr/bin/berth"
ln -s ../lib/berth/berthd.mjs "$STAGE/usr/bin/berthd"

install -D -m 0644 packaging/berthd.service "$STAGE/lib/systemd/system/berthd.service"
install -D -m 0644 packaging/daemon.json "$STAGE/etc/berth/daemon.json"
install -D -m 0644 packaging/logrotate "$STAGE/etc/logrotate.d/berthd"

# Completion and manuals, drawn from the CLI's own definitions.
BERTH="node dist/berth.mjs"
install -d "$STAGE/usr/share/bash-completion/completions" "$STAGE/usr/share/zsh/vendor-completions" "$STAGE/usr/share/fish/vendor_completions.d"
$BERTH completion bash >"$STAGE/usr/share/bash-completion/completions/berth"
$BERTH completion zsh >"$STAGE/usr/share/zsh/vendor-completions/_berth"
$BERTH completion fish >"$STAGE/usr/share/fish/vendor_completions.d/berth.fish"
node --import tsx scripts/gen-man.ts "$STAGE/usr/share/man" >/dev/null
find "$STAGE/usr/share/man" -type f -exec gzip -9n {} +

install -D -m 0644 README.md "$STAGE/usr/share/doc/berth/README.md"
printf 'berth\nLicense: Apache-2.0\n' >"$STAGE/usr/share/doc/berth/copyright"

SIZE=$(du -sk --exclude=DEBIAN "$STAGE" | cut -f1)
sed -e "s/@VERSION@/$VERSION/" -e "s/@ARCH@/$ARCH/" -e "s/@SIZE@/$SIZE/" packaging/debian/control >"$STAGE/DEBIAN/control"
cp packaging/debian/conffiles "$STAGE/DEBIAN/"
for s in postinst prerm postrm; do install -m 0755 packaging/debian/$s "$STAGE/DEBIAN/$s"; done

mkdir -p "$OUT"
DEB=$OUT/berth_${VERSION}_${ARCH}.deb
dpkg-deb --root-owner-group -Zxz --build "$STAGE" "$DEB" >/dev/null
echo "$DEB"
