import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import Docker from 'dockerode';
import { ApiClient, type ClientTls } from '../../src/client/api-client.js';
import { berth as berthLocal, ROOT, run, TEST_HOST, TEST_SOCKET } from '../helpers/daemon.js';
import { removeBridgeLeftovers } from '../helpers/bridge-leftovers.js';
import { ThrowawaySshd } from '../helpers/throwaway-sshd.js';

// berthd reached from elsewhere: tcp:// with mutual TLS (certificates made by `berth tls init`),
// ssh:// through a real openssh-server, contexts shared with the docker CLI, read-only certificates.
// A second berthd serves the TLS listener (its own sockets, data, bridge and subnet); the ssh tests
// reach the run's test daemon through `system dial-stdio` on the "remote" side.

const BUSYBOX = '127.0.0.1:5000/library/busybox:latest';
const TLS_PORT = 21610;
const SSH_PORT = 21611;
const INSECURE_PORT = 21612;
const BRIDGE = 'bh6-rmt-t';
const EXEC_ROOT = '/run/berth-rmt-t';
const DATA_ROOT = '/var/lib/berth-rmt-t';
const REMOTE_SOCKET = `${EXEC_ROOT}/berth.sock`;
const TLS_HOST = `tcp://127.0.0.1:${TLS_PORT}`;
const BERTH_JS = join(ROOT, 'dist', 'berth.mjs');

const dir = mkdtempSync(join(tmpdir(), 'berth-remote-'));
const SRV = join(dir, 'srv');
const CLI = join(dir, 'cli');
const RO = join(dir, 'ro');
const OTHER = join(dir, 'other');
const EXPIRED = join(dir, 'expired');
const DOCKER_CONFIG = join(dir, 'docker-config');
let daemon: ChildProcess | undefined;
let daemonLog = '';

function tlsOf(d: string, verify = true): ClientTls {
  const read = (f: string) => readFileSync(join(d, f));
  return { ca: read('ca.pem'), cert: read('cert.pem'), key: read('key.pem'), verify };
}

function berth(args: string[], env: Record<string, string> = {}) {
  return run(process.execPath, [BERTH_JS, ...args], { env: { DOCKER_CONFIG, ...env } });
}

function dockerTls(certDir: string, ...args: string[]) {
  const flags = [
    '-H',
    TLS_HOST,
    '--tlsverify',
    '--tlscacert',
    join(certDir, 'ca.pem'),
    '--tlscert',
    join(certDir, 'cert.pem'),
    '--tlskey',
    join(certDir, 'key.pem'),
  ];
  return run('/usr/local/bin/docker', [...flags, ...args], { env: { DOCKER_CONFIG } });
}

