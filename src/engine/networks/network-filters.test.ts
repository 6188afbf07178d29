import { test } from 'node:test';
import assert from 'node:assert/strict';
import { networkListFilter, networkPruneFilter, type FilteredNetwork } from './network-filters.js';
import type { NetworkDoc } from './network-types.js';
import { newNetworkDoc } from './predefined-networks.js';

function net(name: string, extra: Partial<NetworkDoc> = {}): NetworkDoc {
  const doc = newNetworkDoc(name, 'bridge', [], {}, {}, false);
  return { ...doc, Id: `${name}0123456789`.padEnd(64, 'f'), Created: '2026-01-01T00:00:00.000Z', ...extra };
}

const all: FilteredNetwork[] = [
  { doc: net('bridge'), inUse: true },
  { doc: net('host', { Driver: 'host' }), inUse: false },
  { doc: net('none', { Driver: 'null' }), inUse: false },
  { doc: net('app-front', { Labels: { app: 'x', tier: 'front' } }), inUse: true },
  { doc: net('app-back', { Labels: { app: 'x', tier: 'back' }, Created: '2026-06-01T00:00:00.000Z' }), inUse: false },
  { doc: net('lone'), inUse: false },
];

const names = (f: Record<string, string[]>) => all.filter(networkListFilter(f)).map((n) => n.doc.Name);
const prunable = (f: Record<string, string[]>, now?: number) => all.filter(networkPruneFilter(f, now)).map((n) => n.doc.Name);

test('list: driver, scope and type exactly, id by prefix, name by substring', () => {
  assert.deepEqual(names({}), ['bridge', 'host', 'none', 'app-front', 'app-back', 'lone']);
  assert.deepEqual(names({ driver: ['host', 'null'] }), ['host', 'none']);
  assert.deepEqual(names({ type: ['builtin'] }), ['bridge', 'host', 'none']);
  assert.deepEqual(names({ type: ['custom'] }), ['app-front', 'app-back', 'lone']);
  assert.deepEqual(names({ scope: ['swarm'] }), []);
  assert.deepEqual(names({ scope: ['local'] }).length, 6);
  assert.deepEqual(names({ id: ['lone01'] }), ['lone']);
  assert.deepEqual(names({ name: ['app', 'lon'] }), ['app-front', 'app-back', 'lone']);
  assert.deepEqual(names({ name: ['ront'] }), ['app-front']);
});

test('list: labels (key, key=value, label!) and dangling as a Go boolean', () => {
  assert.deepEqual(names({ label: ['app'] }), ['app-front', 'app-back']);
  assert.deepEqual(names({ label: ['app=x', 'tier=back'] }), ['app-back']);
  assert.deepEqual(names({ 'label!': ['tier=back'] }), ['bridge', 'host', 'none', 'app-front', 'lone']);
  assert.deepEqual(names({ dangling: ['true'] }), ['app-back', 'lone']);
  assert.deepEqual(names({ dangling: ['1'] }), ['app-back', 'lone']);
  assert.deepEqual(names({ dangling: ['false'] }), ['bridge', 'host', 'none', 'app-front']);
  assert.throws(() => names({ dangling: ['maybe'] }), /invalid filter 'dangling': strconv.ParseBool: parsing "maybe": invalid syntax/);
});

test('list and prune refuse a filter key they do not know, naming it', () => {
  assert.throws(() => names({ bogus: ['1'] }), { name: 'InvalidArgumentError', message: "invalid filter 'bogus'" });
  assert.throws(() => prunable({ driver: ['bridge'] }), { name: 'InvalidArgumentError', message: "invalid filter 'driver'" });
});

test('prune: user networks without containers only, by labels and until', () => {
  assert.deepEqual(prunable({}), ['app-back', 'lone']);
  assert.deepEqual(prunable({ label: ['app=x'] }), ['app-back']);
  assert.deepEqual(prunable({ 'label!': ['app'] }), ['lone']);
  assert.deepEqual(prunable({ until: ['2026-03-01T00:00:00Z'] }), ['lone']);
  assert.deepEqual(prunable({ until: [String(Date.parse('2026-03-01T00:00:00Z') / 1000)] }), ['lone']);
  // A Go duration counts back from now: 24h before 2026-06-02 is after app-back's creation.
  assert.deepEqual(prunable({ until: ['24h'] }, Date.parse('2026-06-02T01:00:00Z')), ['app-back', 'lone']);
  assert.deepEqual(prunable({ until: ['24h'] }, Date.parse('2026-06-01T12:00:00Z')), ['lone']);
  assert.throws(() => prunable({ until: ['soon'] }), /invalid value for until: soon/);
});
