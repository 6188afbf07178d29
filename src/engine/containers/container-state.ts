// The container state machine's rules in one place: which verbs a state allows (as youki's
// libcontainer `container/state.rs` does) and the one function that moves a State to a new status.
// Docker's redundant booleans (Running, Paused, Restarting, Dead) are written only by
// `withStatus`, derived from the status, so they can never disagree with it by hand.
import { ConflictError, NotModifiedError } from '../../common/errors.js';
import type { ContainerState, ContainerStatus } from './container-model.js';

type Flags = Pick<ContainerState, 'Running' | 'Paused' | 'Restarting' | 'Dead'>;
/** What a transition may set besides the status and the flags it derives. */
export type StateFields = Partial<Omit<ContainerState, 'Status' | keyof Flags>>;

/** Docker's booleans for a status (berth's restarting container is not Running, as before). */
export function flagsOf(status: Exclude<ContainerStatus, 'removing'>): Flags {
  return {
    Running: status === 'running' || status === 'paused',
    Paused: status === 'paused',
    Restarting: status === 'restarting',
    Dead: status === 'dead',
  };
}

/** The State after moving to `status`, with the booleans that status implies. */
export function withStatus(s: ContainerState, status: Exclude<ContainerStatus, 'removing'>, fields: StateFields = {}): ContainerState {
  return { ...s, ...fields, Status: status, ...flagsOf(status) };
}

/** Removal marks the container; whatever still runs is being killed, so the flags stay as they are. */
export function markRemoving(s: ContainerState): ContainerState {
  return { ...s, Status: 'removing' };
}

/**
 * A restart policy's restart is under way: the status reads "restarting" until the start records
 * "running", but the container no longer waits out a delay (stop and wait treat it as stopped).
 */
export function restartUnderWay(s: ContainerState): ContainerState {
  return { ...s, Restarting: false };
}

// ---------------------------------------------------------------- predicates

export const canStart = (s: ContainerState): boolean => !s.Paused && !s.Running && s.Status !== 'removing';
export const canPause = (s: ContainerState): boolean => s.Running && !s.Paused;
export const canUnpause = (s: ContainerState): boolean => s.Paused;
/** A restarting container can be stopped too: that cancels its pending restart. */
export const canStop = (s: ContainerState): boolean => s.Running || s.Restarting;
export const canKill = (s: ContainerState): boolean => s.Running;
export const canRestart = (s: ContainerState): boolean => s.Status !== 'removing';
/** A restart under way (status "restarting", flag cleared while it starts) is still restarting for rm. */
const restarting = (s: ContainerState): boolean => s.Restarting || s.Status === 'restarting';
export const canRemove = (s: ContainerState, force = false): boolean =>
  s.Status !== 'removing' && (force || (!s.Running && !restarting(s)));
/** Whether a container's process may be running, so recovery asks the runtime about it. */
export const mayBeLive = (s: ContainerState): boolean => s.Running || s.Restarting;

// ---------------------------------------------------------------- Docker's refusals

/** Throws dockerd's error when `start` is not allowed (`removalPending`: a forced remove is killing it). */
export function assertCanStart(id: string, s: ContainerState, removalPending = false): void {
  if (s.Paused) throw new ConflictError('cannot start a paused container, try unpause instead');
  if (s.Running) throw new NotModifiedError('container already started');
  if (s.Status === 'removing' || removalPending) throw new ConflictError(`container ${id} is marked for removal and cannot be started`);
}

export const notRunning = (id: string): ConflictError => new ConflictError(`Container ${id} is not running`);
export const notPaused = (id: string): ConflictError => new ConflictError(`Container ${id} is not paused`);

export function assertCanPause(id: string, s: ContainerState): void {
  if (!s.Running) throw notRunning(id);
  if (s.Paused) throw new ConflictError(`Container ${id} is already paused`);
}

export function assertCanUnpause(id: string, s: ContainerState): void {
  if (!canUnpause(s)) throw notPaused(id);
}

export function assertCanStop(s: ContainerState): void {
  if (!canStop(s)) throw new NotModifiedError('container already stopped');
}

export function killRefusal(ref: string, id: string): ConflictError {
  return new ConflictError(`Cannot kill container: ${ref}: container ${id} is not running`);
}

export function assertCanKill(ref: string, id: string, s: ContainerState): void {
  if (!canKill(s)) throw killRefusal(ref, id);
}

export function assertCanRemove(c: { Id: string; Name: string; State: ContainerState }, force: boolean): void {
  const s = c.State;
  if (restarting(s) && !force) {
    throw new ConflictError(`cannot remove container "${c.Name}": container is restarting: stop the container before removing or force remove`);
  }
  if (s.Running && !force) {
    throw new ConflictError(`cannot remove container "${c.Name}": container is ${s.Paused ? 'paused' : 'running'}: stop the container before removing or force remove`);
  }
  if (s.Status === 'removing') throw new ConflictError(`removal of container ${c.Id} is already in progress`);
}
