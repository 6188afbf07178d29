import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ContainerRecord } from '../containers/container-model.js';
import { recreateBody } from './recreate-request.js';

const live = {
  endpointsConfig: { appnet: { Aliases: ['web'], IPAMConfig: { IPv4Address: '10.1.0.9' } } },
  Mounts: [
    { Type: 'volume', Name: 'data', Destination: '/data', RW: true },
    { Type: 'volume', Name: 'a'.repeat(64), Destination: '/anon', RW: true },
    { Type: 'volume', Name: 'b'.repeat(64), Destination: '/cache', RW: false },
    { Type: 'bind', Source: '/srv', Destination: '/srv', RW: true },
  ],
} as unknown as ContainerRecord;

test('the request as given is re-applied to the new image, with the live networks and anonymous volumes carried by name', () => {
  const body = recreateBody(
    {
      Config: { Image: 'web:1', Env: ['A=1'], Labels: { x: 'y' } },
      HostConfig: { Binds: ['data:/data', '/srv:/srv'], Mounts: [{ Type: 'volume', Target: '/cache' }], RestartPolicy: { Name: 'always' } },
      NetworkingConfig: {},
    },
    live,
    'web:2',
  );
  assert.equal(body.Image, 'web:2');
  assert.deepEqual(body.Env, ['A=1']);
  assert.equal(body.Cmd, undefined, 'what came from the old image is not pinned');
  assert.deepEqual(body.HostConfig.Binds, ['data:/data', '/srv:/srv']);
  assert.deepEqual(body.HostConfig.Mounts, [
    { Type: 'volume', Source: 'a'.repeat(64), Target: '/anon', ReadOnly: false },
    { Type: 'volume', Source: 'b'.repeat(64), Target: '/cache', ReadOnly: true },
  ]);
  assert.deepEqual(body.NetworkingConfig.EndpointsConfig.appnet.Aliases, ['web']);
  assert.equal(body.HostConfig.RestartPolicy?.Name, 'always');
});
