import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Command } from 'commander';
import { addContainerFlags, type ContainerFlags } from './container-flags.js';
import { buildCreateRequest, FlagError } from './create-request.js';

// Each case runs the real docker CLI v28 against a recording fake daemon, then berth's flag
// parsing + request builder on the same arguments, and compares what each would send.

const DOCKER = '/usr/local/bin/docker';
const dir = mkdtempSync(join(tmpdir(), 'berth-create-test-'));
const socket = join(dir, 'capture.sock');
const envFile = join(dir, 'vars.env');
const labelFile = join(dir, 'labels');
writeFileSync(envFile, 'FROMFILE=1\n# a comment\n\nPASSTHRU\nUNSETVAR\n  SPACED=a b \n');
writeFileSync(labelFile, 'team=core\nbare\n');
const childEnv = { PASSTHRU: 'from-env', SETVAR: 'v' };
let server: Server;
let captured: { url: string; body: Record<string, unknown> }[] = [];

before(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      res.setHeader('Api-Version', '1.51');
      res.setHeader('Ostype', 'linux');
      res.setHeader('Content-Type', 'application/json');
      if (req.url?.endsWith('/_ping')) return res.end('OK');
      if (req.url?.includes('/containers/create')) {
        captured.push({ url: req.url, body: JSON.parse(body) });
        return res.end(JSON.stringify({ Id: 'f'.repeat(64), Warnings: [] }));
      }
      res.end('{}');
    });
  });
  await new Promise<void>((r) => server.listen(socket, r));
});

after(() => {
  server.close();
  rmSync(dir, { recursive: true, force: true });
});

function dockerCreate(args: string[]): Promise<{ code: number; stderr: string; request?: { url: string; body: Record<string, unknown> } }> {
  captured = [];
  return new Promise((resolve, reject) => {
    const child = spawn(DOCKER, ['-H', `unix://${socket}`, 'create', ...args], {
      env: { PATH: process.env.PATH ?? '', HOME: dir, DOCKER_CONFIG: join(dir, 'docker-config'), ...childEnv },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, stderr, request: captured[0] }));
  });
}

async function berthCreate(args: string[]): Promise<{ name?: string; platform?: string; body: Record<string, unknown> }> {
  const program = new Command().exitOverride().enablePositionalOptions();
  let result: ReturnType<typeof buildCreateRequest> | undefined;
  const cmd = program.command('create').argument('<image>').argument('[command...]');
  addContainerFlags(cmd, false).action((image: string, cmdArgs: string[], flags: ContainerFlags) => {
    result = buildCreateRequest(flags, image, cmdArgs, { lookupEnv: (n) => (childEnv as Record<string, string>)[n] });
  });
  await program.parseAsync(['create', ...args], { from: 'user' });
  return result!;
}

