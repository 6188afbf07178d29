import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { API_VERSION, BERTH_VERSION, MIN_API_VERSION } from '../api/version.js';
import { newId } from '../common/ids.js';
import type { Logger } from '../common/logger.js';
import { onUnreadableRecord } from '../store/readable-docs.js';
import { BerthPaths } from '../common/paths.js';
import type { ContainerRecord } from '../engine/containers/container-model.js';
import { ContainerService } from '../engine/containers/container-service.js';
import { ExecService } from '../engine/containers/exec-service.js';
import { readLogs } from '../engine/containers/log-reader.js';
import { keepLogsRotated } from '../engine/containers/log-lifecycle.js';
import { removeContainerLeftovers } from '../engine/containers/container-leftovers.js';
import { LogRotator } from '../engine/containers/log-rotator.js';
import { execProcess } from '../engine/containers/exec-process.js';
import { healthProbeRunner } from '../engine/containers/health-probe.js';
import type { LogReader } from '../engine/containers/ports.js';
import { buildSpec } from '../engine/containers/spec-builder.js';
import { EventBus, type BerthEvent } from '../engine/events/event-bus.js';
import { EventRepository } from '../store/event-repository.js';
import { ImageService } from '../engine/images/image-service.js';
import { NetworkService } from '../engine/networks/network-service.js';
import { ContainerRuntime } from '../engine/runtime/conmon-runtime.js';
import { prepareHost } from '../engine/runtime/host-setup.js';
import { OverlaySnapshotter } from '../engine/snapshots/overlay-snapshotter.js';
import { SystemInfo } from '../engine/system/system-info.js';
import { ArchiveService } from '../engine/containers/archive-service.js';
import { VolumeContainerMounts } from '../engine/volumes/container-mounts.js';
import { VolumeService } from '../engine/volumes/volume-service.js';
import { ContainerRepository } from '../store/container-repository.js';
import { openDatabase, type Db } from '../store/database.js';
import { RevisionService } from '../engine/revisions/revision-service.js';
import { RevisionRepository } from '../store/revision-repository.js';
import { autoUpgradeSeconds, type DaemonConfig } from './config.js';

/** Every engine service, built once at start-up and handed to the API routes. */
export interface Services {
  config: DaemonConfig;
  paths: BerthPaths;
  db: Db;
  logger: Logger;
  events: EventBus;
  system: SystemInfo;
  images: ImageService;
  snapshots: OverlaySnapshotter;
  networks: NetworkService;
  runtime: ContainerRuntime;
  containers: ContainerService;
  exec: ExecService;
  logs: LogReader;
  volumes: VolumeService;
  archive: ArchiveService;
  revisions: RevisionService;
  /** Runs at shutdown, in reverse order of registration. */
  closers: (() => Promise<void> | void)[];
}

function engineId(file: string): string {
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
  await prepareHost(logger, config['exec-opts']);
  onUnreadableRecord((kind, key, what) => logger.warn({ kind, key }, `stored record ${what}`));
  const db = openDatabase(paths.database);
  const events = new EventBus(1000, new EventRepository<BerthEvent>(db), (err) => logger.warn({ err }, 'event history'));
  const images = new ImageService({ db, paths, config, logger, events });
  // Before anything can pull: what a killed berthd left half-written goes now.
  images.removeLeftovers({ startup: true });
  const snapshots = new OverlaySnapshotter({ paths, images, logger });
  const networks = new NetworkService({ db, paths, config, logger, events });
  await networks.init();
  const runtime = new ContainerRuntime({ paths, runtimes: config.runtimes, defaultRuntime: config['default-runtime'], logger });
  const volumes = new VolumeService({ db, paths, logger, events });
  const containers = new ContainerService({
    mounts: new VolumeContainerMounts(volumes, logger),
    repo: new ContainerRepository<ContainerRecord>(db),
    images,
    rootfs: snapshots,
    networks: {
      setupContainer: (c) => networks.setupContainer(c),
      teardownContainer: (id) => networks.teardownContainer(id),
      idleSettings: (c) => networks.idleSettings(c),
      resolvConfFor: (c) => networks.resolvConfFor(c),
    },
    runtime,
    buildSpec,
    paths,
    events,
    logger,
    logDriver: config['log-driver'],
    defaultRuntime: config['default-runtime'],
    runtimeNames: Object.keys(config.runtimes),
    healthProbe: healthProbeRunner(runtime, paths),
  });
  volumes.setUsedBy((name) => containers.list().filter((c) => c.Mounts.some((m) => m.Type === 'volume' && m.Name === name)).map((c) => c.Id));
  const archive = new ArchiveService({ containers, rootfs: snapshots, layerPaths: (id) => snapshots.layerPaths(id), paths, events, logger });
  const exec = new ExecService({ containers, runtime, execProcess: (c, cfg) => execProcess(paths, c, cfg), events, logger });
  const revisions = new RevisionService({
    repo: new RevisionRepository(db),
    containers,
    images,
    readLogs,
    events,
    logger,
    options: { historyDepth: config['revision-history'], autoUpgradeInterval: autoUpgradeSeconds(config) ?? 0 },
  });
  // A removed container takes its revisions with it (also one removed by --rm or a prune).
  events.subscribe((e) => {
    if (e.Type === 'container' && e.Action === 'destroy') revisions.containerDestroyed(e.Actor.ID);
  });
  await containers.recover();
  await removeContainerLeftovers({
    paths,
    known: (id) => containers.list().some((c) => c.Id === id),
    removeLayer: (id) => snapshots.removeContainerLayer(id),
    runtimeCleanup: (id) => runtime.cleanup(id),
    logger,
  });
  const rotator = new LogRotator((id) => runtime.reopenLog(id), logger);
  const stopRotating = keepLogsRotated(
    events,
    rotator,
    (id) => containers.list().find((c) => c.Id === id),
    () => containers.list().filter((c) => c.State.Running),
    { driver: config['log-driver'], opts: config['log-opts'] ?? {} },
  );
  const live = new Set(containers.list().filter((c) => c.State.Running).map((c) => c.Id));
  await networks.reconcile(live).catch((err) => logger.warn({ err }, 'network reconcile failed'));
  // After containers are known again: an upgrade a killed berthd left half-done is finished or undone.
  await revisions.start().catch((err) => logger.error({ err }, 'revision recovery failed'));

  const system = new SystemInfo({
    config,
    // The bundle's own mtime is when this berthd was built.
    versions: { berth: BERTH_VERSION, api: API_VERSION, minApi: MIN_API_VERSION, buildTime: statSync(process.argv[1]!).mtime },
    counts: () => ({ ...containers.counts(), images: images.count() }),
    id: engineId(paths.engineIdFile),
  });
  return {
    config,
    paths,
    db,
    logger,
    events,
    system,
    images,
    snapshots,
    networks,
    runtime,
    containers,
    exec,
    logs: readLogs,
    volumes,
    archive,
    revisions,
    closers: [
      () => revisions.stop(),
      () => {
        stopRotating();
        rotator.close();
      },
      () => {
        db.close();
      },
      () => networks.close(),
      () => images.close(),
    ],
  };
}

