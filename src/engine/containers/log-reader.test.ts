import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { silentLogger } from '../../common/logger.js';
import { ContainerRuntime } from '../runtime/conmon-runtime.js';
import { prepareHost } from '../runtime/host-setup.js';
import { makeTestHost, minimalSpec, testId } from '../runtime/testing/busybox-bundle.js';
import { readLogs, type LogEntry } from './log-reader.js';

const dir = mkdtempSync(join(tmpdir(), 'berth-logs-'));
after(() => rmSync(dir, { recursive: true, force: true }));

async function all(it: AsyncIterable<LogEntry>): Promise<string[]> {
  const out: string[] = [];
  for await (const e of it) out.push(`${e.stream}:${e.line.toString()}`);
  return out;
}

const LOG = [
  '2026-11-28T03:01:28.100000000+00:00 stdout F one',
  '2026-11-28T03:01:29.100000000+00:00 stderr P par',
  '2026-11-28T03:01:29.200000000+00:00 stderr F tial',
  '2026-11-28T03:01:30.100000000+00:00 stdout F ',
  '2026-11-28T03:01:31.100000000+00:00 stdout F four',
  '2026-11-28T03:01:32.100000000+00:00 stdout P no newline',
  '',
].join('\n');

test('parses k8s-file records, joins partials, shows an unterminated last line, filters since/until, tails from the end', async () => {
  const p = join(dir, 'a.log');
  writeFileSync(p, LOG);
  assert.deepEqual(await all(readLogs(p)), ['stdout:one\n', 'stderr:partial\n', 'stdout:\n', 'stdout:four\n', 'stdout:no newline']);
  const it = readLogs(p);
  const first = (await it.next()).value as LogEntry;
  await it.return(undefined);
  assert.equal(first.time, '2026-11-28T03:01:28.100000000Z');
  assert.deepEqual(await all(readLogs(p, { tail: 2 })), ['stdout:\n', 'stdout:four\n', 'stdout:no newline']);
  assert.deepEqual(await all(readLogs(p, { tail: 3 })), ['stderr:partial\n', 'stdout:\n', 'stdout:four\n', 'stdout:no newline']);
  assert.deepEqual(await all(readLogs(p, { tail: 0 })), []);
  assert.deepEqual(await all(readLogs(p, { tail: 100 })), ['stdout:one\n', 'stderr:partial\n', 'stdout:\n', 'stdout:four\n', 'stdout:no newline']);
  const t = Date.parse('2026-11-28T03:01:29Z') / 1000;
  assert.deepEqual(await all(readLogs(p, { since: t, until: t + 2 })), ['stderr:partial\n', 'stdout:\n']);
  assert.deepEqual(await all(readLogs(join(dir, 'missing.log'))), []);
});

test('tail works across read chunks', async () => {
  const p = join(dir, 'big.log');
  const lines: string[] = [];
  for (let i = 0; i < 5000; i++) lines.push(`2026-11-28T03:01:28.100000000+00:00 stdout F line ${i} ${'x'.repeat(40)}`);
  writeFileSync(p, `${lines.join('\n')}\n`);
  const got = await all(readLogs(p, { tail: 3 }));
  assert.deepEqual(got.map((l) => l.split(' ')[1]), ['4997', '4998', '4999']);
});

test('follow yields appended records and ends when the container stops', async () => {
  const p = join(dir, 'f.log');
  writeFileSync(p, LOG.replace(/.* P no newline\n/, ''));
  let stop!: () => void;
  const stopped = new Promise<void>((r) => (stop = r));
  const got: string[] = [];
  const reading = (async () => {
    for await (const e of readLogs(p, { follow: true, tail: 1, until_stopped: stopped })) {
      got.push(e.line.toString());
      if (got.length === 1) appendFileSync(p, '2026-11-28T03:01:32.100000000+00:00 stdout F five\n');
      if (got.length === 2) {
        appendFileSync(p, '2026-11-28T03:01:33.100000000+00:00 stdout F six\n');
        stop();
      }
    }
  })();
  await reading;
  assert.deepEqual(got, ['four\n', 'five\n', 'six\n']);
});

test('reads the log conmon writes for a real container, following until it exits', async () => {
  await prepareHost(silentLogger);
  const host = makeTestHost();
  const rt = new ContainerRuntime({ paths: host.paths, runtimes: { crun: { path: '/usr/bin/crun' } }, defaultRuntime: 'crun', logger: silentLogger });
  const id = testId('l');
  const logPath = join(host.root, 'ctr.log');
  try {
    await rt.create({ id, name: id, bundleDir: host.bundle(id), spec: minimalSpec(host.rootfs, id, ['sh', '-c', 'echo a; sleep 0.2; printf b; echo c >&2; sleep 0.2; printf d']), logPath, tty: false, openStdin: false, stdinOnce: false });
    await rt.start(id);
    const exited = rt.waitExit(id);
    const got = await all(readLogs(logPath, { follow: true, until_stopped: exited.then(() => undefined) }));
    assert.deepEqual(got, ['stdout:a\n', 'stderr:c\n', 'stdout:bd']);
  } finally {
    await rt.cleanup(id);
    host.remove();
  }
});
