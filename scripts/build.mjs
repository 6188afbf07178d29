// Bundles berthd and the berth CLI so each starts without resolving hundreds of modules. The CLI
// is split: its entry holds the global flags, each command group is a chunk loaded on demand.
// better-sqlite3 stays external: it is a native addon.
import { build } from 'esbuild';
import { chmodSync, rmSync } from 'node:fs';

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
]);
chmodSync('dist/berth.mjs', 0o755);
chmodSync('dist/berthd.mjs', 0o755);
