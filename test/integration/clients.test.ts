import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import Docker from 'dockerode';
import { run, TEST_HOST, TEST_SOCKET } from '../helpers/daemon.js';

// Real client libraries running containers against berthd, as their users would.

const BUSYBOX = '127.0.0.1:5000/library/busybox:latest';

test('docker-py: containers.run returns the output; detach, exec_run, logs, stop, wait, remove', async () => {
  const py = `
import docker
c = docker.DockerClient(base_url='${TEST_HOST}')
c.images.pull('${BUSYBOX}')
print(c.containers.run('${BUSYBOX}', 'echo hi', remove=True))
ct = c.containers.run('${BUSYBOX}', 'sh -c "echo x; sleep 30"', detach=True)
print(c.containers.get(ct.id).status)
print(ct.exec_run('sh -c "echo e; exit 2"'))
ct.stop(timeout=1)
print(ct.wait()['StatusCode'])
print(ct.logs())
ct.remove()
try:
    c.containers.run('${BUSYBOX}', 'sh -c "exit 3"', remove=True)
except docker.errors.ContainerError as e:
    print('ContainerError', e.exit_status)
`;
  const r = await run('python3', ['-c', py]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(r.stdout.trim().split('\n'), ["b'hi\\n'", 'running', "ExecResult(exit_code=2, output=b'e\\n')", '137', "b'x\\n'", 'ContainerError 3']);
});

test('dockerode: run streams the output and reports the exit code', async () => {
  const d = new Docker({ socketPath: TEST_SOCKET });
  const out = new PassThrough();
  let text = '';
  out.on('data', (b: Buffer) => (text += b.toString()));
  const [result, container] = await d.run(BUSYBOX, ['sh', '-c', 'echo from-dockerode; exit 4'], out);
  assert.equal(result.StatusCode, 4);
  // dockerode runs with a TTY by default: the terminal turns \n into \r\n, as with Docker.
  assert.equal(text, 'from-dockerode\r\n');
  await container.remove();
});
