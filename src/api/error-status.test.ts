import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InvalidArgumentError, SystemError } from '../common/errors.js';
import { silentLogger } from '../common/logger.js';
import { HttpError, publicError, statusOf, streamErrorMessage } from './error-status.js';

test("berth's own errors keep their message; JavaScript internals never reach the client", () => {
  assert.deepEqual(publicError(new InvalidArgumentError('bad')), { message: 'bad' });
  assert.deepEqual(publicError(new SystemError('failed to start container: x')), { message: 'failed to start container: x' });
  assert.deepEqual(publicError(new HttpError(413, 'too large')), { message: 'too large' });
  const internal = publicError(new TypeError('mode.startsWith is not a function'));
  assert.equal(statusOf(new TypeError('x')), 500);
  assert.doesNotMatch(internal.message, /startsWith/);
  assert.match(internal.message, /^internal error in berthd \(error id [0-9a-f]{12};/);
  assert.ok(internal.message.includes(internal.errorId!));
});

test('a name too long for the file system is the client’s fault, without host paths', () => {
  const err = Object.assign(new Error("ENAMETOOLONG: name too long, mkdir '/var/lib/berth/volumes/xxx'"), { code: 'ENAMETOOLONG' });
  assert.equal(statusOf(err), 400);
  assert.deepEqual(publicError(err), { message: 'file name too long' });
});

test('inside a stream, a failure of the work keeps its words; a JavaScript internal does not', () => {
  assert.equal(streamErrorMessage(new Error('The command returned a non-zero code: 1'), silentLogger), 'The command returned a non-zero code: 1');
  assert.equal(streamErrorMessage(new SystemError('manifest unknown'), silentLogger), 'manifest unknown');
  assert.match(streamErrorMessage(new TypeError("Cannot read properties of undefined (reading 'x')"), silentLogger), /^internal error in berthd/);
});

test('a full disk is told as such (500, without host paths), not as an internal error', () => {
  const err = Object.assign(new Error("ENOSPC: no space left on device, write '/var/lib/berth/containers/x/upper/f'"), { code: 'ENOSPC' });
  assert.equal(statusOf(err), 500);
  assert.deepEqual(publicError(err), { message: 'no space left on device' });
  assert.deepEqual(publicError(Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' })).errorId, undefined);
});