/** A client certificate from the CA in SRV, valid only in 2020. */
function makeExpiredClient(): void {
  mkdirSync(EXPIRED, { recursive: true });
  const cnf = join(EXPIRED, 'ca.cnf');
  writeFileSync(join(EXPIRED, 'index.txt'), '');
  writeFileSync(join(EXPIRED, 'serial'), '1000\n');
  writeFileSync(
    cnf,
    `[ca]\ndefault_ca = d\n[d]\ndatabase = ${EXPIRED}/index.txt\nnew_certs_dir = ${EXPIRED}\nserial = ${EXPIRED}/serial\n` +
      `default_md = sha256\npolicy = p\nunique_subject = no\n[p]\ncommonName = supplied\n[ext]\nbasicConstraints = CA:FALSE\nextendedKeyUsage = clientAuth\n` +
      `[req]\ndistinguished_name = dn\nprompt = no\n[dn]\nCN = old\n`,
  );
  const sh = (args: string[]) => {
    const r = spawnSync('openssl', args, { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
  };
  sh([
    'genpkey',
    '-algorithm',
    'EC',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-out',
    join(EXPIRED, 'key.pem'),
  ]);
  sh([
    'req',
    '-new',
    '-key',
    join(EXPIRED, 'key.pem'),
    '-config',
    cnf,
    '-subj',
    '/CN=old',
    '-out',
    join(EXPIRED, 'req.csr'),
  ]);
  sh([
    'ca',
    '-batch',
    '-config',
    cnf,
    '-extensions',
    'ext',
    '-notext',
    '-startdate',
    '20200101000000Z',
    '-enddate',
    '20200201000000Z',
    '-cert',
    join(SRV, 'ca.pem'),
    '-keyfile',
    join(SRV, 'ca-key.pem'),
    '-in',
    join(EXPIRED, 'req.csr'),
    '-out',
    join(EXPIRED, 'cert.pem'),
  ]);
  writeFileSync(join(EXPIRED, 'ca.pem'), readFileSync(join(SRV, 'ca.pem')));
}

function cleanupNetwork(): void {
  removeBridgeLeftovers(BRIDGE);
}

before(async () => {
  let r = await berth([
    'tls',
    'init',
    '--dir',
    SRV,
    '--client-dir',
    CLI,
    '--hostname',
    'localhost',
    '--client-name',
    'tester',
  ]);
  assert.equal(r.code, 0, r.stderr);
  r = await berth(['tls', 'client', 'viewer', '--readonly', '--dir', SRV, '--out', RO]);
  assert.equal(r.code, 0, r.stderr);
  r = await berth(['tls', 'init', '--dir', join(OTHER, 'srv'), '--client-dir', OTHER]);
  assert.equal(r.code, 0, r.stderr);
  makeExpiredClient();

  const config = join(dir, 'daemon.json');
  writeFileSync(
    config,
    JSON.stringify({
      hosts: [`unix://${REMOTE_SOCKET}`, TLS_HOST],
      'data-root': DATA_ROOT,
      'exec-root': EXEC_ROOT,
      bridge: BRIDGE,
      bip: '172.60.0.1/16',
      'registry-mirrors': ['http://127.0.0.1:5000'],
      tlsverify: true,
      tlscacert: join(SRV, 'ca.pem'),
      tlscert: join(SRV, 'cert.pem'),
      tlskey: join(SRV, 'key.pem'),
    }),
  );
  daemon = spawn(process.execPath, [join(ROOT, 'dist', 'berthd.mjs'), '--config-file', config], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  daemon.stderr!.on('data', (d) => (daemonLog += d));
  const local = new ApiClient(`unix://${REMOTE_SOCKET}`);
  for (let i = 0; i < 100; i++) {
    try {
      await local.call('GET', '/_ping');
      break;
    } catch {
      await new Promise((res) => setTimeout(res, 100));
    }
  }
  await local.call('GET', '/_ping');
  const pull = await berth(['-H', TLS_HOST, 'pull', '-q', BUSYBOX], {
    DOCKER_TLS_VERIFY: '1',
    DOCKER_CERT_PATH: CLI,
  });
  assert.equal(pull.code, 0, pull.stderr);
});

after(async () => {
  if (daemon && daemon.exitCode === null) {
    const local = new ApiClient(`unix://${REMOTE_SOCKET}`);
    try {
      const all = await local.call<{ Id: string }[]>('GET', '/containers/json', { query: { all: 1 } });
      for (const c of all) await local.call('DELETE', `/containers/${c.Id}`, { query: { force: 1 } });
    } catch {
      /* daemon already gone */
    }
    const exited = new Promise((res) => daemon!.once('exit', res));
    daemon.kill('SIGTERM');
    await exited;
  }
  cleanupNetwork();
  rmSync(DATA_ROOT, { recursive: true, force: true });
  rmSync(EXEC_ROOT, { recursive: true, force: true });
  rmSync(dir, { recursive: true, force: true });
});

test('berth tls init writes the files docker expects, keys 0600, server names in the certificate', () => {
  for (const [d, f, mode] of [
    [SRV, 'ca-key.pem', 0o600],
    [SRV, 'key.pem', 0o600],
    [SRV, 'cert.pem', 0o644],
    [CLI, 'key.pem', 0o600],
    [CLI, 'cert.pem', 0o644],
    [CLI, 'ca.pem', 0o644],
  ] as const) {
    assert.equal(
      spawnSync('stat', ['-c', '%a', join(d, f)], { encoding: 'utf8' }).stdout.trim(),
      mode.toString(8),
      `${d}/${f}`,
    );
  }
  const text = spawnSync(
    'openssl',
    ['x509', '-in', join(SRV, 'cert.pem'), '-noout', '-ext', 'subjectAltName,extendedKeyUsage'],
    { encoding: 'utf8' },
  ).stdout;
  assert.match(text, /DNS:localhost/);
  assert.match(text, /IP Address:127\.0\.0\.1/);
  assert.match(text, /TLS Web Server Authentication/);
  const ro = spawnSync('openssl', ['x509', '-in', join(RO, 'cert.pem'), '-noout', '-subject'], {
    encoding: 'utf8',
  }).stdout;
  assert.match(ro, /CN = viewer, OU = readonly/);
});

test('the docker CLI, berth, docker-py and dockerode work over tcp:// with mutual TLS', async () => {
  let r = await dockerTls(CLI, 'run', '--rm', BUSYBOX, 'echo', 'docker-over-tls');
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'docker-over-tls\n');
  r = await run('/usr/local/bin/docker', ['ps', '--format', '{{.ID}}'], {
    env: { DOCKER_CONFIG, DOCKER_HOST: TLS_HOST, DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: CLI },
  });
  assert.equal(r.code, 0, r.stderr);

  r = await berth([
    '-H',
    TLS_HOST,
    '--tlsverify',
    '--tlscacert',
    join(CLI, 'ca.pem'),
    '--tlscert',
    join(CLI, 'cert.pem'),
    '--tlskey',
    join(CLI, 'key.pem'),
    'version',
    '--format',
    '{{.Server.Version}}',
  ]);
  assert.equal(r.code, 0, r.stderr);
  // Streams over TLS: stdin through the hijacked attach, logs -f to the container's end.
  const env = { DOCKER_HOST: TLS_HOST, DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: CLI };
  const cat = await run(process.execPath, [BERTH_JS, 'run', '--rm', '-i', BUSYBOX, 'cat'], {
    env: { DOCKER_CONFIG, ...env },
    input: 'through-tls\n',
  });
  assert.equal(cat.code, 0, cat.stderr);
  assert.equal(cat.stdout, 'through-tls\n');
  r = await berth(
    ['run', '-d', '--name', 'rmt-logs', BUSYBOX, 'sh', '-c', 'echo one; sleep 1; echo two'],
    env,
  );
  assert.equal(r.code, 0, r.stderr);
  r = await berth(['logs', '-f', 'rmt-logs'], env);
  assert.equal(r.stdout, 'one\ntwo\n');
  await berth(['rm', '-f', 'rmt-logs'], env);

  const py = `
import docker
from docker.tls import TLSConfig
tls = TLSConfig(client_cert=('${CLI}/cert.pem', '${CLI}/key.pem'), ca_cert='${CLI}/ca.pem', verify=True)
c = docker.DockerClient(base_url='https://127.0.0.1:${TLS_PORT}', tls=tls)
print(c.containers.run('${BUSYBOX}', 'echo py-tls', remove=True))
print(type(c.containers.list(all=True)).__name__)
`;
  // requests prefers REQUESTS_CA_BUNDLE (set on some machines) over the client's own CA: unset it.
  r = await run('python3', ['-c', py], { env: { REQUESTS_CA_BUNDLE: '', CURL_CA_BUNDLE: '' } });
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(r.stdout.trim().split('\n'), ["b'py-tls\\n'", 'list']);

  const t = tlsOf(CLI);
  const d = new Docker({
    host: '127.0.0.1',
    port: TLS_PORT,
    protocol: 'https',
    ca: t.ca,
    cert: t.cert,
    key: t.key,
  });
  assert.ok(Array.isArray(await d.listContainers({ all: true })));
  const out = new PassThrough();
  let text = '';
  out.on('data', (b: Buffer) => (text += b.toString()));
  const [result, container] = await d.run(BUSYBOX, ['echo', 'dockerode-tls'], out);
  assert.equal(result.StatusCode, 0);
  assert.equal(text, 'dockerode-tls\r\n');
  await container.remove();
});

test('without a client certificate, with one from another CA or an expired one, the connection is refused', async () => {
  const good = tlsOf(CLI);
  await assert.rejects(
    new ApiClient(TLS_HOST, undefined, { ca: good.ca, verify: true }).call('GET', '/_ping'),
  );
  await assert.rejects(
    new ApiClient(TLS_HOST, undefined, { ...tlsOf(OTHER), ca: good.ca }).call('GET', '/_ping'),
  );
  await assert.rejects(new ApiClient(TLS_HOST, undefined, tlsOf(EXPIRED)).call('GET', '/_ping'));
  // The server's certificate is checked too: a client trusting only the other CA refuses it.
  await assert.rejects(
    new ApiClient(TLS_HOST, undefined, tlsOf(OTHER)).call('GET', '/_ping'),
    /self[- ]signed|unable to verify|certificate/i,
  );
  const r = await dockerTls(EXPIRED, 'ps');
  assert.notEqual(r.code, 0);
  assert.match(daemonLog, /TLS handshake refused/);
  const plain = await run('/usr/local/bin/docker', ['-H', TLS_HOST, 'ps'], { env: { DOCKER_CONFIG } });
  assert.notEqual(plain.code, 0);
  assert.equal(await new ApiClient(TLS_HOST, undefined, good).call('GET', '/_ping'), 'OK');
});

test('berthd refuses tcp://0.0.0.0 without TLS verification, with dockerd words', async () => {
  const r = await run(
    process.execPath,
    [
      join(ROOT, 'dist', 'berthd.mjs'),
      '--config-file',
      '/dev/null',
      '-H',
      `tcp://0.0.0.0:${INSECURE_PORT}`,
      '--exec-root',
      join(dir, 'x-exec'),
      '--data-root',
      join(dir, 'x-data'),
      '--tlsverify=false',
    ],
    { timeoutMs: 20_000 },
  );
  assert.equal(r.code, 1);
  assert.match(
    r.stderr,
    /refusing to listen on tcp:\/\/0\.0\.0\.0:21612: Binding to IP address without --tlsverify is insecure/,
  );
});

test('a read-only certificate lists and inspects, and gets 403 for anything that changes state', async () => {
  const full = new ApiClient(TLS_HOST, undefined, tlsOf(CLI));
  const { Id } = await full.call<{ Id: string }>('POST', '/containers/create', {
    body: { Image: BUSYBOX, Cmd: ['true'] },
  });
  try {
    const env = { DOCKER_HOST: TLS_HOST, DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: RO };
    let r = await berth(['ps', '-a', '-q', '--no-trunc'], env);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(Id));
    r = await berth(['inspect', '--format', '{{.Id}}', Id], env);
    assert.equal(r.stdout.trim(), Id);
    r = await dockerTls(RO, 'create', BUSYBOX, 'true');
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /read-only \(OU=readonly\) and may not POST \/containers\/create/);
    const ro = new ApiClient(TLS_HOST, undefined, tlsOf(RO));
    await assert.rejects(
      ro.call('DELETE', `/containers/${Id}`),
      (err: { status: number }) => err.status === 403,
    );
    assert.match(daemonLog, /"client":"CN=viewer,OU=readonly".*"allowed":false/);
    assert.match(daemonLog, /"client":"CN=tester"/);
  } finally {
    await full.call('DELETE', `/containers/${Id}`, { query: { force: 1 } });
  }
});

