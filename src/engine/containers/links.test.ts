import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NotFoundError } from '../../common/errors.js';
import { linkEnv, linkNamesByTarget, normaliseLinks, removeLink, withLinkHosts, type LinkableContainer } from './links.js';

function ctr(name: string, extra: Partial<LinkableContainer> = {}): LinkableContainer {
  return { Id: `${name}-id`, Name: `/${name}`, Config: {}, HostConfig: { NetworkMode: 'bridge' }, State: { Running: true }, NetworkSettings: {}, ...extra };
}

function lookupOf(...cs: LinkableContainer[]) {
  return (ref: string) => {
    const c = cs.find((x) => x.Name === (ref.startsWith('/') ? ref : `/${ref}`) || x.Id === ref);
    if (!c) throw new NotFoundError(`No such container: ${ref}`);
    return c;
  };
}

test('link variables follow dockerd: first port, per-port, ranges, name and env without HOME/PATH', () => {
  const env = linkEnv('/me/db-1', '10.0.0.2', ['PATH=/bin', 'HOME=/root', 'A=1=2', 'NOVALUE'], ['5432/tcp', '5433/tcp', '53/udp']);
  assert.deepEqual(env, [
    'DB_1_PORT=tcp://10.0.0.2:5432',
    'DB_1_PORT_5432_TCP=tcp://10.0.0.2:5432',
    'DB_1_PORT_5432_TCP_ADDR=10.0.0.2',
    'DB_1_PORT_5432_TCP_PORT=5432',
    'DB_1_PORT_5432_TCP_PROTO=tcp',
    'DB_1_PORT_5433_TCP=tcp://10.0.0.2:5433',
    'DB_1_PORT_5433_TCP_ADDR=10.0.0.2',
    'DB_1_PORT_5433_TCP_PORT=5433',
    'DB_1_PORT_5433_TCP_PROTO=tcp',
    // dockerd closes a run of ports when it meets the next port, so the range comes after 53/udp
    'DB_1_PORT_53_UDP=udp://10.0.0.2:53',
    'DB_1_PORT_53_UDP_ADDR=10.0.0.2',
    'DB_1_PORT_53_UDP_PORT=53',
    'DB_1_PORT_53_UDP_PROTO=udp',
    'DB_1_PORT_5432_TCP_START=tcp://10.0.0.2:5432',
    'DB_1_PORT_5432_TCP_PORT_START=5432',
    'DB_1_PORT_5432_TCP_END=tcp://10.0.0.2:5433',
    'DB_1_PORT_5432_TCP_PORT_END=5433',
    'DB_1_NAME=/me/db-1',
    'DB_1_ENV_A=1=2',
  ]);
  assert.deepEqual(linkEnv('/me/x', '10.0.0.2', [], []), ['X_NAME=/me/x']);
});

test('links are checked at create and kept in inspect form; user networks keep none', () => {
  const web = ctr('web');
  const shared = ctr('sidecar', { HostConfig: { NetworkMode: 'container:web-id' } });
  const look = lookupOf(web, shared);
  assert.deepEqual(normaliseLinks(['web:w', 'sidecar', '/web:/old/alias'], '/me', 'bridge', look), ['/web:/me/w', '/web:/me/sidecar', '/web:/me/alias']);
  assert.equal(normaliseLinks(['web:w'], '/me', 'mynet', look), null);
  assert.equal(normaliseLinks(null, '/me', 'bridge', look), null);
  assert.throws(() => normaliseLinks(['nope:n'], '/me', 'bridge', look), /could not get container for nope: No such container: nope/);
  assert.throws(() => normaliseLinks(['a:b:c'], '/me', 'bridge', look), /bad format for links: a:b:c/);
  assert.throws(() => normaliseLinks(['web'], '/me', 'host', look), /host type networking can't be used with links/);
});

test('link lines go before the container\'s own line; rm --link forgets one link', () => {
  assert.equal(withLinkHosts('127.0.0.1\tlocalhost\n10.0.0.3\tabc\n', '10.0.0.2\tw web\n'), '127.0.0.1\tlocalhost\n10.0.0.2\tw web\n10.0.0.3\tabc\n');
  const me = ctr('me', { HostConfig: { NetworkMode: 'bridge', Links: ['/web:/me/w', '/db:/me/d'] } });
  const saved: string[][] = [];
  const look = lookupOf(me);
  removeLink('me/w', look, (p) => saved.push(p.HostConfig.Links ?? []));
  assert.deepEqual(saved, [['/db:/me/d']]);
  assert.throws(() => removeLink('me/w', look, () => undefined), /No such container: me\/w/);
  assert.throws(() => removeLink('/me', look, () => undefined), /Conflict, cannot remove the default link name of the container/);
  assert.throws(() => removeLink('ghost/w', look, () => undefined), /No such container: ghost\/w/);
});

test('a linked container is also known by its link names, as docker ps --no-trunc lists them', () => {
  const c = (name: string, links: string[] | null) => ({ Id: name, Name: name, Config: {}, HostConfig: { Links: links }, State: { Running: true }, NetworkSettings: {} });
  const names = linkNamesByTarget([c('/db', null), c('/web', ['/db:/web/db', '/cache:/web/redis']), c('/api', ['/db:/api/database'])]);
  assert.deepEqual(names.get('/db'), ['/web/db', '/api/database']);
  assert.deepEqual(names.get('/cache'), ['/web/redis']);
  assert.equal(names.get('/web'), undefined);
});
