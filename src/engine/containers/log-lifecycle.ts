import type { EventBus } from '../events/event-bus.js';
import type { ContainerRecord } from './container-model.js';
import { forgetRotations } from './log-files.js';
import { logPolicy } from './log-policy.js';
import type { LogRotator } from './log-rotator.js';

/**
 * Keeps every running container's log under rotation: from its `start` event (and for those a
 * restarted berthd adopted) until it dies; its rotation count goes when it is removed.
 */
export function keepLogsRotated(
  events: EventBus,
  rotator: LogRotator,
  lookup: (id: string) => ContainerRecord | undefined,
  running: () => ContainerRecord[],
  daemon: { driver: string; opts: Record<string, string> },
): () => void {
  const logPaths = new Map<string, string>();
  const watch = (c: ContainerRecord) => {
    logPaths.set(c.Id, c.LogPath);
    rotator.watch(c.Id, c.LogPath, logPolicy(c.HostConfig.LogConfig, daemon));
  };
  for (const c of running()) watch(c);
  return events.subscribe((e) => {
    if (e.Type !== 'container') return;
    if (e.Action === 'start') {
      const c = lookup(e.Actor.ID);
      if (c) watch(c);
    } else if (e.Action === 'die') rotator.unwatch(e.Actor.ID);
    else if (e.Action === 'destroy') {
      rotator.unwatch(e.Actor.ID);
      const path = logPaths.get(e.Actor.ID);
      if (path) forgetRotations(path);
      logPaths.delete(e.Actor.ID);
    }
  });
}
