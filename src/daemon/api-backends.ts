import type { ApiBackends } from '../api/build-router.js';
import { containerStats } from '../engine/containers/container-stats.js';
import { containerTop } from '../engine/containers/container-top.js';
import { connectContainer, disconnectContainer } from '../engine/networks/container-connector.js';
import { runHostChecks } from '../engine/system/host-checks.js';
import { hostCheckOptions } from './host-check-options.js';
import type { Services } from './services.js';
import { containerSize, diskUsage } from './disk-usage.js';
import { imageTransferBackend } from './image-transfer-backend.js';
import { buildBackend } from './build-backend.js';
import { recordingCreates, revisionAwareImages } from './revision-guards.js';
import { cgroupVersion } from '../engine/system/system-info.js';
import { backupBackend } from './backup-backend.js';

/** Hands each route group the narrow view of the services it needs. */
export function apiBackends(s: Services): ApiBackends {
  return {
    system: {
      version: () => s.system.version(),
      info: () => s.system.info(),
      diskUsage: ({ types }) => diskUsage(s, types),
      hostChecks: () => runHostChecks(hostCheckOptions(s.config)),
      events: s.events,
    },
    containers: {
      containers: recordingCreates(s.containers, s.revisions),
      exec: s.exec,
      readLogs: (path, o) => s.logs(path, o),
      imageId: (ref) => {
        try {
          return s.images.getImage(ref).id;
        } catch {
          return undefined;
        }
      },
      graphDriverData: (id) => ({
        LowerDir: '',
        MergedDir: s.paths.containerMergedDir(id),
        UpperDir: s.paths.containerUpperDir(id),
        WorkDir: s.paths.containerWorkDir(id),
      }),
      containerSize: async (id) => containerSize(s, id),
      top: (c, psArgs) => containerTop(c.Id, psArgs),
      stats: (c, previous) => containerStats(c, previous),
      cgroupVersion,
    },
    networks: {
      networks: s.networks,
      // Live for running containers, and recorded in the container for its next start.
      connect: (net, ref, ep) => connectContainer(s.networks, s.containers, net, ref, ep),
      disconnect: (net, ref, force) => disconnectContainer(s.networks, s.containers, net, ref, force),
    },
    images: {
      images: revisionAwareImages(s.images, s.revisions),
      usedBy: (imageId) => {
        const users = s.containers.list().filter((c) => c.Image === imageId);
        const c = users.find((u) => u.State.Running) ?? users[0];
        return c && { id: c.Id, running: c.State.Running };
      },
      containerCount: (imageId) => s.containers.list().filter((c) => c.Image === imageId).length,
    },
    volumes: { volumes: s.volumes },
    archive: { archive: s.archive },
    imageTransfer: imageTransferBackend(s),
    build: buildBackend(s),
    revisions: { revisions: s.revisions },
    backup: backupBackend(s),
  };
}
