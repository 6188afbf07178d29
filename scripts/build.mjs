// Bundles berthd and the berth CLI so each starts without resolving hundreds of modules. The CLI
// is split: its entry holds the global flags, each command group is a chunk loaded on demand.
// better-sqlite3 stays external: it is a native addon.
import { build } from 'esbuild';
import { chmodSync, copyFileSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
  build({ ...common, entryPoints: ['src/daemon/main.ts'], outfile: 'dist/berthd.mjs' }),
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
