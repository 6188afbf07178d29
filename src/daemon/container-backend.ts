import type { ContainersBackend } from '../api/routes/container-backend.js';
import { pruneContainers } from '../engine/containers/container-prune.js';
import { inspectContainer, listContainers, topContainer, type ContainerQueryDeps } from '../engine/containers/container-queries.js';
import type { ContainerService } from '../engine/containers/container-service.js';
import type { ContainerSizer } from '../engine/containers/container-sizes.js';
import { removeWithExecs } from '../engine/containers/remove-with-execs.js';
import { containerStats, precpuSample } from '../engine/containers/container-stats.js';
import { containerTop } from '../engine/containers/container-top.js';
import { openLogs } from '../engine/containers/log-stream.js';
import { statsStream } from '../engine/containers/stats-stream.js';
import { cgroupVersion } from '../engine/system/system-info.js';
import { containerSize } from './disk-usage.js';
import { recordingCreates } from './revision-guards.js';
import type { Services } from './services.js';

/** The container and exec routes' backend: the engine's services and per-job modules behind it. */
export function containersBackend(s: Services): ContainersBackend {
  const svc = recordingCreates(s.containers, s.revisions);
  const get = (ref: string) => svc.get(ref);
  const size = (id: string) => containerSize(s, id);
  const remove = (ref: string, o: { force?: boolean; volumes?: boolean }) =>
    removeWithExecs({ get, remove: (id, ro) => svc.remove(id, ro), forgetExecs: (id) => s.exec.forget(id) }, ref, o);
  const queries = queryDeps(s, svc, size);
  return {
    containers: {
      list: (o) => listContainers(queries, o),
      inspect: (ref, o) => inspectContainer(queries, ref, o),
      top: (ref, psArgs) => topContainer(queries, ref, psArgs),
      logs: (ref, q) => openLogs({ get, readLogs: (path, o) => s.logs(path, o), exited: (id) => svc.exited(id) }, ref, q),
      stats: (ref, o) => statsStream({ get, sample: (c, previous) => containerStats(c, previous), precpu: precpuSample }, ref, o),
      create: (req) => svc.create(req),
      start: (ref) => svc.start(ref),
      stop: (ref, o) => svc.stop(ref, o),
      restart: (ref, o) => svc.restart(ref, o),
      kill: (ref, signal) => svc.kill(ref, signal),
      pause: (ref) => svc.pause(ref),
      unpause: (ref) => svc.unpause(ref),
      resize: (ref, h, w) => svc.resize(ref, h, w),
      update: (ref, body) => svc.update(ref, body),
      rename: (ref, name) => svc.rename(ref, name),
      wait: (ref, condition) => ({ result: svc.wait(get(ref).Id, condition) }),
      remove,
      assertExists: (ref) => void get(ref),
      removeLink: (name) => svc.removeLink(name),
      prune: (filters) => pruneContainers({ list: () => svc.list(), remove: (id) => remove(id, { force: false }), size, events: s.events }, filters),
      attachTarget: (ref) => {
        const c = get(ref);
        return { id: c.Id, tty: !!c.Config.Tty };
      },
      attachLogs: (id) => s.logs(get(id).LogPath, {}),
      attach: (id, o) => svc.attach(id, o),
      cancelPendingAttach: (id) => svc.cancelPendingAttach(id),
    },
    exec: s.exec,
    cgroupVersion,
  };
}

/** ps, inspect and top read the service's records, the image store and the container's directories. */
function queryDeps(s: Services, svc: ContainerService, size: ContainerSizer): ContainerQueryDeps {
  return {
    list: () => svc.list(),
    get: (ref) => svc.get(ref),
    imageId: (ref) => {
      try {
        return s.images.getImage(ref).id;
      } catch {
        return undefined;
      }
    },
    execIds: (id) => s.exec.idsOf(id),
    graphDriverData: (id) => ({
      LowerDir: '',
      MergedDir: s.paths.containerMergedDir(id),
      UpperDir: s.paths.containerUpperDir(id),
      WorkDir: s.paths.containerWorkDir(id),
    }),
    top: (c, psArgs) => containerTop(c.Id, psArgs),
    size,
    logger: s.logger,
  };
}
