import { startupSnapshot } from 'node:v8';
import { commandGroupsFor } from './command-groups.js';
import { runCli } from './run-cli.js';

// The entry of the CLI's startup snapshot (scripts/build.mjs runs it under `node --build-snapshot`).
// Building it evaluates every module of the CLI, command groups included, so a start from the
// snapshot compiles and runs none of them again: it only builds the program argv asks for and
// runs it. Nothing here may touch process.stdout, the environment or the clock: the snapshot is
// taken once, at build time.

// The dynamic imports of the groups are plain functions in this bundle: calling them all now
// evaluates every group's modules into the snapshot. The result is dropped.
void commandGroupsFor(['__complete']);

startupSnapshot.setDeserializeMainFunction(() => {
  // dist/berth runs `node --snapshot-blob berth.blob -- "$0" "$@"`: argv is then what a script sees.
  void runCli();
});
