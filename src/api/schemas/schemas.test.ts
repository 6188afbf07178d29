import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InvalidArgumentError } from '../../common/errors.js';
import { buildParam } from './build-params.js';
import { decodeAuthConfig, decodeCreateBody, decodeExecCreateBody, decodeExecStartBody, decodeUpdateBody, MAX_ENDPOINTS } from './container-bodies.js';
import { decodeNetworkConnectBody, decodeNetworkCreateBody, decodeVolumeCreateBody } from './network-bodies.js';

function refused(f: () => unknown, message: string): void {
  assert.throws(f, (e: unknown) => {
    assert.ok(e instanceof InvalidArgumentError, String(e));
    assert.equal(e.message, message);
    return true;
  });
}

test('create: a Cmd element of the wrong type is refused in Go encoding/json words', () => {
  refused(
    () => decodeCreateBody({ Image: 'busybox', Cmd: [1, 'a', null] }),
    'invalid JSON: json: cannot unmarshal number into Go struct field ContainerConfigWrapper.Cmd of type string',
  );
  refused(() => decodeCreateBody({ Image: 'busybox', Env: 'A=1' }), 'invalid JSON: json: cannot unmarshal string into Go struct field ContainerConfigWrapper.Env of type []string');
  refused(
    () => decodeCreateBody({ Image: 'busybox', HostConfig: { Memory: 'x' } }),
    'invalid JSON: json: cannot unmarshal string into Go struct field HostConfig.HostConfig.Memory of type int64',
  );
  refused(
    () => decodeCreateBody({ Image: 'busybox', HostConfig: { IpcMode: 5 } }),
    'invalid JSON: json: cannot unmarshal number into Go struct field HostConfig.HostConfig.IpcMode of type container.IpcMode',
  );
  refused(
    () => decodeCreateBody({ Image: 'busybox', HostConfig: { PortBindings: { '80/tcp': [{ HostPort: 8080 }] } } }),
    'invalid JSON: json: cannot unmarshal number into Go struct field PortBinding.HostConfig.PortBindings.HostPort of type string',
  );
  refused(() => decodeCreateBody(5), 'invalid JSON: json: cannot unmarshal number into Go value of type runconfig.ContainerConfigWrapper');
  refused(() => decodeCreateBody({ Image: 'busybox', Tty: 'yes' }), 'invalid JSON: json: cannot unmarshal string into Go struct field ContainerConfigWrapper.Tty of type bool');
  refused(
    () => decodeCreateBody({ Image: 'busybox', HostConfig: { BlkioWeight: 70000 } }),
    'invalid JSON: json: cannot unmarshal number 70000 into Go struct field HostConfig.HostConfig.BlkioWeight of type uint16',
  );
});

test('create: EndpointsConfig must be a map, and a bounded one', () => {
  refused(
    () => decodeCreateBody({ Image: 'busybox', NetworkingConfig: { EndpointsConfig: 'x'.repeat(100_000) } }),
    'invalid JSON: json: cannot unmarshal string into Go struct field NetworkingConfig.NetworkingConfig.EndpointsConfig of type map[string]*network.EndpointSettings',
  );
  const many = Object.fromEntries(Array.from({ length: MAX_ENDPOINTS + 1 }, (_, i) => [`n${i}`, {}]));
  refused(
    () => decodeCreateBody({ Image: 'busybox', NetworkingConfig: { EndpointsConfig: many } }),
    `invalid JSON: NetworkingConfig.NetworkingConfig.EndpointsConfig: too many entries (at most ${MAX_ENDPOINTS})`,
  );
  const ok = decodeCreateBody({ Image: 'busybox', NetworkingConfig: { EndpointsConfig: { front: { Aliases: ['web'] }, back: null } } });
  assert.deepEqual(ok.NetworkingConfig?.EndpointsConfig, { front: { Aliases: ['web'] }, back: null });
});

test('create: what Go accepts is accepted as Go leaves it', () => {
  // null anywhere; a string StrSlice; null strings in a list are ""; unknown fields kept.
  const body = decodeCreateBody({
    Image: 'busybox',
    Tty: null,
    Cmd: 'echo hi',
    Entrypoint: null,
    Env: ['A=1', null],
    HostConfig: null,
    Labels: { a: 'b' },
    Whatever: [1, 2],
  });
  assert.deepEqual(body, { Image: 'busybox', Cmd: ['echo hi'], Entrypoint: null, Env: ['A=1', ''], HostConfig: null, Labels: { a: 'b' }, Whatever: [1, 2] });
  assert.ok(!('Tty' in body));
  // Old clients send numbers as decimal strings: taken as the numbers.
  const h = decodeCreateBody({ Image: 'busybox', HostConfig: { Memory: '67108864', CpuShares: 512, PidsLimit: null } }).HostConfig!;
  assert.equal(h.Memory, 67108864);
  assert.equal(h.CpuShares, 512);
  assert.ok(!('PidsLimit' in h));
});