test('a context made by berth works in the docker CLI, and one made by docker works in berth', async () => {
  const docker = (...args: string[]) => run('/usr/local/bin/docker', args, { env: { DOCKER_CONFIG } });
  let r = await berth([
    'context',
    'create',
    'by-berth',
    '--description',
    'tls',
    '--docker',
    `host=${TLS_HOST},ca=${CLI}/ca.pem,cert=${CLI}/cert.pem,key=${CLI}/key.pem`,
  ]);
  assert.equal(r.code, 0, r.stderr);
  r = await docker('--context', 'by-berth', 'version', '--format', '{{.Server.Version}}');
  assert.equal(r.code, 0, r.stderr);
  r = await docker(
    'context',
    'create',
    'by-docker',
    '--docker',
    `host=${TLS_HOST},ca=${CLI}/ca.pem,cert=${CLI}/cert.pem,key=${CLI}/key.pem`,
  );
  assert.equal(r.code, 0, r.stderr);
  r = await berth(['--context', 'by-docker', 'ps']);
  assert.equal(r.code, 0, r.stderr);
  r = await berth(['context', 'use', 'by-docker']);
  assert.equal(r.code, 0, r.stderr);
  r = await docker('context', 'ls', '--format', '{{.Name}} {{.Current}}');
  assert.match(r.stdout, /by-docker true/);
  r = await berth(['version', '--format', '{{.Client.Context}}']);
  assert.equal(r.stdout.trim(), 'by-docker');
  // DOCKER_CONTEXT and -H win over config.json's current context.
  r = await berth(['version', '--format', '{{.Client.Context}}'], { DOCKER_CONTEXT: 'by-berth' });
  assert.equal(r.stdout.trim(), 'by-berth');
  r = await berth(['-H', TEST_HOST, 'version', '--format', '{{.Client.Context}}']);
  assert.equal(r.stdout.trim(), 'default');
  r = await docker('context', 'export', 'by-docker', join(dir, 'exported'));
  assert.equal(r.code, 0, r.stderr);
  r = await berth(['context', 'import', 'imported', join(dir, 'exported')]);
  assert.equal(r.code, 0, r.stderr);
  r = await berth(['--context', 'imported', 'ps']);
  assert.equal(r.code, 0, r.stderr);
  r = await berth(['context', 'rm', '-f', 'by-docker', 'by-berth', 'imported']);
  assert.equal(r.code, 0, r.stderr);
  r = await docker('context', 'ls', '-q');
  assert.equal(r.stdout, 'default\n');
});

