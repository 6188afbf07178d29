import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConsoleSessions } from './sessions.js';

test('a token signs in once, and a session carries its role and CSRF token', () => {
  const s = new ConsoleSessions();
  const { token } = s.mintToken('readonly');
  const session = s.signIn(token, '127.0.0.1')!;
  assert.equal(session.role, 'readonly');
  assert.equal(s.get(session.id), session);
  assert.ok(s.checkCsrf(session, session.csrf));
  assert.ok(!s.checkCsrf(session, 'forged'));
  assert.ok(!s.checkCsrf(session, undefined));
  assert.equal(s.signIn(token, '127.0.0.1'), undefined, 'a used token is gone');
  s.signOut(session.id);
  assert.equal(s.get(session.id), undefined);
});

test('tokens and sessions expire', () => {
  let now = 1000;
  const s = new ConsoleSessions({ now: () => now, tokenTtlMs: 100, sessionTtlMs: 1000 });
  const late = s.mintToken();
  now += 101;
  assert.equal(s.signIn(late.token, 'a'), undefined);
  const session = s.signIn(s.mintToken().token, 'b')!;
  now += 1001;
  assert.equal(s.get(session.id), undefined);
});

test('wrong tokens are limited per address for the window', () => {
  let now = 0;
  const s = new ConsoleSessions({ now: () => now, maxFailures: 3, failureWindowMs: 1000 });
  for (let i = 0; i < 3; i++) assert.equal(s.signIn('wrong', '10.0.0.1'), undefined);
  assert.ok(s.limited('10.0.0.1'));
  const good = s.mintToken();
  assert.equal(s.signIn(good.token, '10.0.0.1'), undefined, 'even a good token waits out the window');
  assert.ok(!s.limited('10.0.0.2'));
  now += 1001;
  assert.ok(s.signIn(good.token, '10.0.0.1'));
});
