import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { request } from 'node:http';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ApiClient } from '../../src/client/api-client.js';
import { ROOT, TEST_HOST, berth, docker, run, type RunResult } from '../helpers/daemon.js';
import { removeBridgeLeftovers } from '../helpers/bridge-leftovers.js';

// Revisions: `berth upgrade` through a health gate with automatic rollback, `berth rollback`,
// image protection, and an upgrade interrupted by a killed berthd. Images are built here FROM the
// fixture nginx, each serving its version on / and with a 1 s healthcheck that passes or fails.

const PORT = 21810;
const NAME = 'revt-web';
const IMAGES: Record<string, string> = {
  'revt:1': 'FROM nginx\nRUN echo v1 > /var/www/html/index.html\nHEALTHCHECK --interval=1s --timeout=1s --retries=2 CMD test -f /var/www/html/index.html\n',
  'revt:2': 'FROM nginx\nRUN echo v2 > /var/www/html/index.html\nHEALTHCHECK --interval=1s --timeout=1s --retries=2 CMD test -f /var/www/html/index.html\n',
  'revt:bad': 'FROM nginx\nRUN echo v3 > /var/www/html/index.html\nHEALTHCHECK --interval=1s --timeout=1s --retries=2 CMD test -f /nonexistent\n',
  'revt:exits': 'FROM nginx\nCMD ["sh", "-c", "echo starting v4; echo broken config >&2; exit 3"]\n',
};

function berthAt(host: string, args: string[], input?: string): Promise<RunResult> {
  return run(process.execPath, [join(ROOT, 'dist', 'berth.mjs'), '-H', host, ...args], { input });
}

async function build(tag: string, dockerfile: string, host?: string): Promise<void> {
  const r = await berthAt(host ?? TEST_HOST, ['build', '-q', '-t', tag, '-'], dockerfile);
  assert.equal(r.code, 0, r.stderr);
}

/** GET / on a host port; undefined while nothing answers. */
function page(port: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path: '/', timeout: 2000 }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve(body.trim()));
    });
    req.on('error', () => resolve(undefined));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}

/** What the port serves once it answers (nginx takes a moment after a start). */
async function serving(port: number): Promise<string | undefined> {
  for (let i = 0; i < 50; i++) {
    const body = await page(port);
    if (body !== undefined) return body;
    await new Promise((r) => setTimeout(r, 100));
  }
  return undefined;
}

async function revisions(ref: string, host?: string): Promise<{ rev: string; state: string; reason: string; logs: string }[]> {
  const args = ['revisions', ref, '--format', '{{json .}}'];
  const r = host ? await berthAt(host, args) : await berth(...args);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l))
    .map((j) => ({ rev: j.Revision, state: j.State, reason: j.Reason, logs: j.Logs }));
}

before(async () => {
  for (const [tag, df] of Object.entries(IMAGES)) await build(tag, df);
});

after(async () => {
  await berth('rm', '-f', NAME, 'revt-sf');
  await berth('volume', 'rm', '-f', 'revt-data');
  await berth('volume', 'prune', '-a', '-f');
  await berth('rmi', '-f', 'revt:live', ...Object.keys(IMAGES));
});

test('an upgrade to a good image: the new version serves on the same port, volume data intact, revision 2 current, the old container gone', async () => {
  const r = await berth('run', '-d', '--name', NAME, '-p', `${PORT}:80`, '-v', 'revt-data:/data', '-v', '/anon', '--restart', 'unless-stopped', '-l', 'app=revt', 'revt:1');
  assert.equal(r.code, 0, r.stderr);
  const oldId = r.stdout.trim();
  assert.equal(await serving(PORT), 'v1');
  assert.equal((await berth('exec', NAME, 'sh', '-c', 'echo named > /data/f; echo anon > /anon/f')).code, 0);
  assert.deepEqual((await revisions(NAME)).map((x) => [x.rev, x.state]), [['1', 'current']]);

  const up = await berth('upgrade', NAME, 'revt:2');
  assert.equal(up.code, 0, up.stderr);
  assert.match(up.stdout, /upgraded to revision 2/);
  assert.equal(await serving(PORT), 'v2');
  assert.equal((await berth('exec', NAME, 'cat', '/data/f', '/anon/f')).stdout, 'named\nanon\n');
  assert.deepEqual((await revisions(NAME)).map((x) => [x.rev, x.state]), [['2', 'current'], ['1', 'replaced']]);
  assert.equal((await berth('inspect', oldId)).code, 1);
  assert.equal((await berth('ps', '-aq', '--filter', `name=${NAME}`)).stdout.trim().split('\n').length, 1);
  // Same config, except the image: labels, restart policy, ports.
  const ins = JSON.parse((await berth('inspect', NAME)).stdout)[0];
  assert.equal(ins.Config.Image, 'revt:2');
  assert.equal(ins.Config.Labels.app, 'revt');
  assert.equal(ins.HostConfig.RestartPolicy.Name, 'unless-stopped');

  // The same image again: nothing restarts.
  const same = await berth('upgrade', NAME, 'revt:2');
  assert.equal(same.code, 0, same.stderr);
  assert.match(same.stdout, /already up to date/);
  assert.equal(JSON.parse((await berth('inspect', NAME)).stdout)[0].Id, ins.Id);
});

