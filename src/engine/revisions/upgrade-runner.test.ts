import assert from 'node:assert/strict';
import { test } from 'node:test';
import { NotFoundError, NotModifiedError } from '../../common/errors.js';
import { createLogger } from '../../common/logger.js';
import { openDatabase } from '../../store/database.js';
import { RevisionRepository } from '../../store/revision-repository.js';
import type { ContainerRecord } from '../containers/container-model.js';
import type { RevisionContainers, RevisionDeps, RevisionImages } from './ports.js';
import { RevisionBook } from './revision-book.js';
import type { UpgradeJournal } from './upgrade-journal.js';
import { UpgradeRunner } from './upgrade-runner.js';

// The swap and its crash recovery against an in-memory container service: what a user would see
// is which container has the name, whether it runs, and what `berth revisions` says.

class FakeContainers implements RevisionContainers {
  readonly byId = new Map<string, ContainerRecord>();
  private n = 0;

  add(name: string, image: string, running: boolean): ContainerRecord {
    const c = {
      Id: `${String(++this.n).padStart(2, '0')}${'0'.repeat(62)}`,
      Name: `/${name}`,
      Image: `sha256:${image}`,
      Created: new Date().toISOString(),
      Config: { Image: image },
      HostConfig: { PortBindings: {} },
      State: { Running: running, Restarting: false, StartedAt: running ? new Date().toISOString() : '0001-01-01T00:00:00Z', ExitCode: 0, Error: '' },
      RestartCount: 0,
      Mounts: [],
      endpointsConfig: {},
      NetworkSettings: {},
      LogPath: `/logs/${name}`,
    } as unknown as ContainerRecord;
    this.byId.set(c.Id, c);
    return c;
  }

  get(ref: string): ContainerRecord {
    const c = this.byId.get(ref) ?? [...this.byId.values()].find((x) => x.Name === `/${ref}`);
    if (!c) throw new NotFoundError(`No such container: ${ref}`);
    return c;
  }

  list(): ContainerRecord[] {
    return [...this.byId.values()];
  }

  named(name: string): ContainerRecord[] {
    return this.list().filter((c) => c.Name === `/${name}`);
  }

  async create(req: { name?: string; body: Record<string, any> }): Promise<{ Id: string }> {
    if (this.named(req.name!).length) throw new Error('name in use');
    return { Id: this.add(req.name!, String(req.body.Image).replace(/^sha256:/, ''), false).Id };
  }

  async start(ref: string): Promise<void> {
    const c = this.get(ref);
    c.State = { ...c.State, Running: true, StartedAt: new Date().toISOString() };
    // An image named "exits" dies at once, as a broken release would.
    if (c.Image === 'sha256:exits') setTimeout(() => (c.State = { ...c.State, Running: false, ExitCode: 3 }), 5);
  }

  async stop(ref: string): Promise<void> {
    const c = this.get(ref);
    if (!c.State.Running) throw new NotModifiedError('container already stopped');
    c.State = { ...c.State, Running: false };
  }

  async remove(ref: string): Promise<void> {
    this.byId.delete(this.get(ref).Id);
  }

  rename(ref: string, name: string): void {
    this.get(ref).Name = `/${name}`;
  }
}

function setup() {
  const events: { Action: string; Actor: { ID: string; Attributes?: Record<string, string> } }[] = [];
  const repo = new RevisionRepository(openDatabase(':memory:'));
  const containers = new FakeContainers();
  const images = {
    getImage: (ref: string) => {
      const id = ref.replace(/^sha256:/, '');
      return { id: `sha256:${id}`, repoDigests: [], repoTags: [], layers: [], config: { rootfs: {} } };
    },
    pull: async () => {
      throw new Error('offline');
    },
  } as unknown as RevisionImages;
  const deps: RevisionDeps = {
    repo,
    containers,
    images,
    readLogs: async function* () {
      yield { stream: 'stderr', time: '', line: Buffer.from('broken config\n') };
    },
    events: { emit: (e) => events.push(e) },
    logger: createLogger('silent'),
    options: { historyDepth: 5, autoUpgradeInterval: 0 },
  };
  const book = new RevisionBook(deps);
  const old = containers.add('web', 'v1', true);
  book.recordCreated(old.Id, { Image: 'v1' });
  return { repo, containers, book, runner: new UpgradeRunner(deps, book), old, events };
}

const states = (repo: RevisionRepository, lineage: string) => repo.ofLineage(lineage).map((r) => [r.revision, r.state]);

