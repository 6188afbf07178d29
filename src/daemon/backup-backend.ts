import { rmSync } from 'node:fs';
import type { BackupBackend } from '../api/routes/berth-backup.js';
import { BERTH_VERSION } from '../api/version.js';
import { createBackup, type BackupDeps } from '../engine/backup/backup-writer.js';
import { restoreBackup, type RestoreDeps } from '../engine/backup/backup-restore.js';
import { exportVolume, importVolume } from '../engine/backup/volume-archive.js';
import { BackupScheduler, listBackupFiles, pruneBackupFiles, type BackupScheduleConfig } from '../engine/backup/backup-schedule.js';
import { matchKV } from '../common/filters.js';
import { MIGRATED_AT_LABEL, MIGRATED_TO_LABEL } from '../engine/backup/backup-manifest.js';
import type { Services } from './services.js';

/** Volume export/import, container backup and restore, scheduled backup files. */
export function backupBackend(s: Services): BackupBackend {
  const getImage = (ref: string) => s.images.getImage(ref);
  const imageIdOf = (ref: string): string | undefined => {
    try {
      return getImage(ref).id;
    } catch {
      return undefined;
    }
  };
  const upperDir = (id: string) => s.paths.containerUpperDir(id);
  const scratchDir = s.paths.backupScratchDir;
  // What a restore killed with berthd left behind.
  rmSync(scratchDir, { recursive: true, force: true });
  const layers = s.images.layerTars();
  const backupDeps: BackupDeps = {
    containers: s.containers,
    exec: s.exec,
    volumes: s.volumes,
    networks: s.networks,
    saveImage: (ref) => s.images.save([ref]),
    repoDigests: (id) => getImage(id).repoDigests,
    layerDiffIds: (id) => getImage(id).layers.map((l) => l.diffId),
    resolvesTo: (ref, id) => imageIdOf(ref) === id,
    upperDir,
    berthVersion: BERTH_VERSION,
    logger: s.logger,
  };
  const restoreDeps: RestoreDeps = {
    containers: s.containers,
    volumes: s.volumes,
    networks: s.networks,
    loadImage: async (body) => {
      await s.images.load(body, { quiet: true }, () => undefined);
    },
    pullImage: async (ref) => {
      await s.images.pull(ref, {}, () => undefined);
    },
    imageIdOf,
    tagImage: (id, reference) => s.images.tag(id, reference),
    // Only after the restore's own container went: nothing else can use an image it just brought.
    removeImage: (id) => void s.images.remove(id, { force: true }, () => false),
    layers,
    upperDir,
    scratchDir,
    logger: s.logger,
  };
  const select = (sc: BackupScheduleConfig): string[] =>
    s.containers
      .list()
      .filter((c) => (sc.containers ?? []).includes(c.Name.slice(1)) || (sc.label !== undefined && matchKV(sc.label, c.Config.Labels)))
      .map((c) => c.Name.slice(1));
  const schedules = s.config.backups ?? [];
  if (schedules.length) {
    const scheduler = new BackupScheduler({
      schedules,
      select,
      backup: (name, sc) => createBackup(backupDeps, name, { image: sc.image ?? true, rootfs: true, consistency: sc.consistency ?? 'pause' }),
      logger: s.logger,
    });
    scheduler.start();
    s.closers.push(() => scheduler.stop());
  }
  const dirs = () => [...new Set(schedules.map((sc) => sc.dir))];
  return {
    exportVolume: (name) => exportVolume(s.volumes, name),
    importVolume: (name, body) => importVolume(s.volumes, name, body),
    backup: (ref, o) => createBackup(backupDeps, ref, o),
    restore: (body, o) => restoreBackup(restoreDeps, body, o),
    haveLayers: (diffIds) => layers.have(diffIds),
    markMigrated: (ref, to) => s.containers.addLabels(ref, { [MIGRATED_TO_LABEL]: to, [MIGRATED_AT_LABEL]: new Date().toISOString() }),
    listBackups: () =>
      dirs()
        .flatMap((d) => listBackupFiles(d))
        .map((f) => ({ Path: f.path, Container: f.container, Created: f.created.toISOString(), Size: f.size })),
    pruneBackups: async () => ({
      Removed: schedules.flatMap((sc) => pruneBackupFiles(sc.dir, sc.keep ?? 7)),
    }),
  };
}
