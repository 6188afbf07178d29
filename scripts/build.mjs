// Bundles berthd and the berth CLI into single ESM files so each starts without resolving
// hundreds of modules. better-sqlite3 stays external: it is a native addon.
import { build } from 'esbuild';
import { chmodSync } from 'node:fs';

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
await Promise.all([
  build({ ...common, entryPoints: ['src/cli/main.ts'], outfile: 'dist/berth.mjs' }),
  build({ ...common, entryPoints: ['src/daemon/main.ts'], outfile: 'dist/berthd.mjs' }),
]);
chmodSync('dist/berth.mjs', 0o755);
chmodSync('dist/berthd.mjs', 0o755);