test('the real docker CLI sees and manages the upgraded container', async () => {
  const ps = await docker('ps', '--filter', `name=${NAME}`, '--format', '{{.Names}} {{.Image}} {{.Ports}}');
  assert.equal(ps.code, 0, ps.stderr);
  assert.equal(ps.stdout.trim(), `${NAME} revt:2 0.0.0.0:${PORT}->80/tcp`);
  assert.equal((await docker('restart', NAME)).code, 0);
  assert.equal(await serving(PORT), 'v2');
});

test('an upgrade to an image that turns unhealthy is rolled back: the old version serves again, exit 1, the reason in berth revisions', async () => {
  const up = await berth('upgrade', NAME, 'revt:bad');
  assert.equal(up.code, 1);
  assert.match(up.stderr, /rolled back to revision 2: unhealthy/);
  assert.equal(await serving(PORT), 'v2');
  const revs = await revisions(NAME);
  assert.deepEqual(revs.map((x) => [x.rev, x.state]), [['3', 'failed'], ['2', 'current'], ['1', 'replaced']]);
  assert.match(revs[0]!.reason, /unhealthy/);
  assert.equal((await berth('ps', '-aq', '--filter', `name=${NAME}`)).stdout.trim().split('\n').length, 1);
});

test('an upgrade to an image that exits at start is rolled back, with its last log lines kept', async () => {
  const up = await berth('upgrade', NAME, 'revt:exits', '--wait', '3s');
  assert.equal(up.code, 1);
  assert.match(up.stderr, /rolled back to revision 2: .*(exit|restart)/);
  assert.equal(await serving(PORT), 'v2');
  const revs = await revisions(NAME);
  assert.equal(revs[0]!.rev, '4');
  assert.equal(revs[0]!.state, 'failed');
  assert.match(revs[0]!.logs, /broken config/);
  assert.equal((await berth('ps', '-aq', '--filter', `name=${NAME}`)).stdout.trim().split('\n').length, 1);
});

test('image prune -a keeps the images of revisions and rmi refuses them', async () => {
  const prune = await berth('image', 'prune', '-a', '-f');
  assert.equal(prune.code, 0, prune.stderr);
  for (const tag of ['revt:1', 'revt:2', 'revt:bad', 'revt:exits']) assert.equal((await berth('image', 'inspect', tag)).code, 0, tag);
  const rmi = await berth('rmi', 'revt:1');
  assert.equal(rmi.code, 1);
  assert.match(rmi.stderr, /revision 1 of container revt-web/);
});

test('berth rollback goes back one revision (never forward again), and --to names one', async () => {
  const back = await berth('rollback', NAME);
  assert.equal(back.code, 0, back.stderr);
  assert.equal(await serving(PORT), 'v1');
  assert.deepEqual((await revisions(NAME)).filter((x) => x.state !== 'failed').map((x) => [x.rev, x.state]), [['2', 'rolled-back'], ['1', 'current']]);
  const again = await berth('rollback', NAME);
  assert.equal(again.code, 1);
  assert.match(again.stderr, /no earlier revision/);
  const to = await berth('rollback', NAME, '--to', '2');
  assert.equal(to.code, 0, to.stderr);
  assert.equal(await serving(PORT), 'v2');
  assert.equal((await berth('exec', NAME, 'cat', '/data/f', '/anon/f')).stdout, 'named\nanon\n');
});

