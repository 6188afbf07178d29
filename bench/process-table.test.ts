import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { descendantsOf, describeProcesses, listProcesses, totalRssMiB } from './process-table.js';

test('a sleeping child shows up as a descendant of this process, with its RSS', async () => {
  const child = spawn('sleep', ['30'], { stdio: 'ignore' });
  try {
    await new Promise((r) => child.once('spawn', r));
    const table = listProcesses();
    const mine = descendantsOf([process.pid], table);
    const sleeper = mine.find((p) => p.pid === child.pid);
    assert.ok(sleeper, 'child found');
    assert.equal(sleeper.ppid, process.pid);
    assert.deepEqual(sleeper.argv, ['sleep', '30']);
    assert.ok(sleeper.rssKiB > 0);
    assert.ok(totalRssMiB(mine) > 10, 'node itself is tens of MiB');
    assert.match(describeProcesses(mine), /sleep×1/);
    assert.match(describeProcesses([sleeper], true), /^sleep×1 \d+\.\d MiB$/);
  } finally {
    child.kill('SIGKILL');
  }
});