const CASES: [string, string[]][] = [
  ['plain image and command', ['busybox', 'echo', 'hi']],
  ['the brief examples', ['-p', '8080:80', '--cpus', '1.5', '-m', '512m', '--restart', 'on-failure:3', '-v', 'name:/path:ro', 'busybox']],
  ['--rm', ['--rm', '--name', 'web', 'busybox']],
  ['tty, stdin, env, user, workdir, entrypoint, labels', ['-it', '-e', 'A=1', '-e', 'PASSTHRU', '-e', 'NOTSET', '-w', '/w', '-u', '1000:1000', '--entrypoint', '/bin/sh', '-l', 'x=y', '-l', 'z', 'busybox']],
  ['env and label files', ['--env-file', envFile, '-e', 'LATE=2', '--label-file', labelFile, 'busybox']],
  ['ports', ['-P', '--expose', '90', '--expose', '100-101/udp', '-p', '127.0.0.1:81:80/udp', '-p', '9000-9001:9000-9001', '-p', '53', '-p', '[::1]:8443:443', 'busybox']],
  ['network options on a user network', ['--network', 'mynet', '--network-alias', 'al', '--ip', '10.0.0.5', '-h', 'hh', '--domainname', 'dd', '--mac-address', '02:42:ac:11:00:02', 'busybox']],
  ['a user network alone', ['--net', 'mynet', 'busybox']],
  ['host network', ['--network', 'host', 'busybox']],
  ['dns and hosts', ['--add-host', 'a:1.2.3.4', '--dns', '8.8.8.8', '--dns-search', 'ex.com', '--dns-option', 'ndots:2', 'busybox']],
  [
    'mounts and volumes',
    ['--mount', 'type=bind,src=/tmp,dst=/x,readonly', '--mount', 'type=volume,source=v,target=/v,volume-opt=a=b,volume-nocopy', '--mount', 'type=tmpfs,dst=/t,tmpfs-size=1m', '--tmpfs', '/run:rw,size=10m', '--tmpfs', '/scratch', '-v', '/anon', '-v', '/host:/ctr', '--volumes-from', 'c1:ro', 'busybox'],
  ],
  [
    'resources',
    ['--memory-swap', '1g', '--memory-reservation', '100m', '-c', '512', '--cpu-quota', '50000', '--cpu-period', '100000', '--cpuset-cpus', '0-1', '--cpuset-mems', '0', '--pids-limit', '100', '--oom-kill-disable', '--oom-score-adj', '100', '--shm-size', '64m', '--memory-swappiness', '10', 'busybox'],
  ],
  ['unlimited swap', ['-m', '1g', '--memory-swap', '-1', 'busybox']],
  [
    'security and devices',
    ['--init', '--privileged', '--cap-add', 'NET_ADMIN', '--cap-add', 'sys_time', '--cap-drop', 'ALL', '--security-opt', 'no-new-privileges', '--read-only', '--ulimit', 'nofile=100:200', '--ulimit', 'nproc=50', '--sysctl', 'net.core.somaxconn=1024', '--device', '/dev/null:/dev/xnull:r', '--device', '/dev/zero', 'busybox'],
  ],
  ['stop settings', ['--stop-signal', 'SIGINT', '--stop-timeout', '5', 'busybox']],
  ['healthcheck', ['--health-cmd', 'true', '--health-interval', '5s', '--health-timeout', '2s', '--health-retries', '3', '--health-start-period', '1m30s', 'busybox']],
  ['no healthcheck', ['--no-healthcheck', 'busybox']],
  ['logging, runtime, namespaces, groups', ['--log-driver', 'json-file', '--log-opt', 'max-size=1m', '--runtime', 'crun', '--userns', 'host', '--ipc', 'host', '--pid', 'host', '--uts', 'host', '--group-add', '10', 'busybox']],
  ['attach selection', ['-a', 'stdout', '-i', 'busybox', 'ls']],
  ['platform', ['--platform', 'linux/amd64', 'busybox']],
  ['empty entrypoint', ['--entrypoint', '', 'busybox']],
  ['bool with value and flags after the image', ['--init=false', '--read-only=true', 'busybox', 'ls', '-la', '--color']],
  ['restart policies', ['--restart', 'unless-stopped', 'busybox']],
];

for (const [name, args] of CASES) {
  test(`create request matches docker: ${name}`, async () => {
    const docker = await dockerCreate(args);
    assert.equal(docker.code, 0, docker.stderr);
    const ours = await berthCreate(args);
    const url = new URL(docker.request!.url, 'http://x');
    assert.equal(ours.name, url.searchParams.get('name') ?? undefined);
    assert.equal(ours.platform, url.searchParams.get('platform') ?? undefined);
    // The docker CLI passes -e values through a Go map on some paths, so their order varies
    // from run to run: compare Env as a set.
    const sortEnv = (b: Record<string, unknown>) => ({ ...b, Env: Array.isArray(b.Env) ? [...(b.Env as string[])].sort() : b.Env });
    assert.deepEqual(sortEnv(ours.body), sortEnv(docker.request!.body));
  });
}

const REJECTED: [string, string[], string][] = [
  ['--rm with a restart policy', ['--rm', '--restart', 'always', 'busybox'], 'conflicting options: cannot specify both --restart and --rm'],
  ['--no-healthcheck with --health-cmd', ['--no-healthcheck', '--health-cmd', 'true', 'busybox'], '--no-healthcheck conflicts with --health-* options'],
  ['a bad memory size', ['-m', 'lots', 'busybox'], 'invalid argument "lots" for "-m, --memory" flag'],
];

for (const [name, args, message] of REJECTED) {
  test(`create rejects ${name} as docker does`, async () => {
    const docker = await dockerCreate(args);
    assert.equal(docker.code, 125);
    assert.match(docker.stderr, new RegExp(message.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&')));
    await assert.rejects(berthCreate(args), (err: unknown) => err instanceof FlagError && err.message.includes(message));
  });
}
