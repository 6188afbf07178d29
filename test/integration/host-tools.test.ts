import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { berth, ROOT, run, TEST_HOST } from '../helpers/daemon.js';

// berth doctor against a broken host, and the shell completion scripts in real shells.

const BERTHD = join(ROOT, 'dist', 'berthd.mjs');
const BERTH = join(ROOT, 'dist', 'berth.mjs');

/** A PATH of links to every tool of the host's PATH but those named. */
function pathWithout(dir: string, ...missing: string[]): string {
  mkdirSync(dir, { recursive: true });
  for (const d of ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin']) {
    let names: string[] = [];
    try {
      names = readdirSync(d);
    } catch {
      continue;
    }
    for (const n of names) {
      if (missing.includes(n)) continue;
      try {
        symlinkSync(join(d, n), join(dir, n));
      } catch {
        // the same name earlier on PATH wins, as it would
      }
    }
  }
  return dir;
}

test('berth doctor reports a broken host (crun gone from PATH, ip_forward off) with the fix lines', async (t) => {
  const tmp = mkdtempSync(join(tmpdir(), 'berth-doctor-'));
  t.after(() => rmSync(tmp, { recursive: true, force: true }));
  const bin = pathWithout(join(tmp, 'bin'), 'crun', 'berthd');
  symlinkSync(BERTHD, join(bin, 'berthd'));
  const config = join(tmp, 'daemon.json');
  writeFileSync(config, JSON.stringify({ 'data-root': join(tmp, 'data'), runtimes: { crun: { path: 'crun' } } }));
  // Forwarding is turned off in a network namespace of the test's own: the host's stays as it is.
  const offline = (cmd: string) => run('unshare', ['--net', 'sh', '-c', `sysctl -qw net.ipv4.ip_forward=0 && PATH=${bin} BERTH_CONFIG=${config} exec ${cmd}`]);

  const direct = await offline(`node ${BERTHD} --check --config-file ${config}`);
  assert.equal(direct.code, 1, direct.stdout + direct.stderr);
  assert.match(direct.stdout, /\[FAIL\] runtime crun +crun not found on PATH\n +fix: apt-get install crun/);
  assert.match(direct.stdout, /\[warn\] ip_forward .*off.*\n +fix: sysctl -w net\.ipv4\.ip_forward=1/);
  assert.match(direct.stdout, /\[ok\] +conmon/);
  assert.match(direct.stdout, /\[ok\] +cgroups/);

  // The CLI with no daemon to ask runs berthd's checks on this host itself.
  const cli = await offline(`node ${BERTH} -H unix://${tmp}/none.sock doctor`);
  assert.equal(cli.code, 1, cli.stdout + cli.stderr);
  assert.match(cli.stdout, /\[FAIL\] berthd +no berthd answers at unix:\/\/.*none\.sock\n +fix: systemctl start berthd/);
  assert.match(cli.stdout, /fix: apt-get install crun/);
  assert.match(cli.stdout, /fix: sysctl -w net\.ipv4\.ip_forward=1/);
});

test('berth doctor asks the running daemon, which checks its own host', async () => {
  const r = await berth('doctor', '--format', 'json');
  const checks = JSON.parse(r.stdout) as { name: string; level: string }[];
  assert.deepEqual(checks[0], { name: 'berthd', level: 'ok', detail: `answers at ${TEST_HOST}` });
  for (const name of ['cgroups', 'runtime crun', 'conmon', 'overlayfs', 'nftables', 'ip_forward', 'disk', 'socket group', 'clock']) {
    assert.ok(checks.some((c) => c.name === name), `no ${name} check in ${r.stdout}`);
  }
  assert.equal(checks.find((c) => c.name === 'runtime crun')!.level, 'ok');
  assert.equal(r.code, checks.some((c) => c.level === 'fail') ? 1 : 0);
});

test('completion scripts load in bash and zsh and complete commands, flags and container names', async (t) => {
  const tmp = mkdtempSync(join(tmpdir(), 'berth-completion-'));
  const name = `complete-me-${process.pid}`;
  const created = await berth('create', '--name', name, 'busybox', 'true');
  assert.equal(created.code, 0, created.stderr);
  t.after(async () => {
    await berth('rm', '-f', name);
    rmSync(tmp, { recursive: true, force: true });
  });
  // The scripts call `berth` by name: one that talks to the test daemon.
  writeFileSync(join(tmp, 'berth'), `#!/bin/sh\nexec node ${BERTH} -H ${TEST_HOST} "$@"\n`, { mode: 0o755 });
  const env = { PATH: `${tmp}:${process.env.PATH}` };

  const bash = (words: string) =>
    run('bash', ['-c', `source <(berth completion bash); COMP_WORDS=(${words}); COMP_CWORD=$((\${#COMP_WORDS[@]}-1)); _berth; printf '%s\\n' "\${COMPREPLY[@]}"`], { env });
  const rm = await bash(`berth rm complete-me-`);
  assert.equal(rm.code, 0, rm.stderr);
  assert.deepEqual(rm.stdout.trim().split('\n'), [name]);
  assert.deepEqual((await bash('berth netw')).stdout.trim().split('\n'), ['network']);
  assert.ok((await bash('berth run --rest')).stdout.split('\n').includes('--restart'));

  // zsh: the function is registered with compdef, and what it hands compadd is the candidates.
  const zsh = (words: string) =>
    run('zsh', ['-fc', `autoload -U compinit && compinit -u -d ${tmp}/zcomp; source <(berth completion zsh); compadd() { print -l -- "\${@[2,-1]}" }; words=(${words}); CURRENT=\${#words}; _berth`], { env });
  const z = await zsh(`berth stop complete-me-`);
  assert.equal(z.code, 0, z.stderr);
  assert.deepEqual(z.stdout.trim().split('\n'), [name]);
  const registered = await run('zsh', ['-fc', `autoload -U compinit && compinit -u -d ${tmp}/zcomp; source <(berth completion zsh); print \${_comps[berth]}`], { env });
  assert.equal(registered.stdout.trim(), '_berth');
});