test('start-first upgrades a container without fixed host ports, and removing a container drops its revisions', async () => {
  const sf = await berth('upgrade', NAME, 'revt:1', '--order', 'start-first');
  assert.equal(sf.code, 1);
  assert.match(sf.stderr, /start-first needs no fixed host port/);
  assert.equal((await berth('network', 'create', '--subnet', '10.247.42.0/24', 'revt-net')).code, 0);
  try {
    assert.equal((await berth('run', '-d', '--name', 'revt-sf', '--network', 'revt-net', 'revt:1')).code, 0);
    const up = await berth('upgrade', 'revt-sf', 'revt:2', '--order', 'start-first', '--probe', 'http://:80/');
    assert.equal(up.code, 0, up.stderr);
    assert.match(up.stdout, /Probe http:\/\/:80\/ answered/);
    assert.equal((await berth('ps', '-aq', '--filter', 'name=revt-sf')).stdout.trim().split('\n').length, 1);
    // The new container answers to the name on the network.
    const ip = (await berth('inspect', '--format', '{{(index .NetworkSettings.Networks "revt-net").IPAddress}}', 'revt-sf')).stdout.trim();
    const dns = await berth('run', '--rm', '--network', 'revt-net', '127.0.0.1:5000/library/debian:bookworm', 'getent', 'hosts', 'revt-sf');
    assert.equal(dns.stdout.trim().split(/\s+/)[0], ip, dns.stderr);
    assert.equal((await berth('rm', '-f', 'revt-sf')).code, 0);
    assert.equal((await berth('revisions', 'revt-sf')).code, 1);
  } finally {
    await berth('rm', '-f', 'revt-sf');
    await berth('network', 'rm', 'revt-net');
  }
});

test('compose v1 still manages an upgraded service (aliases kept); upgrade without IMAGE takes the moved tag; --all --filter, --dry-run and the upgrade event', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'berth-revt-'));
  const project = `revt${process.pid}`;
  const env = { DOCKER_HOST: TEST_HOST, COMPOSE_PROJECT_NAME: project };
  const compose = (...args: string[]) => run('docker-compose', ['-f', join(dir, 'docker-compose.yml'), ...args], { env, timeoutMs: 120_000 });
  writeFileSync(join(dir, 'docker-compose.yml'), `version: "3"\nservices:\n  web:\n    image: revt:live\n    ports: ["${PORT + 2}:80"]\n`);
  assert.equal((await berth('tag', 'revt:1', 'revt:live')).code, 0);
  try {
    const up = await compose('up', '-d');
    assert.equal(up.code, 0, up.stderr);
    assert.equal(await serving(PORT + 2), 'v1');
    // Whole seconds: the previous test's upgrade may fall inside the window; the filter names ours.
    const since = String(Math.floor(Date.now() / 1000) - 1);
    assert.equal((await berth('tag', 'revt:2', 'revt:live')).code, 0);
    const filter = `label=com.docker.compose.project=${project}`;
    const dry = await berth('upgrade', '--all', '--filter', filter, '--dry-run');
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(dry.stdout, /Dry run: would upgrade to revt:live/);
    assert.equal(await serving(PORT + 2), 'v1');
    const all = await berth('upgrade', '--all', '--filter', filter);
    assert.equal(all.code, 0, all.stderr);
    assert.match(all.stdout, /upgraded to revision 2/);
    assert.equal(await serving(PORT + 2), 'v2');
    const ps = await compose('ps');
    assert.match(ps.stdout, /Up/);
    const ins = JSON.parse((await berth('inspect', `${project}_web_1`)).stdout)[0];
    assert.ok(ins.NetworkSettings.Networks[`${project}_default`].Aliases.includes('web'), JSON.stringify(ins.NetworkSettings.Networks));
    // compose manages it: stop and start by service name (its config hash names the image id, so
    // a later `up` recreates it from the compose file, as after any out-of-band change).
    assert.equal((await compose('stop', '-t', '1', 'web')).code, 0);
    assert.equal((await compose('start', 'web')).code, 0);
    assert.equal(await serving(PORT + 2), 'v2');
    const ev = await docker('events', '--since', since, '--until', String(Math.floor(Date.now() / 1000) + 1), '--filter', 'event=upgrade', '--filter', `container=${project}_web_1`, '--format', '{{.Actor.Attributes.name}} {{.Actor.Attributes.revision}}');
    assert.equal(ev.code, 0, ev.stderr);
    assert.equal(ev.stdout.trim(), `${project}_web_1 2`);
  } finally {
    const down = await compose('down', '-t', '1');
    rmSync(dir, { recursive: true, force: true });
    assert.equal(down.code, 0, down.stderr);
  }
});

