import type { Scenario } from '../scenario.js';
import { apiLoad } from './api-load.js';
import { apiVersion } from './api-version.js';
import { cliStartup } from './cli-startup.js';
import { memory } from './memory.js';
import { memoryGrowth } from './memory-growth.js';
import { nginxFirst200 } from './nginx-first-200.js';
import { portsProcesses } from './ports-processes.js';
import { psTls } from './ps-tls.js';
import { pullBusybox, pullNginx } from './pull.js';
import { runRmTrue, runRmTrueNone } from './run-rm.js';
import { runTwentyPar, runTwentySeq } from './run-twenty.js';
import { upgradeNginx } from './upgrade-nginx.js';
import { volumeBackup } from './volume-backup.js';
import { migrateNginx } from './migrate-nginx.js';
import { scale } from './scale.js';

/** Every scenario, in the order a full run takes them. */
export const SCENARIOS: readonly Scenario[] = [
  apiVersion,
  cliStartup,
  pullBusybox,
  pullNginx,
  runRmTrue,
  runRmTrueNone,
  runTwentySeq,
  runTwentyPar,
  memory,
  memoryGrowth,
  nginxFirst200,
  portsProcesses,
  psTls,
  upgradeNginx,
  apiLoad,
  volumeBackup,
  migrateNginx,
  scale,
];
