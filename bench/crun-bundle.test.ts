import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { runCommand } from './command.js';
import { CrunBundle } from './crun-bundle.js';
import { findExecutable } from './find-executable.js';

const crun = findExecutable('crun');

test('crun runs the prepared busybox bundle, exits 0 and leaves no container behind', { skip: !crun || !existsSync('/bin/busybox') }, async () => {
  const bundle = await CrunBundle.create(crun!, ['/bin/true']);
  const id = `berth-bench-test-${process.pid}`;
  try {
    const r = await runCommand(bundle.runArgv(id));
    assert.equal(r.code, 0, r.stderr);
    const state = await runCommand([crun!, 'state', id]);
    assert.notEqual(state.code, 0, 'container deleted after run');
  } finally {
    await runCommand([crun!, 'delete', '-f', id]);
    bundle.remove();
  }
  assert.equal(existsSync(bundle.dir), false);
});
