import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createLogger } from '../../common/logger.js';
import { openDatabase } from '../../store/database.js';
import { RevisionRepository, type RevisionRow } from '../../store/revision-repository.js';
import type { ContainerRecord } from '../containers/container-model.js';
import { RevisionBook } from './revision-book.js';
import type { RevisionContainers, RevisionImages } from './ports.js';

function row(revision: number, state: RevisionRow['state'], containerId: string | null = null): RevisionRow {
  return {
    lineage: 'L', revision, containerId, name: 'web', imageRef: `web:${revision}`, imageId: `sha256:${String(revision).repeat(64).slice(0, 64)}`,
    repoDigest: null, request: { Config: {}, HostConfig: {}, NetworkingConfig: {} }, created: new Date().toISOString(), state, reason: null, logs: null, ended: null,
  };
}

function book(depth: number) {
  const repo = new RevisionRepository(openDatabase(':memory:'));
  const containers = { get: (id: string) => ({ Id: id, Name: '/web', Image: 'sha256:x', Config: { Image: 'web:1' }, Created: '' }) as unknown as ContainerRecord } as unknown as RevisionContainers;
  const images = { getImage: () => ({ id: 'sha256:x', repoDigests: [] }) } as unknown as RevisionImages;
  return { repo, book: new RevisionBook({ repo, containers, images, logger: createLogger('error'), options: { historyDepth: depth, autoUpgradeInterval: 0 } }) };
}

test('history is trimmed to the depth, oldest first, never the current revision', () => {
  const { repo, book: b } = book(2);
  repo.insert(row(1, 'current', 'c1'));
  for (const n of [2, 3, 4]) repo.insert(row(n, 'replaced'));
  b.trim('L');
  assert.deepEqual(repo.ofLineage('L').map((r) => r.revision), [4, 3, 1]);
});

test('images of kept revisions are protected; removing the current container drops the line unless an upgrade moves it', () => {
  const { repo, book: b } = book(5);
  repo.insert(row(1, 'replaced', 'c1'));
  repo.insert(row(2, 'current', 'c2'));
  assert.deepEqual(b.protectorOf(row(1, 'replaced').imageId), { name: 'web', revision: 1 });
  b.containerDestroyed('c1');
  assert.equal(repo.ofLineage('L').length, 2, 'an old container going takes nothing');
  repo.putUpgrade('L', { step: 'passed' });
  b.containerDestroyed('c2');
  assert.equal(repo.ofLineage('L').length, 2, 'mid-upgrade the history stays');
  repo.removeUpgrade('L');
  b.containerDestroyed('c2');
  assert.equal(repo.ofLineage('L').length, 0);
  assert.equal(b.protectorOf(row(1, 'replaced').imageId), undefined);
});
