import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import { Writable } from 'node:stream';
import { stepTimer } from './step-timer.js';

test('a step timer logs each step and the total once, at debug only', () => {
  const lines: any[] = [];
  const sink = new Writable({ write: (c, _e, cb) => (lines.push(JSON.parse(String(c))), cb()) });
  const t = stepTimer(pino({ level: 'debug' }, sink), 'start', 'abc');
  t.mark('rootfs');
  t.mark('runtime');
  t.done();
  assert.equal(lines.length, 1);
  assert.deepEqual(Object.keys(lines[0].steps), ['rootfs', 'runtime']);
  assert.equal(lines[0].op, 'start');
  assert.ok(lines[0].ms >= 0);
  const quiet = stepTimer(pino({ level: 'info' }, sink), 'start', 'abc');
  quiet.mark('x');
  quiet.done();
  assert.equal(lines.length, 1);
});