test('100 TLS clients at once for 10 s: no errors', async () => {
  const tls = tlsOf(CLI);
  const deadline = Date.now() + 10_000;
  let requests = 0;
  const errors: string[] = [];
  await Promise.all(
    Array.from({ length: 100 }, async (_, i) => {
      const c = new ApiClient(TLS_HOST, undefined, tls);
      while (Date.now() < deadline) {
        try {
          await c.call('GET', i % 2 ? '/_ping' : '/containers/json');
          requests++;
        } catch (err) {
          errors.push((err as Error).message);
        }
      }
    }),
  );
  assert.deepEqual(errors.slice(0, 5), []);
  assert.ok(requests > 100);
});

test('docker -H ssh:// and berth -H ssh:// through openssh-server and `system dial-stdio` (berth linked as docker)', async () => {
  const pulled = await berthLocal('pull', '-q', BUSYBOX);
  assert.equal(pulled.code, 0, pulled.stderr);
  const sdir = join(dir, 'ssh');
  // The remote side: berth on the PATH both as itself and as `docker`, DOCKER_HOST at the test daemon.
  const sshd = new ThrowawaySshd({
    dir: sdir,
    port: SSH_PORT,
    listenAddress: '127.0.0.1',
    dockerHost: TEST_HOST,
    bins: { docker: BERTH_JS, berth: BERTH_JS },
  });
  sshd.start();
  try {
    const env = { PATH: `${sshd.clientBin}:${process.env.PATH}`, DOCKER_CONFIG };
    const url = `ssh://root@127.0.0.1:${SSH_PORT}`;
    let r: Awaited<ReturnType<typeof run>> | undefined;
    for (let i = 0; i < 50; i++) {
      r = await run('/usr/local/bin/docker', ['-H', url, 'ps', '--format', '{{.ID}}'], { env });
      if (r.code === 0) break;
      await new Promise((res) => setTimeout(res, 200));
    }
    assert.equal(r!.code, 0, `${r!.stderr}\n${sshd.log}`);
    r = await run(
      '/usr/local/bin/docker',
      ['-H', `${url}${TEST_SOCKET}`, 'run', '--rm', BUSYBOX, 'echo', 'docker-over-ssh'],
      { env },
    );
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'docker-over-ssh\n');
    // stdin's end travels as a half-close through ssh and dial-stdio; the output still arrives.
    r = await run('/usr/local/bin/docker', ['-H', url, 'run', '--rm', '-i', BUSYBOX, 'cat'], { env, input: 'docker-stdin-over-ssh\n' });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'docker-stdin-over-ssh\n');
    r = await run(process.execPath, [BERTH_JS, '-H', url, 'version', '--format', '{{.Server.Version}}'], {
      env,
    });
    assert.equal(r.code, 0, r.stderr);
    r = await run(
      process.execPath,
      [BERTH_JS, '-H', `${url}${TEST_SOCKET}`, 'run', '--rm', '-i', BUSYBOX, 'cat'],
      { env, input: 'berth-over-ssh\n' },
    );
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'berth-over-ssh\n');
    r = await run(process.execPath, [BERTH_JS, '-H', `ssh://root@127.0.0.1:${INSECURE_PORT}`, 'ps'], { env });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /has exited with exit status 255.*Connection refused/s);
    // berth called as `docker` answers version (and dial-stdio, above) on its own.
    r = await run(join(sdir, 'bin', 'docker'), [
      '-H',
      TEST_HOST,
      'version',
      '--format',
      '{{.Server.Version}}',
    ]);
    assert.equal(r.code, 0, r.stderr);
  } finally {
    await sshd.stop();
  }
});