test('an image that exits at start is rolled back: the old container has its name back and runs, the revision failed with its logs', async () => {
  const { repo, containers, runner, old, events } = setup();
  const out = await runner.upgrade('web', { image: 'exits', waitMs: 200 }, () => undefined);
  assert.deepEqual(events.map((e) => [e.Action, e.Actor.ID, e.Actor.Attributes?.revision, e.Actor.Attributes?.failedRevision]), [['rollback', old.Id, '1', '2']]);
  assert.equal(out.result, 'rolled-back');
  assert.match(out.reason!, /exited with code 3/);
  assert.deepEqual(containers.named('web').map((c) => [c.Id, c.State.Running]), [[old.Id, true]]);
  assert.equal(containers.list().length, 1);
  assert.deepEqual(states(repo, old.Id), [[2, 'failed'], [1, 'current']]);
  assert.match(repo.ofLineage(old.Id)[0]!.logs!, /broken config/);
  assert.equal(repo.allUpgrades().length, 0);
});

test('a good image replaces the container; the same image again changes nothing', async () => {
  const { repo, containers, runner, old, events } = setup();
  const out = await runner.upgrade('web', { image: 'v2', waitMs: 50 }, () => undefined);
  assert.equal(out.result, 'upgraded');
  assert.deepEqual(events.map((e) => [e.Action, e.Actor.ID, e.Actor.Attributes?.revision]), [['upgrade', out.containerId, '2']]);
  assert.deepEqual(containers.list().map((c) => [c.Name, c.Image, c.State.Running]), [['/web', 'sha256:v2', true]]);
  assert.deepEqual(states(repo, old.Id), [[2, 'current'], [1, 'replaced']]);
  assert.equal((await runner.upgrade('web', { image: 'v2' }, () => undefined)).result, 'up-to-date');
  const back = await runner.rollback('web', { waitMs: 50 }, () => undefined);
  assert.equal(back.result, 'rolled-back');
  assert.deepEqual(containers.list().map((c) => [c.Name, c.Image]), [['/web', 'sha256:v1']]);
  assert.deepEqual(states(repo, old.Id), [[2, 'rolled-back'], [1, 'current']]);
});

/** The store and containers as a berthd killed at `step` leaves them. */
function interrupted(step: UpgradeJournal['step']) {
  const s = setup();
  s.repo.insert({ ...s.repo.ofLineage(s.old.Id)[0]!, revision: 2, containerId: null, imageRef: 'v2', imageId: 'sha256:v2', state: 'pending' });
  s.containers.rename(s.old.Id, 'web-berth-old-abc');
  s.old.State.Running = false;
  const fresh = s.containers.add('web', 'v2', true);
  const j: UpgradeJournal = {
    lineage: s.old.Id, kind: 'upgrade', name: 'web', order: 'stop-first', oldId: s.old.Id, oldRevision: 1, oldWasRunning: true,
    asideName: 'web-berth-old-abc', newName: 'web', newId: fresh.Id, newRevision: 2, step, started: new Date().toISOString(),
  };
  s.repo.putUpgrade(s.old.Id, j);
  return { ...s, fresh };
}

test('recovery before the gate passed undoes the upgrade: the old container is back under its name and runs', async () => {
  const { repo, containers, runner, old } = interrupted('new-started');
  await runner.recover();
  assert.deepEqual(containers.list().map((c) => [c.Id, c.Name, c.State.Running]), [[old.Id, '/web', true]]);
  assert.deepEqual(states(repo, old.Id), [[2, 'failed'], [1, 'current']]);
  assert.match(repo.ofLineage(old.Id)[0]!.reason!, /berthd stopped during the upgrade \(at new-started\)/);
  assert.equal(repo.allUpgrades().length, 0);
});

test('recovery after the gate passed finishes the upgrade: the old container goes, the new one keeps the name', async () => {
  const { repo, containers, runner, old, fresh } = interrupted('passed');
  await runner.recover();
  assert.deepEqual(containers.list().map((c) => [c.Id, c.Name, c.State.Running]), [[fresh.Id, '/web', true]]);
  assert.deepEqual(states(repo, old.Id), [[2, 'current'], [1, 'replaced']]);
  assert.equal(repo.allUpgrades().length, 0);
});

test('recovery of a berthd killed while creating the new container (its id not yet journalled) removes it by name', async () => {
  const { repo, containers, runner, old } = interrupted('old-aside');
  const j = repo.getUpgrade<UpgradeJournal>(old.Id)!;
  repo.putUpgrade(old.Id, { ...j, newId: undefined });
  await runner.recover();
  assert.deepEqual(containers.list().map((c) => [c.Id, c.Name, c.State.Running]), [[old.Id, '/web', true]]);
});
