import type { Logger } from '../../common/logger.js';
import type { RevisionRepository } from '../../store/revision-repository.js';
import type { ContainerRecord } from '../containers/container-model.js';
import type { CreateRequest } from '../containers/container-service.js';
import type { LogReader } from '../containers/ports.js';
import type { EventSink } from '../events/event-bus.js';
import type { ImageRecord } from '../images/image-views.js';
import type { JsonMessage } from '../images/progress.js';

// What revisions need of the rest of the engine: narrow views, so tests can fake them.

/** A create body as the container service takes it (and as the API passes it on). */
export type CreateBody = CreateRequest['body'];

export interface RevisionContainers {
  get(ref: string): ContainerRecord;
  list(): ContainerRecord[];
  create(req: CreateRequest): Promise<{ Id: string }>;
  start(ref: string): Promise<void>;
  stop(ref: string, o?: { timeout?: number }): Promise<void>;
  remove(ref: string, o?: { force?: boolean; volumes?: boolean }): Promise<void>;
  rename(ref: string, newName: string): void;
}

export interface RevisionImages {
  getImage(refOrId: string): ImageRecord;
  pull(ref: string, opts: Record<string, never>, onProgress: (m: JsonMessage) => void): Promise<ImageRecord>;
}

/** The engine module's own options; daemon/ maps daemon.json onto them. */
export interface RevisionOptions {
  /** How many revisions a container keeps (daemon.json `revision-history`). */
  historyDepth: number;
  /** Seconds between unattended upgrade checks; 0 = off (daemon.json `auto-upgrade-interval`). */
  autoUpgradeInterval: number;
}

export interface RevisionDeps {
  repo: RevisionRepository;
  containers: RevisionContainers;
  images: RevisionImages;
  readLogs: LogReader;
  events: EventSink;
  logger: Logger;
  options: RevisionOptions;
}

/** One line of an upgrade's progress stream (NDJSON, like a pull's messages). */
export interface UpgradeMessage extends JsonMessage {
  /** The outcome, on the last message: up-to-date, upgraded, rolled-back, failed, dry-run. */
  result?: string;
  revision?: number;
}

export type Progress = (m: UpgradeMessage) => void;