test('keys match fields apart from case, as Go decodes JSON; an exact spelling wins', () => {
  const exec = decodeExecCreateBody({ detachKeys: 'ctrl-p', cmd: ['sh'], Other: 1 });
  assert.deepEqual(exec, { DetachKeys: 'ctrl-p', Cmd: ['sh'], Other: 1 });
  const both = decodeExecCreateBody({ tty: 'not checked: the exact key wins', Tty: true, Cmd: ['sh'] });
  assert.equal(both.Tty, true);
  refused(() => decodeCreateBody({ image: 'busybox', hostconfig: { memory: 'x' } }), 'invalid JSON: json: cannot unmarshal string into Go struct field HostConfig.HostConfig.Memory of type int64');
});

test('update, exec and network bodies', () => {
  refused(() => decodeUpdateBody({ Memory: 'x' }), 'invalid JSON: json: cannot unmarshal string into Go struct field UpdateConfig.Memory of type int64');
  refused(() => decodeUpdateBody({ Memory: 1.5 }), 'invalid JSON: json: cannot unmarshal number 1.5 into Go struct field UpdateConfig.Memory of type int64');
  refused(
    () => decodeUpdateBody({ RestartPolicy: { Name: ['always'] } }),
    'invalid JSON: json: cannot unmarshal array into Go struct field RestartPolicy.RestartPolicy.Name of type container.RestartPolicyMode',
  );
  refused(() => decodeExecCreateBody({ Cmd: [['sh']] }), 'invalid JSON: json: cannot unmarshal array into Go struct field ExecConfig.Cmd of type string');
  refused(() => decodeExecStartBody({ Detach: 'true' }), 'invalid JSON: json: cannot unmarshal string into Go struct field ExecStartCheck.Detach of type bool');
  refused(() => decodeNetworkCreateBody({ Name: 'n', Labels: 5 }), 'invalid JSON: json: cannot unmarshal number into Go struct field NetworkCreateRequest.Labels of type map[string]string');
  refused(
    () => decodeNetworkCreateBody({ Name: 'n', IPAM: { Config: [{ Subnet: 10 }] } }),
    'invalid JSON: json: cannot unmarshal number into Go struct field IPAMConfig.IPAM.Config.Subnet of type string',
  );
  refused(
    () => decodeNetworkConnectBody({ Container: 'c', EndpointConfig: { Aliases: 'a' } }),
    'invalid JSON: json: cannot unmarshal string into Go struct field EndpointSettings.EndpointConfig.Aliases of type []string',
  );
  refused(() => decodeVolumeCreateBody({ Name: 7 }), 'invalid JSON: json: cannot unmarshal number into Go struct field CreateOptions.Name of type string');
  refused(() => decodeVolumeCreateBody({ Name: 'v'.repeat(256) }), 'invalid JSON: CreateOptions.Name: string too long (at most 255 characters)');
  refused(() => decodeVolumeCreateBody({ Labels: { a: 1 } }), 'invalid JSON: json: cannot unmarshal number into Go struct field CreateOptions.Labels of type string');
});

test('auth keeps its lower-case JSON names (the docker CLI sends serveraddress)', () => {
  assert.deepEqual(decodeAuthConfig({ username: 'u', ServerAddress: 'r:5001', password: 'p' }), { username: 'u', serveraddress: 'r:5001', password: 'p' });
  refused(() => decodeAuthConfig({ password: 1 }), 'invalid JSON: json: cannot unmarshal number into Go struct field AuthConfig.password of type string');
});

test('build parameters holding JSON have their own words and keep null build args', () => {
  assert.deepEqual(buildParam('buildargs', '{"A":"1","B":null}', {}), { A: '1', B: null });
  refused(() => buildParam('buildargs', '{"A":1}', {}), 'error reading build args: json: cannot unmarshal number into Go value of type string');
  refused(() => buildParam('labels', '5', {}), 'error reading labels: json: cannot unmarshal number into Go value of type map[string]string');
  refused(() => buildParam('labels', 'x', {}), "error reading labels: invalid character 'x' looking for beginning of value");
  refused(() => buildParam('cachefrom', '{"a":1}', []), 'error reading cache from: json: cannot unmarshal object into Go value of type []string');
  assert.deepEqual(buildParam('ulimits', '[{"Name":"nofile","Hard":10,"Soft":5}]', []), [{ Name: 'nofile', Hard: 10, Soft: 5 }]);
});
