import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { hasIgnoreExceptions, ignoredBy, matchGlob } from './path-glob.js';

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

test('.dockerignore: ** spans any number of directories (none too), paths are cleaned, # only at the start', () => {
  const lines = ['**/*.go', 'docs/**/draft', './build/', 'a/*/c', ' #notcomment', '**/tmp*'];
  assert.equal(ignoredBy('main.go', lines), true);
  assert.equal(ignoredBy('x/y/main.go', lines), true);
  assert.equal(ignoredBy('docs/draft', lines), true);
  assert.equal(ignoredBy('docs/a/b/draft/file', lines), true);
  assert.equal(ignoredBy('docs/final', lines), false);
  assert.equal(ignoredBy('build/out/bin', lines), true);
  assert.equal(ignoredBy('a/b/c', lines), true);
  assert.equal(ignoredBy('a/b/x/c', lines), false);
  assert.equal(ignoredBy('#notcomment', lines), true);
  assert.equal(ignoredBy('deep/tmpfile', lines), true);
  assert.equal(hasIgnoreExceptions(lines), false);
  assert.equal(hasIgnoreExceptions([...lines, '!keep']), true);
});
