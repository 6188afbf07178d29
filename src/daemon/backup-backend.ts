import type { BackupBackend } from '../api/routes/berth-backup.js';
import { exportVolume, importVolume } from '../engine/backup/volume-archive.js';
import { NotImplementedError } from '../common/errors.js';
import type { Services } from './services.js';

/** Volume export/import, container backup and restore, scheduled backup files. */
export function backupBackend(s: Services): BackupBackend {
  return {
    exportVolume: (name) => exportVolume(s.volumes, name),
    importVolume: (name, body) => importVolume(s.volumes, name, body),
    backup: () => Promise.reject(new NotImplementedError('not yet')),
    restore: () => Promise.reject(new NotImplementedError('not yet')),
    listBackups: () => [],
    pruneBackups: async () => ({ Removed: [] }),
  };
}
