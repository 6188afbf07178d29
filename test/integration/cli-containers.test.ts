import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { berth, docker, ROOT, run, TEST_HOST } from '../helpers/daemon.js';

// The berth CLI's container commands end to end against the test daemon, with real containers
// from the fixture image; `ps` and `inspect` are compared with the real docker CLI's output.

const IMAGE = '127.0.0.1:5000/library/busybox';
const NAME = `berth-cli-it-${process.pid}`;
const created = new Set<string>();

after(async () => {
  if (created.size) await berth('rm', '-f', ...created);
});

test('run --rm prints the output and exits 0', async () => {
  const r = await berth('run', '--rm', IMAGE, 'echo', 'hi');
  assert.equal(r.stdout, 'hi\n', r.stderr);
  assert.equal(r.code, 0);
});

test('run ends with the container exit code and keeps stdout and stderr apart', async () => {
  const r = await berth('run', '--rm', IMAGE, 'sh', '-c', 'echo out; echo err >&2; exit 3');
  assert.equal(r.code, 3);
  assert.equal(r.stdout, 'out\n');
  assert.equal(r.stderr, 'err\n');
});

test('run of a missing command exits 127 with docker wording', async () => {
  const r = await berth('run', '--rm', IMAGE, 'nosuch');
  assert.equal(r.code, 127);
  assert.match(r.stderr, /^berth: Error response from daemon: .*nosuch/);
  assert.match(r.stderr, /Run 'berth run --help' for more information\n$/);
});

test('run -i passes stdin through', async () => {
  const r = await run(process.execPath, [`${ROOT}/dist/berth.mjs`, '-H', TEST_HOST, 'run', '--rm', '-i', IMAGE, 'cat'], { input: 'piped\n' });
  assert.equal(r.stdout, 'piped\n', r.stderr);
  assert.equal(r.code, 0);
});

test('run -d, then logs, exec, ps, port, stop, wait, rm', async () => {
  const d = await berth('run', '-d', '--name', NAME, '-l', 'suite=cli', IMAGE, 'sh', '-c', 'echo started; echo e1 >&2; exec sleep 300');
  assert.equal(d.code, 0, d.stderr);
  const id = d.stdout.trim();
  assert.match(id, /^[0-9a-f]{64}$/);
  created.add(NAME);

  for (let i = 0; i < 50; i++) {
    if ((await berth('logs', NAME)).stdout.includes('started')) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const logs = await berth('logs', NAME);
  assert.equal(logs.stdout, 'started\n');
  assert.equal(logs.stderr, 'e1\n');

  const ex = await berth('exec', NAME, 'sh', '-c', 'echo in-exec; exit 4');
  assert.equal(ex.stdout, 'in-exec\n');
  assert.equal(ex.code, 4);

  // CREATED and STATUS are relative times: the two listings agree once both land in the same second.
  let ps = await berth('ps', '--filter', `name=${NAME}`);
  let dps = await docker('ps', '--filter', `name=${NAME}`);
  for (let i = 0; i < 5 && ps.stdout !== dps.stdout; i++) {
    ps = await berth('ps', '--filter', `name=${NAME}`);
    dps = await docker('ps', '--filter', `name=${NAME}`);
  }
  assert.equal(ps.stdout, dps.stdout);
  assert.match(ps.stdout, new RegExp(`^CONTAINER ID   IMAGE .*\\n${id.slice(0, 12)}   ${IMAGE.replace(/[.]/g, '\\.')}   "sh -c 'echo started…"   .*${NAME}\\n$`));
  assert.equal((await berth('ps', '-q', '--no-trunc', '--filter', `name=${NAME}`)).stdout, `${id}\n`);
  assert.equal((await berth('ps', '--format', '{{.Names}} {{.Label "suite"}}', '--filter', `name=${NAME}`)).stdout, `${NAME} cli\n`);

  const inspect = await berth('inspect', NAME);
  assert.equal(inspect.stdout, (await docker('inspect', NAME)).stdout);
  assert.equal(JSON.parse(inspect.stdout)[0].Id, id);
  assert.equal((await berth('inspect', '-f', '{{.State.Running}}', NAME)).stdout, 'true\n');

  assert.equal((await berth('stop', '-t', '1', NAME)).stdout, `${NAME}\n`);
  assert.equal((await berth('wait', NAME)).stdout, '137\n');
  assert.equal((await berth('ps', '-q', '--filter', `name=${NAME}`)).stdout, '');
  assert.equal((await berth('rm', NAME)).stdout, `${NAME}\n`);
  created.delete(NAME);
});

test('create then start -a streams the output and returns the exit status', async () => {
  const c = await berth('create', '--name', `${NAME}-c`, IMAGE, 'sh', '-c', 'echo from-start; exit 5');
  assert.equal(c.code, 0, c.stderr);
  created.add(`${NAME}-c`);
  const s = await berth('start', '-a', `${NAME}-c`);
  assert.equal(s.stdout, 'from-start\n');
  assert.equal(s.code, 5);
});

test('errors for several targets are each reported, exit 1', async () => {
  const r = await berth('rm', 'berth-cli-nosuch-1', 'berth-cli-nosuch-2');
  assert.equal(r.code, 1);
  assert.equal(r.stderr, 'Error response from daemon: No such container: berth-cli-nosuch-1\nError response from daemon: No such container: berth-cli-nosuch-2\n');
  const i = await berth('inspect', 'berth-cli-nosuch-1');
  assert.equal(i.code, 1);
  assert.equal(i.stdout, '[]\n');
  assert.equal(i.stderr, 'Error: No such object: berth-cli-nosuch-1\n');
});

test('berth stats --no-stream shows the table docker stats shows', async () => {
  const name = `${NAME}-stats`;
  const d = await berth('run', '-d', '--name', name, IMAGE, 'sleep', '60');
  assert.equal(d.code, 0, d.stderr);
  created.add(name);
  const table = await berth('stats', '--no-stream', name);
  assert.equal(table.code, 0, table.stderr);
  assert.match(table.stdout, /^CONTAINER ID +NAME +CPU % +MEM USAGE \/ LIMIT +MEM % +NET I\/O +BLOCK I\/O +PIDS\n[0-9a-f]{12} +berth-cli-it-\d+-stats +\d+\.\d\d% +[\d.]+[KMG]?i?B \/ [\d.]+[KMG]iB +\d+\.\d\d% +/);
  const mine = await berth('stats', '--no-stream', '--format', '{{.Name}} {{.PIDs}}', name);
  const theirs = await docker('stats', '--no-stream', '--format', '{{.Name}} {{.PIDs}}', name);
  assert.equal(mine.stdout, `${name} 1\n`);
  assert.equal(mine.stdout, theirs.stdout);
  assert.equal((await berth('stats', '--no-stream', 'no-such-container')).code, 1);
  await berth('rm', '-f', name);
});
