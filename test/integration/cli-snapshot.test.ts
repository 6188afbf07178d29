import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { berth, ROOT, run, TEST_HOST } from '../helpers/daemon.js';

// dist/berth starts the CLI from its V8 startup snapshot: it must behave as dist/berth.mjs does.
// (BERTH_TEST_CLI=snapshot runs the whole CLI suite, cli-containers.test.ts, through it as well.)

const IMAGE = '127.0.0.1:5000/library/busybox';
const LAUNCHER = join(ROOT, 'dist', 'berth');
const viaSnapshot = (args: string[], input?: string) => run(LAUNCHER, ['-H', TEST_HOST, ...args], { input });

test('the snapshot CLI prints what the bundle prints, with the same exit codes', async () => {
  for (const args of [['--version'], ['ps', '-a', '--format', '{{.Names}}'], ['version', '--format', '{{.Client.Version}}'], ['bogus'], ['ps', '--bogus'], ['rm']]) {
    const [a, b] = await Promise.all([viaSnapshot(args), berth(...args)]);
    assert.deepEqual(a, b, args.join(' '));
  }
});

test('the snapshot CLI runs a container with stdin, stdout, stderr and its exit code', async () => {
  const r = await viaSnapshot(['run', '--rm', '-i', IMAGE, 'sh', '-c', 'cat; echo err >&2; exit 3'], 'piped\n');
  assert.equal(r.stdout, 'piped\n');
  assert.equal(r.stderr, 'err\n');
  assert.equal(r.code, 3);
});

test('with a node other than the one that built the snapshot, the launcher runs the bundle instead', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'berth-snap-'));
  try {
    // Another node: its mtime differs from the stamp's. The blob would not load in it.
    const stamp = join(dir, 'berth.node-stamp');
    writeFileSync(stamp, 'v0.0.0\n');
    utimesSync(stamp, new Date(0), new Date(0));
    const blob = join(dir, 'berth.blob');
    writeFileSync(blob, 'not a snapshot');
    const launcher = join(dir, 'berth');
    const text = readFileSync(LAUNCHER, 'utf8').replaceAll(join(ROOT, 'dist', 'berth.node-stamp'), stamp).replaceAll(join(ROOT, 'dist', 'berth.blob'), blob);
    writeFileSync(launcher, text, { mode: 0o755 });
    const r = await run(launcher, ['--version']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Berth version /);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
