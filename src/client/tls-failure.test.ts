import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tlsFailure } from './api-client.js';

test('TLS failures are worded as docker words them', () => {
  const alert = Object.assign(new Error('error:0A00045C:SSL routines:ssl3_read_bytes:tlsv13 alert certificate required:../x.c:1601:SSL alert number 116'), { code: 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED' });
  assert.equal(tlsFailure(alert, 'tcp://h:2376').message, 'error during connect: tcp://h:2376: remote error: tls: certificate required');
  assert.match(tlsFailure(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }), 'tcp://h:2376').message, /daemon closed the TLS connection/);
  assert.match(tlsFailure(Object.assign(new Error('self-signed certificate in certificate chain'), { code: 'SELF_SIGNED_CERT_IN_CHAIN' }), 'tcp://h').message, /failed to verify the daemon's certificate/);
});
