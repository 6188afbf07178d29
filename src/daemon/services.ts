import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { newId } from '../common/ids.js';
import type { Logger } from '../common/logger.js';
import { BerthPaths } from '../common/paths.js';
import { EventBus } from '../engine/events/event-bus.js';
import { SystemInfo } from '../engine/system/system-info.js';
import { openDatabase, type Db } from '../store/database.js';
import type { DaemonConfig } from './config.js';
import { API_VERSION, BERTH_VERSION, MIN_API_VERSION } from '../api/version.js';

/** Every engine service, built once at start-up and handed to the API routes. */
export interface Services {
  config: DaemonConfig;
  paths: BerthPaths;
  db: Db;
  logger: Logger;
  events: EventBus;
  system: SystemInfo;
  /** Runs at shutdown, in reverse order of registration. */
  closers: (() => Promise<void> | void)[];
}

function engineId(dataRoot: string): string {
  const file = join(dataRoot, 'engine-id');
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    const id = newId();
    writeFileSync(file, id);
    return id;
  }
}

export async function createServices(config: DaemonConfig, logger: Logger): Promise<Services> {
  const paths = new BerthPaths(config['data-root'], config['exec-root']);
  mkdirSync(paths.dataRoot, { recursive: true, mode: 0o711 });
  mkdirSync(paths.execRoot, { recursive: true, mode: 0o711 });
  const db = openDatabase(paths.database);
  const events = new EventBus();
  const counts = () => ({ containers: 0, running: 0, paused: 0, stopped: 0, images: 0 });
  const system = new SystemInfo({
    config,
    versions: { berth: BERTH_VERSION, api: API_VERSION, minApi: MIN_API_VERSION },
    counts: () => services.counts(),
    id: engineId(paths.dataRoot),
  });
  const services: Services & { counts: typeof counts } = {
    config,
    paths,
    db,
    logger,
    events,
    system,
    counts,
    closers: [
      () => {
        db.close();
      },
    ],
  };
  return services;
}
