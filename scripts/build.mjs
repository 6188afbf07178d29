// Bundles berthd and the berth CLI so each starts without resolving hundreds of modules. The CLI
// is split: its entry holds the global flags, each command group is a chunk loaded on demand.
// better-sqlite3 stays external: it is a native addon.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { gzipSync } from 'node:zlib';

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  sourcemap: 'linked',
  external: ['better-sqlite3'],
  banner: {
    js: "#!/usr/bin/env node\nimport { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
  },
  logLevel: 'warning',
};
rmSync('dist', { recursive: true, force: true });
await Promise.all([
  build({
    ...common,
    entryPoints: { berth: 'src/cli/main.ts' },
    outdir: 'dist',
    splitting: true,
    chunkNames: 'cli-chunks/[name]-[hash]',
    outExtension: { '.js': '.mjs' },
  }),
  // berthd run as a program (/usr/bin/berthd, the systemd unit) gets heap settings for a small
  // server: young generation capped at 1 MiB semi-spaces (left alone it grows to 16 MiB each and
  // stays there), a 512 MiB ceiling on the old one, and two malloc arenas instead of one per thread.
  // malloc serves blocks of 32 KiB and more from their own mappings: V8's compile of the bundle at
  // start frees such blocks by the thousand, and from the main heap glibc kept them (10 MB of RSS
  // or not, from start to start); mapped, they go back to the kernel. Pulls measured no slower.
  // (A fixed threshold also stops glibc raising it, which is what let the start-up garbage stay.)
  // GC on the main thread only: for a heap this small, waking V8's helper threads for each of the
  // hundred-odd collections of a 1 GiB restore cost more than the collections (restore CPU 8.7 -> 5.5 s).
  build({
    ...common,
    entryPoints: ['src/daemon/main.ts'],
    outfile: 'dist/berthd.mjs',
    banner: { js: common.banner.js.replace('#!/usr/bin/env node', '#!/usr/bin/env -S MALLOC_ARENA_MAX=2 MALLOC_MMAP_THRESHOLD_=32768 node --max-semi-space-size=1 --max-old-space-size=512 --single-threaded-gc') },
  }),
  // The CLI once more, as one CommonJS script for `node --build-snapshot` (see below).
  build({ ...common, format: 'cjs', banner: {}, sourcemap: false, entryPoints: ['src/cli/snapshot-main.ts'], outfile: 'dist/berth-snapshot.cjs' }),
  // The web console: a browser bundle berthd serves; xterm.js is a chunk of its own, loaded
  // only when a terminal opens.
  build({
    entryPoints: { app: 'src/console/app/main.tsx' },
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'browser',
    target: ['chrome110', 'firefox110', 'safari16'],
    minify: true,
    jsx: 'automatic',
    jsxImportSource: 'preact',
    outdir: 'dist/console',
    chunkNames: 'chunks/[name]-[hash]',
    logLevel: 'warning',
  }),
]);
// esbuild escapes strings to ASCII but keeps the UTF-8 of comments and regular expressions ("’" in
// a dependency's comment, "µs" in a duration pattern). One such character makes V8 hold a module's
// whole source as UTF-16: berthd's 2.2 MB bundle took 4.4 MB of heap for the daemon's life. Each
// UTF-16 unit becomes \uXXXX, which means the same character in a comment, a string, a template
// and a regular expression with or without the u flag (no bundled String.raw holds one).
const asciiOnly = (file) => {
  const text = readFileSync(file, 'utf8');
  if (!/[^\0-\x7f]/.test(text)) return;
  writeFileSync(file, text.replace(/[^\0-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`));
};
for (const f of ['dist/berthd.mjs', 'dist/berth.mjs', 'dist/berth-snapshot.cjs', ...readdirSync('dist/cli-chunks').filter((f) => f.endsWith('.mjs')).map((f) => `dist/cli-chunks/${f}`)]) asciiOnly(f);
copyFileSync('src/console/app/index.html', 'dist/console/index.html');
// Served precompressed to browsers that take gzip.
const gzipAll = (dir) => {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = `${dir}/${e.name}`;
    if (e.isDirectory()) gzipAll(p);
    else if (/\.(js|css|html)$/.test(e.name)) writeFileSync(`${p}.gz`, gzipSync(readFileSync(p), { level: 9 }));
  }
};
gzipAll('dist/console');
chmodSync('dist/berth.mjs', 0o755);
chmodSync('dist/berthd.mjs', 0o755);

// dist/berth: the CLI started from a V8 startup snapshot holding every CLI module already
// evaluated, so node compiles and runs none of them (`berth ps` costs about node's own start plus
// the request). A snapshot only loads in the node binary that built it: dist/berth.node-stamp
// carries that binary's mtime, and the launcher runs the plain bundle when node's differs (an
// upgrade; dpkg keeps a package's mtimes, so the same node package matches on every machine).
// scripts/package.sh installs the same three files in /usr/lib/berth.
execFileSync(process.execPath, ['--snapshot-blob', 'dist/berth.blob', '--build-snapshot', 'dist/berth-snapshot.cjs'], {
  // Node warns that child_process and readline are "not yet fully verified" in snapshots; the
  // CLI only uses them after start (ssh, prompts), as a fresh module would.
  stdio: ['ignore', 'inherit', 'pipe'],
});
const node = process.execPath;
writeFileSync('dist/berth.node-stamp', `${process.version}\n`);
const { atime, mtime } = statSync(node);
utimesSync('dist/berth.node-stamp', atime, mtime);
const q = (s) => `'${s.replaceAll("'", `'\\''`)}'`;
const dir = resolve('dist');
const stamp = q(`${dir}/berth.node-stamp`);
writeFileSync(
  'dist/berth',
  `#!/bin/sh
# berth from its startup snapshot (scripts/build.mjs), or the plain bundle when node is not the one that built it.
if [ ! ${q(node)} -nt ${stamp} ] && [ ! ${q(node)} -ot ${stamp} ]; then exec ${q(node)} --snapshot-blob ${q(`${dir}/berth.blob`)} -- "$0" "$@"; fi
exec ${q(node)} ${q(`${dir}/berth.mjs`)} "$@"
`,
  { mode: 0o755 },
);
