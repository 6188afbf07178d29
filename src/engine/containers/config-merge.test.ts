import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mergeImageConfig, validateContainerName } from './config-merge.js';

const image = {
  Env: ['PATH=/usr/bin', 'A=image'],
  Cmd: ['nginx', '-g', 'daemon off;'],
  Entrypoint: ['/docker-entrypoint.sh'],
  ExposedPorts: { '80/tcp': {} },
  Labels: { a: 'image', b: 'image' },
  StopSignal: 'SIGQUIT',
  WorkingDir: '/srv',
};

test('image Cmd and Entrypoint fill in when the user gave neither', () => {
  const c = mergeImageConfig({}, image);
  assert.deepEqual(c.Cmd, ['nginx', '-g', 'daemon off;']);
  assert.deepEqual(c.Entrypoint, ['/docker-entrypoint.sh']);
  assert.equal(c.StopSignal, 'SIGQUIT');
  assert.equal(c.WorkingDir, '/srv');
});

test('a user Cmd keeps the image Entrypoint; a user Entrypoint drops the image Cmd', () => {
  assert.deepEqual(mergeImageConfig({ Cmd: ['sh'] }, image).Entrypoint, ['/docker-entrypoint.sh']);
  const c = mergeImageConfig({ Entrypoint: ['/bin/echo'] }, image);
  assert.deepEqual(c.Entrypoint, ['/bin/echo']);
  assert.equal(c.Cmd, undefined);
});

test('env and labels merge key by key with the user winning', () => {
  const c = mergeImageConfig({ Env: ['A=user', 'B=2'], Labels: { b: 'user' } }, image);
  assert.deepEqual(c.Env, ['PATH=/usr/bin', 'A=user', 'B=2']);
  assert.deepEqual(c.Labels, { a: 'image', b: 'user' });
});

test('no command anywhere is refused; names follow Docker\'s rule', () => {
  assert.throws(() => mergeImageConfig({}, {}), /no command specified/);
  assert.equal(validateContainerName('web-1'), '/web-1');
  assert.throws(() => validateContainerName('-bad'), /Invalid container name \(-bad\)/);
  assert.throws(() => validateContainerName('a'), /Invalid container name/);
});

test('an empty entrypoint means none, as moby reads each shape of it', () => {
  // [""] (`--entrypoint ''`, or the string "" of old clients): the image's is dropped, Cmd runs as given.
  for (const e of [[''], '']) {
    const c = mergeImageConfig({ Entrypoint: e, Cmd: ['echo', 'hi'] }, image);
    assert.equal(c.Entrypoint, null);
    assert.deepEqual(c.Cmd, ['echo', 'hi']);
  }
  // [""] is a given entrypoint for the merge: the image's Cmd is not taken, so nothing is left to run.
  assert.throws(() => mergeImageConfig({ Entrypoint: [''] }, image), /no command specified/);
  // []: no entrypoint either, but the image's Cmd fills in.
  const empty = mergeImageConfig({ Entrypoint: [] }, image);
  assert.deepEqual(empty.Entrypoint, []);
  assert.deepEqual(empty.Cmd, ['nginx', '-g', 'daemon off;']);
  // null: the image's entrypoint.
  assert.deepEqual(mergeImageConfig({ Entrypoint: null, Cmd: ['x'] }, image).Entrypoint, ['/docker-entrypoint.sh']);
  // A string Cmd is one argument (strslice), not split.
  assert.deepEqual(mergeImageConfig({ Cmd: 'echo hi' }, {}).Cmd, ['echo hi']);
});
