import { test } from 'node:test';
import assert from 'node:assert/strict';
import { normalizeMirror } from './registry-mirrors.js';

test('mirrors are checked and normalised as dockerd does', () => {
  assert.equal(normalizeMirror('http://127.0.0.1:5000'), 'http://127.0.0.1:5000/');
  assert.equal(normalizeMirror('https://mirror.gcr.io/'), 'https://mirror.gcr.io/');
  assert.throws(() => normalizeMirror('ftp://x.example'), { message: 'invalid mirror: unsupported scheme "ftp" in "ftp://x.example"' });
  assert.throws(() => normalizeMirror('127.0.0.1:5000'), /^InvalidArgumentError|invalid mirror/);
  assert.throws(() => normalizeMirror('http://m.example/v2'), { message: 'invalid mirror: path, query, or fragment at end of the URI "http://m.example/v2"' });
  assert.throws(() => normalizeMirror('https://u:secret@m.example'), { message: 'invalid mirror: username/password not allowed in URI "https://u:xxxxx@m.example"' });
  assert.throws(() => normalizeMirror('not a url'), { message: 'invalid mirror: "not a url" is not a valid URI' });
});
