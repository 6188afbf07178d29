import type { ExtractPolicy } from '../../common/archive/extractor.js';
import { BACKUP_LIMITS } from '../../common/archive/limits.js';

// How backups and volume archives are extracted by the one extractor: everything a restore must
// recreate is kept (numeric owners, modes, times, links, sparse files, device nodes, xattrs).
// Bounded as generously as whole volumes need (a tar bomb still stops before the disk fills).

export const BACKUP_EXTRACT: ExtractPolicy = {
  label: 'archive',
  whiteouts: false,
  devices: true,
  xattrs: true,
  owner: 'archive',
  noOverwriteDirNonDir: false,
  limits: BACKUP_LIMITS,
};
