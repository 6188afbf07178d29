import type { Readable } from 'node:stream';
import type { ArchiveLimits } from '../../common/archive/limits.js';
import type { Logger } from '../../common/logger.js';
import type { ContainerConfig } from '../images/image-config-changes.js';
import type { ImageRecord } from '../images/image-views.js';

// The builder's inputs (options, the services it drives) and the state one build carries from
// step to step, as moby's dispatchRequest and dispatchState hold it.

export interface BuildOptions {
  dockerfile: string;
  tags: string[];
  buildArgs: Record<string, string | null>;
  labels: Record<string, string>;
  target?: string;
  noCache: boolean;
  /** Remove intermediate containers after a successful step (rm) / always (forcerm). */
  rm: boolean;
  forceRm: boolean;
  pull: boolean;
  quiet: boolean;
  /** HostConfig of the RUN containers: network mode, shm size, extra hosts, limits. */
  hostConfig: Record<string, unknown>;
  platform?: string;
  /** Images whose steps may be reused; when given, only they (and their parents) are the cache. */
  cacheFrom?: string[];
  /** Aborted when the client goes away: the running step is killed and the build stops. */
  signal?: AbortSignal;
}

/** The image store as the builder sees it. */
export interface BuilderImages {
  getImage(ref: string): ImageRecord;
  pull(ref: string, platform: string | undefined, onProgress: (m: Record<string, unknown>) => void): Promise<ImageRecord>;
  tag(id: string, ref: string): void;
  childrenOf(id: string): string[];
  /** The empty image `FROM scratch` stands for: no layers, no history, stored once so a step can make a container of it. */
  scratch(): ImageRecord;
  /** An image with the parent's layers and a new config (a metadata step). */
  storeConfigOnly(parent: ImageRecord, config: ContainerConfig, createdBy: string, author?: string): string;
}

/** The step containers: RUN runs one, COPY/ADD and WORKDIR write into one. */
export interface BuilderContainers {
  create(body: Record<string, unknown>): Promise<string>;
  start(id: string): Promise<void>;
  wait(id: string): Promise<number>;
  kill(id: string): Promise<void>;
  remove(id: string): Promise<void>;
  logPath(id: string): string;
}

/** Files into and out of step containers. */
export interface BuilderArchive {
  /** `limits` bound an archive the build context brought (ADD). */
  put(id: string, path: string, tar: Readable, chownTo: string, limits?: ArchiveLimits): Promise<void>;
  get(id: string, path: string): Promise<Readable>;
  /** What is at a container path: a directory, something else, or nothing. */
  kind(id: string, path: string): Promise<'dir' | 'other' | undefined>;
  extractTo(dir: string, tar: Readable): Promise<void>;
}

export interface BuilderDeps {
  images: BuilderImages;
  containers: BuilderContainers;
  archive: BuilderArchive;
  /** The container's changes as a new image; `author` is the stage's MAINTAINER. */
  commit(containerId: string, config: ContainerConfig, createdBy: string, author?: string): Promise<string>;
  followLogs(path: string, until: Promise<unknown>): AsyncIterable<{ stream: string; line: Buffer }>;
  logger: Logger;
}

/** A stream message: `{stream}`, `{aux}`, or progress of a pull. */
export type BuildMessage = Record<string, unknown>;

export class BuildError extends Error {
  constructor(
    message: string,
    readonly code = 1,
  ) {
    super(message);
  }
}

/** One build stage: its image so far and what its later steps inherit. */
export interface Stage {
  name?: string;
  image: ImageRecord;
  /** Still the bare `FROM scratch` image: no step has changed it yet. */
  scratch?: boolean;
  /** MAINTAINER: the author of this stage's images from then on. */
  maintainer?: string;
  config: ContainerConfig;
  /** ARG values visible in this stage. */
  args: Record<string, string>;
  shell: string[];
  cmdSet: boolean;
}

/** What every step of one build shares. */
export interface BuildState {
  d: BuilderDeps;
  o: BuildOptions;
  /** The extracted build context. */
  context: string;
  /** The Dockerfile's escape character. */
  escape: string;
  /** The stages begun so far; the current one joins when its FROM (and its triggers) are done. */
  stages: Stage[];
  /** The stage the next step builds on. */
  stage?: Stage;
  /** The ARGs declared before the first FROM: what every FROM expands with. */
  metaArgs: Record<string, string>;
  /** Build args some ARG declared (the rest are reported as not consumed). */
  usedArgs: Set<string>;
  /** With cache_from: the ids whose children may be reused; otherwise every local image. */
  cacheScope?: Set<string>;
  say: (text: string) => void;
  emit: (m: BuildMessage) => void;
  /** Temporary directories to delete when the build ends. */
  cleanups: string[];
}

export const DEFAULT_SHELL = ['/bin/sh', '-c'];

/** An image id as the build output shows it. */
export const shortId = (id: string): string => id.replace(/^sha256:/, '').slice(0, 12);
