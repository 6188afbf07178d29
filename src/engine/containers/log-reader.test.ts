import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { silentLogger } from '../../common/logger.js';
import { ContainerRuntime } from '../runtime/conmon-runtime.js';
import { prepareHost } from '../runtime/host-setup.js';
import { makeTestHost, minimalSpec, testId } from '../runtime/testing/busybox-bundle.js';
import { noteRotation } from './log-files.js';
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
  const t = BigInt(Date.parse('2026-11-28T03:01:29Z')) * 1_000_000n;
  assert.deepEqual(await all(readLogs(p, { since: t, until: t + 2_000_000_000n })), ['stderr:partial\n', 'stdout:\n']);
  assert.deepEqual(await all(readLogs(join(dir, 'missing.log'))), []);
});

test('since one line\'s own time (to the nanosecond) starts at that line, one nanosecond later after it', async () => {
  const p = join(dir, 'nanos.log');
  // Times a double cannot tell apart: seconds with nine digits after the point.
  writeFileSync(p, ['2026-11-28T03:01:29.123456788Z stdout F a', '2026-11-28T03:01:29.123456789Z stdout F b', '2026-11-28T03:01:29.123456790Z stdout F c', ''].join('\n'));
  const t = BigInt(Date.parse('2026-11-28T03:01:29Z')) * 1_000_000n + 123_456_789n;
  assert.deepEqual(await all(readLogs(p, { since: t })), ['stdout:b\n', 'stdout:c\n']);
  assert.deepEqual(await all(readLogs(p, { since: t + 1n })), ['stdout:c\n']);
  assert.deepEqual(await all(readLogs(p, { until: t })), ['stdout:a\n']);
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

const rec = (i: number) => `2026-11-28T03:02:${String(i).padStart(2, '0')}.000000000+00:00 stdout F line${i}\n`;
const lines = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, k) => rec(from + k)).join('');

test('reads rotated files (plain and gzipped) before the live one: all, --tail reaching back, --since', async () => {
  const p = join(dir, 'rot.log');
  writeFileSync(`${p}.2.gz`, gzipSync(lines(1, 3)));
  writeFileSync(`${p}.1`, lines(4, 6));
  writeFileSync(p, lines(7, 8));
  const texts = (es: string[]) => es.map((e) => e.replace('stdout:line', '').trim()).map(Number);
  assert.deepEqual(texts(await all(readLogs(p))), [1, 2, 3, 4, 5, 6, 7, 8]);
  assert.deepEqual(texts(await all(readLogs(p, { tail: 2 }))), [7, 8]);
  assert.deepEqual(texts(await all(readLogs(p, { tail: 4 }))), [5, 6, 7, 8]);
  assert.deepEqual(texts(await all(readLogs(p, { tail: 7 }))), [2, 3, 4, 5, 6, 7, 8]);
  assert.deepEqual(texts(await all(readLogs(p, { tail: 100 }))), [1, 2, 3, 4, 5, 6, 7, 8]);
  const since = BigInt(Date.parse('2026-11-28T03:02:02Z')) * 1_000_000n;
  assert.deepEqual(texts(await all(readLogs(p, { since, until: since + 4_000_000_000n }))), [2, 3, 4, 5]);
});

test('a follower goes on into the new file after a rotation (and catches up on one rotated twice)', async () => {
  const p = join(dir, 'follow.log');
  writeFileSync(p, lines(1, 2));
  const ac = new AbortController();
  const seen: string[] = [];
  const done = (async () => {
    for await (const e of readLogs(p, { follow: true, signal: ac.signal })) {
      seen.push(e.line.toString().trim());
      if (seen.length === 9) ac.abort();
    }
  })();
  const waitFor = async (n: number) => {
    while (seen.length < n) await new Promise((r) => setTimeout(r, 20));
  };
  await waitFor(2);
  // As the rotator does: renames (counted in the same step), then the monitor writes a new file.
  const rotate = () => {
    renameSync(p, `${p}.1`);
    noteRotation(p);
  };
  appendFileSync(p, lines(3, 3));
  rotate();
  appendFileSync(`${p}.1`, lines(4, 4)); // the monitor writes on until it reopens
  writeFileSync(p, lines(5, 5));
  await waitFor(5);
  // Twice before the follower looks: it reads the middle file too.
  renameSync(`${p}.1`, `${p}.2`);
  rotate();
  writeFileSync(p, lines(6, 7));
  renameSync(`${p}.1`, `${p}.2`);
  rotate();
  writeFileSync(p, lines(8, 9));
  await done;
  assert.deepEqual(seen, ['line1', 'line2', 'line3', 'line4', 'line5', 'line6', 'line7', 'line8', 'line9']);
});
