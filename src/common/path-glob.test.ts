import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { ignoredBy, matchGlob } from './path-glob.js';

const root = mkdtempSync(join(tmpdir(), 'berth-glob-'));
after(() => rmSync(root, { recursive: true, force: true }));

test('COPY sources: plain paths, wildcards in any segment, the context itself, nothing outside it', () => {
  mkdirSync(join(root, 'src/a'), { recursive: true });
  for (const f of ['x.txt', 'y.txt', 'z.md', 'src/a/one.js', 'src/two.js']) writeFileSync(join(root, f), f);
  assert.deepEqual(matchGlob(root, 'x.txt'), ['x.txt']);
  assert.deepEqual(matchGlob(root, '*.txt'), ['x.txt', 'y.txt']);
  assert.deepEqual(matchGlob(root, 'src/*/o?e.js'), ['src/a/one.js']);
  assert.deepEqual(matchGlob(root, '[xz].*'), ['x.txt', 'z.md']);
  assert.deepEqual(matchGlob(root, '.'), ['.']);
  assert.deepEqual(matchGlob(root, './src/'), ['src']);
  assert.deepEqual(matchGlob(root, 'missing'), []);
  assert.deepEqual(matchGlob(root, '../etc/passwd'), []);
});

test('.dockerignore: last match wins, ! re-includes, a directory covers its contents', () => {
  const lines = ['ignored', 'Dockerfile', ' .dockerignore ', '!ignored/keep', '#comment', '*.log'];
  assert.equal(ignoredBy('.dockerignore', lines), true);
  assert.equal(ignoredBy('Dockerfile', lines), true);
  assert.equal(ignoredBy('ignored/sub/file', lines), true);
  assert.equal(ignoredBy('ignored/keep', lines), false);
  assert.equal(ignoredBy('a.log', lines), true);
  assert.equal(ignoredBy('#comment', lines), false);
  assert.equal(ignoredBy('src/main.c', lines), false);
});
