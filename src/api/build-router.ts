import { Router } from './router.js';
import { registerContainerRoutes, type ContainersBackend } from './routes/containers.js';
import { registerSystemRoutes, type SystemBackend } from './routes/system.js';
import { registerNetworkRoutes, type NetworksBackend } from './routes/networks.js';
import { registerImageRoutes, type ImagesBackend } from './routes/images.js';
import { registerVolumeRoutes, type VolumesBackend } from './routes/volumes.js';
import { registerArchiveRoutes, type ArchiveBackend } from './routes/archive.js';
import { registerImageTransferRoutes, registerImportRoute, type ImageTransferBackend } from './routes/image-transfer.js';
import { registerBuildRoutes, type BuildBackend } from './routes/image-build.js';
import { registerConsoleRoutes, type ConsoleBackend } from './routes/berth-console.js';
import { registerRevisionRoutes, type RevisionsBackend } from './routes/berth-revisions.js';
import { registerBackupRoutes, type BackupBackend } from './routes/berth-backup.js';

/** The backends each route group needs; the daemon passes its services. */
export interface ApiBackends {
  system: SystemBackend;
  containers?: ContainersBackend;
  networks?: NetworksBackend;
  images?: ImagesBackend;
  volumes?: VolumesBackend;
  archive?: ArchiveBackend;
  imageTransfer?: ImageTransferBackend;
  build?: BuildBackend;
  console?: ConsoleBackend;
  revisions?: RevisionsBackend;
  backup?: BackupBackend;
}

/** The whole route table. Specific paths are registered before `{name:.*}` catch-alls. */
export function buildRouter(b: ApiBackends): Router {
  const router = new Router();
  registerSystemRoutes(router, b.system);
  if (b.containers) registerContainerRoutes(router, b.containers);
  if (b.networks) registerNetworkRoutes(router, b.networks);
  if (b.imageTransfer) {
    // Import shares POST /images/create with pull: it goes first and hands pulls on.
    const imagesOnly = new Router();
    if (b.images) registerImageRoutes(imagesOnly, b.images);
    registerImportRoute(router, b.imageTransfer, imagesOnly.match('POST', '/images/create')?.handler);
    registerImageTransferRoutes(router, b.imageTransfer);
  }
  if (b.images) registerImageRoutes(router, b.images);
  if (b.volumes) registerVolumeRoutes(router, b.volumes);
  if (b.archive) registerArchiveRoutes(router, b.archive);
  if (b.build) registerBuildRoutes(router, b.build);
  registerConsoleRoutes(router, b.console ?? {});
  if (b.revisions) registerRevisionRoutes(router, b.revisions);
  if (b.backup) registerBackupRoutes(router, b.backup);
  return router;
}
