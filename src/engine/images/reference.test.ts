import { test } from 'node:test';
import assert from 'node:assert/strict';
import { familiarString, parseNormalizedNamed, referenceString, registryHost, tagNameOnly } from './reference.js';

const D = 'sha256:' + 'a'.repeat(64);

const valid: [string, string, string][] = [
  // input, normalised with default tag, familiar
  ['nginx', 'docker.io/library/nginx:latest', 'nginx:latest'],
  ['nginx:1.25', 'docker.io/library/nginx:1.25', 'nginx:1.25'],
  ['library/nginx', 'docker.io/library/nginx:latest', 'nginx:latest'],
  ['docker.io/nginx', 'docker.io/library/nginx:latest', 'nginx:latest'],
  ['index.docker.io/library/nginx', 'docker.io/library/nginx:latest', 'nginx:latest'],
  ['user/app:v1', 'docker.io/user/app:v1', 'user/app:v1'],
  ['localhost/x', 'localhost/x:latest', 'localhost/x:latest'],
  ['localhost:5000/x', 'localhost:5000/x:latest', 'localhost:5000/x:latest'],
  ['127.0.0.1:5000/library/nginx', '127.0.0.1:5000/library/nginx:latest', '127.0.0.1:5000/library/nginx:latest'],
  ['host:5000/a/b:tag', 'host:5000/a/b:tag', 'host:5000/a/b:tag'],
  ['Example.com/a/b', 'Example.com/a/b:latest', 'Example.com/a/b:latest'],
  [`busybox@${D}`, `docker.io/library/busybox@${D}`, `busybox@${D}`],
  [`busybox:1@${D}`, `docker.io/library/busybox:1@${D}`, `busybox:1@${D}`],
  ['a__b-c---d/f_g.h', 'docker.io/a__b-c---d/f_g.h:latest', 'a__b-c---d/f_g.h:latest'],
  ['[::1]:5000/x', '[::1]:5000/x:latest', '[::1]:5000/x:latest'],
];

test('parseNormalizedNamed normalises and familiarises as Docker does', () => {
  for (const [input, norm, fam] of valid) {
    const ref = tagNameOnly(parseNormalizedNamed(input));
    assert.equal(referenceString(ref), norm, input);
    assert.equal(familiarString(ref), fam, input);
  }
});

const invalid: [string, string][] = [
  ['Nginx', 'invalid reference format: repository name (library/Nginx) must be lowercase'],
  ['docker.io/Nginx', 'invalid reference format: repository name (library/Nginx) must be lowercase'],
  ['user/App', 'invalid reference format: repository name (user/App) must be lowercase'],
  ['nginx:', 'invalid reference format'],
  ['nginx::1', 'invalid reference format'],
  [':tag', 'invalid reference format'],
  ['-nginx', 'invalid reference format'],
  ['nginx/', 'invalid reference format'],
  ['a//b', 'invalid reference format'],
  ['nginx@sha256:abc', 'invalid reference format'],
  ['nginx@sha256:' + 'a'.repeat(40), 'invalid checksum digest length'],
  ['a'.repeat(64), `invalid repository name (${'a'.repeat(64)}), cannot specify 64-byte hexadecimal strings`],
  ['x:' + 't'.repeat(129), 'invalid reference format'],
  ['a/' + 'b'.repeat(260), 'invalid reference format: repository name must not be more than 255 characters'],
];

test('parseNormalizedNamed rejects with Docker messages', () => {
  for (const [input, msg] of invalid) {
    assert.throws(() => parseNormalizedNamed(input), { message: msg }, input);
  }
});

test('registryHost maps docker.io to its API host', () => {
  assert.equal(registryHost('docker.io'), 'registry-1.docker.io');
  assert.equal(registryHost('127.0.0.1:5000'), '127.0.0.1:5000');
});
