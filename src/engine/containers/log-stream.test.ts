import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ContainerRecord } from './container-model.js';
import { openLogs, type LogStreamDeps } from './log-stream.js';
import type { LogEntry } from './ports.js';

function deps(o: { tty?: boolean; driver?: string; running?: boolean } = {}) {
  const calls: Parameters<LogStreamDeps['readLogs']>[1][] = [];
  const c = { Id: 'c1', LogPath: '/logs/c1', Config: { Tty: !!o.tty }, HostConfig: { LogConfig: { Type: o.driver ?? 'json-file' } }, State: { Running: !!o.running } };
  const lines: LogEntry[] = [
    { stream: 'stdout', time: 't1', line: Buffer.from('out\n') },
    { stream: 'stderr', time: 't2', line: Buffer.from('err\n') },
  ];
  const d: LogStreamDeps = {
    get: (ref) => {
      if (ref !== 'c1') throw new Error(`No such container: ${ref}`);
      return c as unknown as ContainerRecord;
    },
    readLogs: (path, opts) => {
      assert.equal(path, '/logs/c1');
      calls.push(opts);
      return (async function* () {
        yield* lines;
      })();
    },
    exited: async () => undefined,
  };
  return { d, calls };
}

async function texts(it: AsyncIterable<LogEntry>): Promise<string[]> {
  const out: string[] = [];
  for await (const e of it) out.push(`${e.stream}:${e.line.toString().trim()}`);
  return out;
}

test('logs are checked in dockerd order: the container, the streams, tail, the driver, the times', () => {
  const { d } = deps({ driver: 'none' });
  assert.throws(() => openLogs(d, 'nope', { stdout: false, stderr: false, follow: false }), /No such container/);
  assert.throws(() => openLogs(d, 'c1', { stdout: false, stderr: false, follow: false, tail: 'x' }), /you must choose at least one stream/);
  assert.throws(() => openLogs(d, 'c1', { stdout: true, stderr: false, follow: false, tail: '-1' }), /invalid value for "tail": "-1"/);
  assert.throws(() => openLogs(d, 'c1', { stdout: true, stderr: false, follow: false, since: 'x' }), /does not support reading/);
  assert.throws(() => openLogs(deps().d, 'c1', { stdout: true, stderr: false, follow: false, since: 'soon' }), /invalid value for since: soon/);
});

test('only the chosen streams come out; times go to the reader in exact nanoseconds; follow only while running', async () => {
  const { d, calls } = deps({ tty: true });
  const logs = openLogs(d, 'c1', { stdout: false, stderr: true, follow: true, tail: '5', since: '1700000000.5', until: '' });
  assert.equal(logs.tty, true);
  assert.equal(calls.length, 0, 'the reader starts when the lines are read');
  assert.deepEqual(await texts(logs.entries), ['stderr:err']);
  assert.equal(calls[0]!.since, 1_700_000_000_500_000_000n);
  assert.equal(calls[0]!.until, undefined);
  assert.equal(calls[0]!.tail, 5);
  assert.equal(calls[0]!.follow, false);
  assert.ok(calls[0]!.until_stopped);
  assert.deepEqual(await texts(openLogs(d, 'c1', { stdout: true, stderr: true, follow: false, tail: 'all' }).entries), ['stdout:out', 'stderr:err']);
});
