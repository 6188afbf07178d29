import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../common/logger.js';
import { capOwnLog } from './own-log-cap.js';

test('a log file opened for appending is kept under 10 MiB; the old part goes to FILE.1', () => {
  const dir = mkdtempSync(join(tmpdir(), 'own-log-'));
  const file = join(dir, 'berthd.log');
  const fd = openSync(file, 'a');
  writeSync(fd, Buffer.alloc(11 * 1024 * 1024, 'a'));
  capOwnLog(silentLogger, fd)();
  writeSync(fd, 'after\n');
  assert.equal(readFileSync(file, 'utf8'), 'after\n');
  assert.equal(statSync(`${file}.1`).size, 11 * 1024 * 1024);
  closeSync(fd);
  rmSync(dir, { recursive: true });
});

test('a file written without O_APPEND is left alone', () => {
  const dir = mkdtempSync(join(tmpdir(), 'own-log-'));
  const file = join(dir, 'berthd.log');
  const fd = openSync(file, 'w');
  writeSync(fd, Buffer.alloc(11 * 1024 * 1024, 'a'));
  capOwnLog(silentLogger, fd)();
  assert.equal(statSync(file).size, 11 * 1024 * 1024);
  closeSync(fd);
  rmSync(dir, { recursive: true });
});
