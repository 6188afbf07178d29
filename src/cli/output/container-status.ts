// The STATUS text of `docker ps` (the daemon's State.String() in moby), built from a container's state.
import { humanDuration } from './units.js';

export interface ContainerStatusState {
  running: boolean;
  paused?: boolean;
  restarting?: boolean;
  removalInProgress?: boolean;
  dead?: boolean;
  exitCode?: number;
  /** Undefined (or Go's zero time) when the container never started. */
  startedAt?: Date;
  finishedAt?: Date;
  /** "starting", "healthy", "unhealthy"; undefined when the container has no healthcheck. */
  health?: string;
}

function isZero(date: Date | undefined): date is undefined {
  // Go's zero time (0001-01-01) serialises as a date before the unix epoch.
  return date === undefined || Number.isNaN(date.getTime()) || date.getTime() <= 0;
}

export function containerStatus(s: ContainerStatusState, now: Date = new Date()): string {
  const since = (d: Date | undefined): string => humanDuration(now.getTime() - (isZero(d) ? now.getTime() : d.getTime()));
  if (s.running) {
    if (s.paused) return `Up ${since(s.startedAt)} (Paused)`;
    if (s.restarting) return `Restarting (${s.exitCode ?? 0}) ${since(s.finishedAt)} ago`;
    if (s.health !== undefined) return `Up ${since(s.startedAt)} (${s.health === 'starting' ? 'health: starting' : s.health})`;
    return `Up ${since(s.startedAt)}`;
  }
  if (s.removalInProgress) return 'Removal In Progress';
  if (s.dead) return 'Dead';
  if (isZero(s.startedAt)) return 'Created';
  if (isZero(s.finishedAt)) return '';
  return `Exited (${s.exitCode ?? 0}) ${since(s.finishedAt)} ago`;
}