test('berthd killed with SIGKILL during an upgrade and restarted: exactly one container has the name, and it serves', async () => {
  const dir = mkdtempSync('/run/brevk-');
  const host = `unix://${dir}/run/berth.sock`;
  const configFile = join(dir, 'berthd.json');
  writeFileSync(
    configFile,
    JSON.stringify({
      hosts: [host],
      'data-root': join(dir, 'data'),
      'exec-root': join(dir, 'run'),
      bridge: 'brevk0',
      bip: '10.247.1.1/24',
      'default-address-pools': [{ base: '10.247.16.0/20', size: 24 }],
      'registry-mirrors': ['http://127.0.0.1:5000'],
    }),
  );
  const start = () => {
    const child = spawn(process.execPath, [join(ROOT, 'dist', 'berthd.mjs'), '--config-file', configFile], { stdio: 'ignore', detached: true });
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    return { child, exited };
  };
  const client = new ApiClient(host);
  const ready = async () => {
    for (let i = 0; i < 200; i++) {
      if (await client.call('GET', '/_ping').then(() => true, () => false)) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('private berthd did not start');
  };
  let daemon = start();
  try {
    await ready();
    await build('revk:1', IMAGES['revt:1']!, host);
    // No healthcheck: the gate waits 30 s of running, long enough to kill berthd inside it.
    await build('revk:2', 'FROM nginx\nRUN echo v2 > /var/www/html/index.html\nHEALTHCHECK NONE\n', host);
    assert.equal((await berthAt(host, ['run', '-d', '--name', 'revk-web', '-p', `${PORT + 1}:80`, 'revk:1'])).code, 0);
    assert.equal(await serving(PORT + 1), 'v1');
    const cli = spawn(process.execPath, [join(ROOT, 'dist', 'berth.mjs'), '-H', host, 'upgrade', 'revk-web', 'revk:2', '--wait', '30s'], { stdio: ['ignore', 'pipe', 'pipe'] });
    await new Promise<void>((resolve, reject) => {
      let out = '';
      cli.stdout.on('data', (d) => {
        out += d;
        if (/Waiting/.test(out)) resolve();
      });
      cli.once('exit', () => reject(new Error(`upgrade ended before the gate: ${out}`)));
    });
    daemon.child.kill('SIGKILL');
    await daemon.exited;
    daemon = start();
    await ready();
    const list = (await client.call('GET', '/containers/json', { query: { all: '1' } })) as { Names: string[]; State: string }[];
    assert.deepEqual(list.map((c) => [c.Names[0], c.State]), [['/revk-web', 'running']]);
    assert.equal(await serving(PORT + 1), 'v1');
    const revs = await revisions('revk-web', host);
    assert.deepEqual(revs.map((x) => [x.rev, x.state]), [['2', 'failed'], ['1', 'current']]);
    assert.match(revs[0]!.reason, /berthd stopped during the upgrade/);
    assert.equal((await berthAt(host, ['rm', '-f', 'revk-web'])).code, 0);
    await berthAt(host, ['rmi', '-f', 'revk:1', 'revk:2', 'nginx']);
  } finally {
    for (const id of (await berthAt(host, ['ps', '-aq'])).stdout.split('\n').filter(Boolean)) await berthAt(host, ['rm', '-f', '-v', id]);
    daemon.child.kill('SIGTERM');
    await daemon.exited;
    if (existsSync('/sys/class/net/brevk0')) execFileSync('ip', ['link', 'del', 'brevk0']);
    removeBridgeLeftovers('brevk0');
    execFileSync('sh', ['-c', `grep -o "${dir}/[^ ]*" /proc/self/mounts | sort -r | xargs -r -n1 umount -l; true`]);
    rmSync(dir, { recursive: true, force: true });
  }
});
