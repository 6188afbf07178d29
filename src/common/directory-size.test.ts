import { test } from 'node:test';
import assert from 'node:assert/strict';
import { linkSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { directorySize, directorySizeAsync, pathSize } from './directory-size.js';

test('a directory is sized as dockerd does: apparent bytes of non-directories, hard links once', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'berth-dirsize-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  mkdirSync(join(root, 'a', 'b'), { recursive: true });
  writeFileSync(join(root, 'a', 'b', 'f'), Buffer.alloc(1000));
  linkSync(join(root, 'a', 'b', 'f'), join(root, 'a', 'g'));
  symlinkSync('1234567', join(root, 'l'));
  writeFileSync(join(root, 'sparse'), '');
  truncateSync(join(root, 'sparse'), 5_000_000);
  const expected = 1000 + 7 + 5_000_000;
  assert.equal(directorySize(root), expected);
  assert.equal(await directorySizeAsync(root), expected);
  assert.equal(pathSize(join(root, 'l')), 7);
  assert.equal(directorySize(join(root, 'missing')), 0);
  assert.equal(await directorySizeAsync(join(root, 'missing')), 0);
});
