import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSshHost, sshArgs } from './ssh-connection.js';

test('ssh URLs become the docker CLI ssh arguments, the socket path passed to the remote CLI', () => {
  assert.deepEqual(parseSshHost('ssh://root@vps.example:2222/run/berth/berth.sock'), { user: 'root', host: 'vps.example', port: '2222', socket: '/run/berth/berth.sock' });
  assert.deepEqual(parseSshHost('ssh://vps'), { user: undefined, host: 'vps', port: undefined, socket: undefined });
  const args = sshArgs(parseSshHost('ssh://me@h:22/x.sock'));
  assert.deepEqual(args.slice(0, 9), ['-o', 'ConnectTimeout=30', '-T', '-l', 'me', '-p', '22', '--', 'h']);
  assert.match(args[9]!, /exec berth --host unix:\/\/\/x\.sock system dial-stdio; else exec docker --host unix:\/\/\/x\.sock system dial-stdio/);
  assert.throws(() => parseSshHost('ssh://u:pw@h'), /password/);
});
