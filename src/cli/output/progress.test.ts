import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { JsonMessageError, parseJsonMessages, progressString, renderJsonMessages } from './progress.js';
import type { JsonMessage } from './progress.js';

const pull: JsonMessage[] = [
  { status: 'Pulling from library/busybox', id: 'latest' },
  { status: 'Pulling fs layer', progressDetail: {}, id: 'aaa111' },
  { status: 'Pulling fs layer', progressDetail: {}, id: 'bbb222' },
  { status: 'Downloading', progressDetail: { current: 12345678, total: 55712345 }, progress: '[==>   ]', id: 'aaa111' },
  { status: 'Download complete', progressDetail: {}, id: 'bbb222' },
  { status: 'Pull complete', progressDetail: {}, id: 'aaa111' },
  { status: 'Digest: sha256:abc' },
];

async function render(messages: object[], isTTY: boolean): Promise<string> {
  let out = '';
  const sink = new Writable({ write: (chunk, _enc, cb) => ((out += String(chunk)), cb()) });
  async function* gen() {
    yield* messages;
  }
  await renderJsonMessages(gen(), sink, { isTTY, columns: 150 });
  return out;
}

test('plain output drops progress bars (as docker pull | cat)', async () => {
  assert.equal(await render(pull, false), 'latest: Pulling from library/busybox\naaa111: Pulling fs layer\nbbb222: Pulling fs layer\nbbb222: Download complete\naaa111: Pull complete\nDigest: sha256:abc\n');
});

test('terminal output rewrites one line per layer (bytes as docker v28 writes them)', async () => {
  const E = '\x1b[';
  assert.equal(
    await render(pull, true),
    'latest: Pulling from library/busybox\n' +
      `\n${E}1A${E}2K\raaa111: Pulling fs layer \r${E}1B` +
      `\n${E}1A${E}2K\rbbb222: Pulling fs layer \r${E}1B` +
      `${E}2A${E}2K\raaa111: Downloading [===========>                                       ]  12.35MB/55.71MB\r${E}2B` +
      `${E}1A${E}2K\rbbb222: Download complete \r${E}1B` +
      `${E}2A${E}2K\raaa111: Pull complete \r${E}2B` +
      'Digest: sha256:abc\n',
  );
});

test('progress strings', () => {
  assert.equal(progressString({ current: 1000, total: 2000 }, 150), '[=========================>                         ]      1kB/2kB');
  assert.equal(progressString({ current: 1000, total: 2000 }, 80), '     1kB/2kB');
  assert.equal(progressString({ current: 3000, total: 2000 }, 80), '     3kB');
  assert.equal(progressString({ current: 5, total: 10, units: 'layers' }, 80), '5/10 layers');
  assert.equal(progressString({}, 150), '');
});

test('errors end the stream with the daemon message', async () => {
  await assert.rejects(render([{ status: 'x' }, { errorDetail: { message: 'manifest unknown' }, error: 'manifest unknown' }], false), (e: Error) => e instanceof JsonMessageError && e.message === 'manifest unknown');
  await assert.rejects(render([{ errorDetail: { code: 401, message: 'no' } }], true), { message: 'authentication is required' });
});

test('parses NDJSON split across chunks', async () => {
  async function* body() {
    yield Buffer.from('{"status":"a"}\r\n{"sta');
    yield Buffer.from('tus":"b"}\n');
  }
  const got: JsonMessage[] = [];
  for await (const m of parseJsonMessages(body())) got.push(m);
  assert.deepEqual(got, [{ status: 'a' }, { status: 'b' }]);
});