test('a tcp client that never handshakes or never sends a request is dropped; an events stream stays open', async () => {
  const { connect: netConnect } = await import('node:net');
  const { connect: tlsConnect } = await import('node:tls');
  const t = tlsOf(CLI);
  const closed = (s: { once(e: string, f: () => void): void }) => new Promise<void>((res) => s.once('close', res));
  const raw = netConnect(TLS_PORT, '127.0.0.1');
  raw.on('error', () => undefined);
  const silent = tlsConnect({ host: '127.0.0.1', port: TLS_PORT, ca: t.ca, cert: t.cert, key: t.key });
  silent.on('error', () => undefined);
  const events = await new ApiClient(TLS_HOST, undefined, t).stream('GET', '/events');
  let received = '';
  events.on('data', (d: Buffer) => (received += d.toString()));
  await Promise.all([closed(raw), closed(silent)]);
  // Both silent connections are gone (after 10 s and 20 s); the events stream, idle all along, is not.
  assert.equal(events.destroyed, false);
  const full = new ApiClient(TLS_HOST, undefined, t);
  const { Id } = await full.call<{ Id: string }>('POST', '/containers/create', { body: { Image: BUSYBOX, Cmd: ['true'] } });
  await full.call('DELETE', `/containers/${Id}`);
  for (let i = 0; i < 50 && !received.includes(Id); i++) await new Promise((res) => setTimeout(res, 100));
  assert.match(received, new RegExp(`"id":"${Id}"`));
  events.destroy();
});
