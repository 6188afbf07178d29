import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { silentLogger } from '../../common/logger.js';
import { BatchWorker, IP_DIALECT, NFT_DIALECT } from './batch-worker.js';

// The long-lived ip/nft workers: replies in order, errors attributed to the right request,
// recovery after the process dies. Only read-only commands and a table of its own.

test('ip worker: replies in order and reports each request its own errors', async () => {
  const ip = new BatchWorker(IP_DIALECT, silentLogger);
  try {
    const results = await Promise.allSettled([
      ip.run(['link show dev lo']),
      ip.run(['link show dev bwnosuch1', 'link show dev lo']),
      ip.run(['addr show dev lo']),
    ]);
    assert.equal(results[0]!.status, 'fulfilled');
    assert.equal(results[1]!.status, 'rejected');
    assert.match(String((results[1] as PromiseRejectedResult).reason.message), /Device "bwnosuch1" does not exist/);
    assert.equal(results[2]!.status, 'fulfilled');
  } finally {
    ip.close();
  }
});

test('a worker that dies fails its request, and the next request starts a new one', async () => {
  const ip = new BatchWorker(IP_DIALECT, silentLogger);
  try {
    const first = ip.pid();
    process.kill(first, 'SIGKILL');
    await assert.rejects(ip.run(['link show dev lo']), /exited|closed|does not exist/);
    await ip.run(['link show dev lo']);
    assert.notEqual(ip.pid(), first);
  } finally {
    ip.close();
  }
});

test('nft worker: one transaction per request, errors reported', async () => {
  execFileSync('nft', ['-f', '-'], { input: 'table ip bwtest {\n map m { type inet_proto . inet_service : ipv4_addr . inet_service; }\n}\n' });
  const nft = new BatchWorker(NFT_DIALECT, silentLogger);
  try {
    await nft.run(['add element ip bwtest m { tcp . 1001 : 10.0.0.1 . 80 }', 'add element ip bwtest m { udp . 1002 : 10.0.0.1 . 53 }']);
    const listed = execFileSync('nft', ['list', 'map', 'ip', 'bwtest', 'm'], { encoding: 'utf8' });
    assert.match(listed, /tcp \. 1001 : 10\.0\.0\.1 \. 80/);
    assert.match(listed, /udp \. 1002 : 10\.0\.0\.1 \. 53/);
    // The second command fails, so the first of the same request is not applied either.
    await assert.rejects(nft.run(['add element ip bwtest m { tcp . 1003 : 10.0.0.1 . 80 }', 'add element ip bwnosuch m { tcp . 1 : 10.0.0.1 . 1 }']), /No such file/);
    assert.doesNotMatch(execFileSync('nft', ['list', 'map', 'ip', 'bwtest', 'm'], { encoding: 'utf8' }), /1003/);
    await nft.run(['delete element ip bwtest m { tcp . 1001 }']);
    assert.doesNotMatch(execFileSync('nft', ['list', 'map', 'ip', 'bwtest', 'm'], { encoding: 'utf8' }), /1001/);
  } finally {
    nft.close();
    execFileSync('nft', ['delete', 'table', 'ip', 'bwtest']);
  }
});

test('a worker with recycleAfter ends its process once idle after that many requests, and the next request starts a new one', async () => {
  const ip = new BatchWorker(IP_DIALECT, silentLogger, undefined, 2);
  try {
    const first = ip.pid();
    await Promise.all([ip.run(['link show dev lo']), ip.run(['link show dev lo']), ip.run(['link show dev lo'])]);
    // All three were queued on the first process: it ends only once the queue has drained. A
    // request sent while it is still exiting goes to its successor, and its exit fails nothing.
    await ip.run(['link show dev lo']);
    const second = ip.pid();
    assert.notEqual(second, first);
    const exited = await new Promise<boolean>((resolve) => {
      const poll = setInterval(() => {
        try {
          process.kill(first, 0);
        } catch {
          clearInterval(poll);
          resolve(true);
        }
      }, 20);
      setTimeout(() => (clearInterval(poll), resolve(false)), 5000).unref();
    });
    assert.ok(exited, 'the recycled ip process exits');
    assert.equal(ip.pid(), second, 'one request on the new process: not recycled yet');
  } finally {
    ip.close();
  }
});
