import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { ApiError, readAll, readJsonLines } from '../helpers/raw-client.js';
import { FrameDecoder } from '../../src/api/streams/multiplexed.js';
import { api } from '../helpers/daemon.js';

// Container logs are capped and rotated while the container runs; logs/--tail/--since/-f read
// across the rotated files with no line lost or repeated (every line carries a sequence number).

const BUSYBOX = '127.0.0.1:5000/library/busybox:latest';
const created: string[] = [];
const MiB = 1024 * 1024;

before(async () => {
  const res = await api().stream('POST', '/images/create', { query: { fromImage: '127.0.0.1:5000/library/busybox', tag: 'latest' } });
  for await (const m of readJsonLines(res)) if (m.error) throw new Error(m.error);
});

after(async () => {
  for (const id of created) await api().call('DELETE', `/containers/${id}`, { query: { force: '1' } }).catch(() => undefined);
});

async function create(body: Record<string, unknown>): Promise<string> {
  const r = await api().call('POST', '/containers/create', { body: { Image: BUSYBOX, ...body } });
  created.push(r.Id);
  return r.Id;
}

function decode(buf: Buffer): string {
  let out = '';
  for (const f of new FrameDecoder().push(buf)) out += f.payload.toString();
  return out;
}

async function logs(id: string, query: Record<string, string> = {}): Promise<string> {
  const res = await api().stream('GET', `/containers/${id}/logs`, { query: { stdout: '1', stderr: '1', ...query } });
  return decode(await readAll(res));
}

/**
 * The sequence numbers of the lines, checked to be consecutive. conmon splits a line that straddles
 * two reads into partial records, and a rotation can fall between them: once the file holding the
 * head is dropped by max-file, the oldest kept line is the tail alone (dockerd's json-file has the
 * same edge for its split lines). Only that first line may be such a fragment.
 */
function sequence(text: string): number[] {
  let nums = text
    .split('\n')
    .filter((l) => l)
    .map((l) => Number(l.split(' ')[0]));
  // A tail fragment reads as no number, or a number that does not lead to the next line's.
  if (nums.length > 1 && nums[0] !== nums[1]! - 1) nums = nums.slice(1);
  for (let i = 1; i < nums.length; i++) assert.equal(nums[i], nums[i - 1]! + 1, `line ${i}: ${nums[i - 1]} then ${nums[i]}`);
  return nums;
}

function logBytes(logPath: string): number {
  const dir = dirname(logPath);
  let total = 0;
  for (const f of readdirSync(dir)) if (f.startsWith(basename(logPath))) total += statSync(join(dir, f), { throwIfNoEntry: false })?.size ?? 0;
  return total;
}

// ~100-byte lines, at most ~5 MB/s (a 10 ms pause every 500 lines).
const PAD = 'x'.repeat(90);
const printer = (n: number) => [
  'sh',
  '-c',
  `sleep 1; i=0; while [ $i -lt ${n} ]; do i=$((i+1)); echo "$i ${PAD}"; [ $((i % 500)) = 0 ] && usleep 10000; done; sleep 1`,
];

test('a chatty container keeps at most max-size x max-file of log, and logs/-f/--tail/--since are right across rotations', async () => {
  const N = 60000;
  const id = await create({ Cmd: printer(N), HostConfig: { LogConfig: { Type: 'json-file', Config: { 'max-size': '1m', 'max-file': '3' } } } });
  const logPath = (await api().call('GET', `/containers/${id}/json`)).LogPath as string;
  await api().call('POST', `/containers/${id}/start`);
  // Following from the start, through every rotation, until the container exits.
  const follow = api()
    .stream('GET', `/containers/${id}/logs`, { query: { stdout: '1', stderr: '1', follow: '1' } })
    .then((res) => readAll(res))
    .then(decode);
  let most = 0;
  let running = true;
  while (running) {
    most = Math.max(most, logBytes(logPath));
    running = (await api().call('GET', `/containers/${id}/json`)).State.Running;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.ok(most <= 3 * MiB, `log on disk reached ${most} bytes`);
  assert.ok(existsSync(`${logPath}.1`) && existsSync(`${logPath}.2`), 'rotated files are there');
  assert.ok(!existsSync(`${logPath}.3`), 'no more than max-file files');

  const followed = sequence(await follow);
  assert.equal(followed.length, N, 'follow saw every line once');
  assert.equal(followed[0], 1);

  // What is kept: a consecutive run of the last lines, across the three files.
  const all = sequence(await logs(id));
  assert.equal(all.at(-1), N);
  assert.ok(all.length > 10000 && all.length < N, `kept ${all.length} lines`);
  assert.deepEqual(sequence(await logs(id, { tail: '5' })), [N - 4, N - 3, N - 2, N - 1, N]);
  // A tail reaching back into the rotated files.
  const tail = sequence(await logs(id, { tail: String(all.length - 100) }));
  assert.equal(tail[0], all[100]);

  // --since a line in the oldest file, --until a later one. conmon stamps every line of one read
  // of the pipe alike, so a few lines around the chosen one share its time.
  const stamped = (await logs(id, { timestamps: '1' })).split('\n');
  const at = (i: number) => stamped[i]!.split(' ')[0]!;
  const toUnix = (t: string) => {
    const m = /^(.*)\.(\d+)Z$/.exec(t)!;
    return `${Date.parse(`${m[1]}Z`) / 1000}.${m[2]!.padEnd(9, '0')}`;
  };
  const since = sequence(await logs(id, { since: toUnix(at(50)) }));
  assert.ok(since[0]! <= all[50]! && since[0]! >= all[0]!);
  assert.equal(since.at(-1), N);
  const until = sequence(await logs(id, { until: toUnix(at(all.length - 50)) }));
  assert.equal(until[0], all[0]);
  assert.ok(until.at(-1)! < all.at(-50)! && until.at(-1)! >= all.at(-500)!, `until ended at ${until.at(-1)}`);
});

test('compress gzips rotated files and logs reads them', async () => {
  const N = 30000;
  const id = await create({ Cmd: printer(N), HostConfig: { LogConfig: { Type: 'local', Config: { 'max-size': '1m', 'max-file': '4' } } } });
  const logPath = (await api().call('GET', `/containers/${id}/json`)).LogPath as string;
  await api().call('POST', `/containers/${id}/start`);
  await api().call('POST', `/containers/${id}/wait`);
  assert.ok(existsSync(`${logPath}.1.gz`), 'the rotated file is compressed');
  const all = sequence(await logs(id));
  assert.equal(all.at(-1), N);
  assert.ok(all.length > 12000, `kept ${all.length} lines`);
});

test('the none driver keeps no log, and logs says so', async () => {
  const id = await create({ Cmd: ['echo', 'hi'], HostConfig: { LogConfig: { Type: 'none' } } });
  const logPath = (await api().call('GET', `/containers/${id}/json`)).LogPath as string;
  await api().call('POST', `/containers/${id}/start`);
  await api().call('POST', `/containers/${id}/wait`);
  assert.ok(!existsSync(logPath));
  await assert.rejects(logs(id), (err: ApiError) => err.status === 400 && /does not support reading/.test(err.message));
});

test('a bad max-size fails at create', async () => {
  await assert.rejects(
    create({ Cmd: ['true'], HostConfig: { LogConfig: { Type: 'json-file', Config: { 'max-size': 'lots' } } } }),
    (err: ApiError) => err.status === 400,
  );
});
