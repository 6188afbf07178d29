import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConflictError, NotModifiedError } from '../../common/errors.js';
import { initialState, type ContainerState, type ContainerStatus } from './container-model.js';
import {
  assertCanPause,
  assertCanRemove,
  assertCanStart,
  assertCanStop,
  assertCanUnpause,
  canKill,
  canPause,
  canRemove,
  canRestart,
  canStart,
  canStop,
  canUnpause,
  markRemoving,
  restartUnderWay,
  withStatus,
} from './container-state.js';

const state = (status: ContainerStatus): ContainerState =>
  status === 'removing' ? markRemoving(withStatus(initialState(), 'exited')) : withStatus(initialState(), status);

// status        start  pause  unpause stop   kill   restart remove remove -f
const TABLE: [ContainerStatus, boolean, boolean, boolean, boolean, boolean, boolean, boolean, boolean][] = [
  ['created',    true,  false, false,  false, false, true,   true,  true],
  ['running',    false, true,  false,  true,  true,  true,   false, true],
  ['paused',     false, false, true,   true,  true,  true,   false, true],
  ['restarting', true,  false, false,  true,  false, true,   false, true],
  ['exited',     true,  false, false,  false, false, true,   true,  true],
  ['dead',       true,  false, false,  false, false, true,   true,  true],
  ['removing',   false, false, false,  false, false, false,  false, false],
];

test('what each state allows, as a table', () => {
  for (const [status, start, pause, unpause, stop, kill, restart, remove, forceRemove] of TABLE) {
    const s = state(status);
    assert.equal(canStart(s), start, `${status}: start`);
    assert.equal(canPause(s), pause, `${status}: pause`);
    assert.equal(canUnpause(s), unpause, `${status}: unpause`);
    assert.equal(canStop(s), stop, `${status}: stop`);
    assert.equal(canKill(s), kill, `${status}: kill`);
    assert.equal(canRestart(s), restart, `${status}: restart`);
    assert.equal(canRemove(s), remove, `${status}: remove`);
    assert.equal(canRemove(s, true), forceRemove, `${status}: remove -f`);
  }
});

test("the booleans follow the status and nothing else writes them", () => {
  const flags = (s: ContainerState) => [s.Running, s.Paused, s.Restarting, s.Dead];
  assert.deepEqual(flags(state('created')), [false, false, false, false]);
  assert.deepEqual(flags(state('running')), [true, false, false, false]);
  assert.deepEqual(flags(state('paused')), [true, true, false, false]);
  assert.deepEqual(flags(state('restarting')), [false, false, true, false], "berth's restarting container is not Running");
  assert.deepEqual(flags(state('exited')), [false, false, false, false]);
  assert.deepEqual(flags(state('dead')), [false, false, false, true]);
  // Fields a transition sets come along; OOMKilled is the last exit's, not the status's.
  const exited = withStatus(state('running'), 'exited', { ExitCode: 137, OOMKilled: true, Pid: 0 });
  assert.equal(exited.ExitCode, 137);
  assert.equal(exited.OOMKilled, true);
  assert.equal(withStatus(exited, 'running').OOMKilled, true, 'only what the caller passes changes');
  // Removal and a restart under way keep what the status says of the process.
  const removing = markRemoving(state('running'));
  assert.equal(removing.Status, 'removing');
  assert.equal(removing.Running, true);
  const underWay = restartUnderWay(state('restarting'));
  assert.equal(underWay.Status, 'restarting');
  assert.equal(underWay.Restarting, false);
  // ...and rm without force still refuses it while it starts, as dockerd refuses a restarting one.
  assert.equal(canRemove(underWay), false);
  assert.equal(canRemove(underWay, true), true);
  assert.throws(() => assertCanRemove({ Id: 'c'.repeat(64), Name: '/web', State: underWay }, false), /container is restarting: stop the container before removing or force remove/);
});

test("the refusals are dockerd's errors", () => {
  const id = 'c'.repeat(64);
  assert.throws(() => assertCanStart(id, state('paused')), (e) => e instanceof ConflictError && e.message === 'cannot start a paused container, try unpause instead');
  assert.throws(() => assertCanStart(id, state('running')), (e) => e instanceof NotModifiedError && e.message === 'container already started');
  assert.throws(() => assertCanStart(id, state('removing')), (e) => e instanceof ConflictError && e.message === `container ${id} is marked for removal and cannot be started`);
  assert.throws(() => assertCanStart(id, state('exited'), true), /is marked for removal/);
  assert.doesNotThrow(() => assertCanStart(id, state('exited')));
  assert.throws(() => assertCanPause(id, state('exited')), (e) => e instanceof ConflictError && e.message === `Container ${id} is not running`);
  assert.throws(() => assertCanPause(id, state('paused')), (e) => e instanceof ConflictError && e.message === `Container ${id} is already paused`);
  assert.throws(() => assertCanUnpause(id, state('running')), (e) => e instanceof ConflictError && e.message === `Container ${id} is not paused`);
  assert.throws(() => assertCanStop(state('exited')), (e) => e instanceof NotModifiedError && e.message === 'container already stopped');
  const c = (status: ContainerStatus) => ({ Id: id, Name: '/web', State: state(status) });
  assert.throws(() => assertCanRemove(c('running'), false), { message: 'cannot remove container "/web": container is running: stop the container before removing or force remove' });
  assert.throws(() => assertCanRemove(c('paused'), false), { message: 'cannot remove container "/web": container is paused: stop the container before removing or force remove' });
  assert.throws(() => assertCanRemove(c('restarting'), false), { message: 'cannot remove container "/web": container is restarting: stop the container before removing or force remove' });
  assert.throws(() => assertCanRemove(c('removing'), true), { message: `removal of container ${id} is already in progress` });
  assert.doesNotThrow(() => assertCanRemove(c('running'), true));
});
