import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BuildError } from './build-types.js';
import { dispatch } from './dispatch-table.js';
import { BASE, build, fakeDeps, historyOf, options } from './testing/build-harness.js';
import type { BuildMessage } from './build-types.js';

// The build loop over the fakes: the errors Docker gives before and during the steps, RUN, the
// cache, quiet output, cancellation and the intermediate containers.

test('the errors before any step, in dockerd words', async () => {
  const d = fakeDeps();
  const fails = (files: Record<string, string>, message: string, o = {}) => assert.rejects(build(d, files, o), { message });
  await fails({ Dockerfile: `FROM ${BASE}\n` }, 'Cannot locate specified Dockerfile: Nope', { dockerfile: 'Nope' });
  await fails({ Dockerfile: '# only a comment\n\n' }, 'the Dockerfile (Dockerfile) cannot be empty');
  await fails({ Dockerfile: 'RUN true\n' }, 'failed to process "RUN true": no build stage in current context');
  await fails({ Dockerfile: 'ARG A=1\nRUN true\n' }, 'failed to process "RUN true": no build stage in current context');
  await fails({ Dockerfile: `FROM ${BASE}\nRUN true\nCOP a b\n` }, 'dockerfile parse error on line 3: unknown instruction: COP');
  await fails({ Dockerfile: `FROM ${BASE}\nCOPY --mode=1 a b\n` }, 'dockerfile parse error on line 2: unknown flag: mode');
  await fails({ Dockerfile: `FROM ${BASE}\nSHELL sh -c\n` }, 'dockerfile parse error on line 2: SHELL requires the arguments to be in JSON form');
  await fails({ Dockerfile: `FROM ${BASE}\nONBUILD ONBUILD RUN x\n` }, "dockerfile parse error on line 2: Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed");
});

test('the errors of a step', async () => {
  const d = fakeDeps();
  const fails = (df: string, message: string | RegExp) => assert.rejects(build(d, { Dockerfile: `FROM ${BASE}\n${df}\n`, a: 'a', b: 'b' }), { message });
  await fails('COPY http://example.test/x /x', "source can't be a URL for COPY");
  await fails('COPY nope /x', 'COPY failed: file not found in build context or excluded by .dockerignore: stat nope: file does not exist');
  await fails('ADD ../up /x', 'ADD failed: forbidden path outside the build context: ../up ()');
  await fails('COPY a b /dir', 'When using COPY with more than one source file, the destination must be a directory and end with a /');
  await fails('COPY --chmod=999 a /a', 'invalid chmod parameter: 999');
  await fails('COPY --from=0 /nope /x', /^COPY --from=0 failed: Could not find the file \/nope in container /);
  await fails('HEALTHCHECK --interval=5x CMD true', 'time: invalid duration "5x"');
  await fails('EXPOSE eighty', 'invalid containerPort: eighty');
  await fails('WORKDIR ${NOPE:?must be set}', 'failed to process "${NOPE:?must be set}": NOPE: must be set');
  await assert.rejects(build(d, { Dockerfile: 'ARG E\nFROM $E\n' }), { message: 'FROM requires either one or three arguments' });
});

test('an instruction without a handler is an unknown instruction', async () => {
  const d = fakeDeps();
  const b = { d, o: options(), context: '/nonexistent', escape: '\\', stages: [], metaArgs: {}, usedArgs: new Set<string>(), say: () => undefined, emit: () => undefined, cleanups: [] };
  const ins = { cmd: 'FOO', flags: {}, args: 'x', original: 'FOO x', line: 1 };
  await assert.rejects(dispatch(b, { ins, args: 'x', escape: '\\' }), { message: 'failed to process "FOO x": no build stage in current context' });
  const stage = { image: d.images.getImage(BASE), config: {}, args: {}, shell: ['/bin/sh', '-c'], cmdSet: false };
  await assert.rejects(dispatch({ ...b, stage }, { ins, args: 'x', escape: '\\' }), { message: 'unknown instruction: FOO' });
});

test('RUN: the command with the stage env, its output (stderr in red), a failure with its exit code', async () => {
  const d = fakeDeps();
  d.containers.runner = (cmd, env) => ({ stdout: `ran ${cmd.join(' ')} with ${env.join(',')}\n`, stderr: 'warn\n', writes: { '/made': 'yes' } });
  const ok = await build(d, { Dockerfile: `FROM ${BASE}\nENV X=1\nRUN ["make", "all"]\nRUN echo sh\n` });
  assert.match(ok.out, /^ran make all with PATH=\/usr\/bin:\/bin,X=1$/m);
  assert.match(ok.out, /^ran \/bin\/sh -c echo sh with /m);
  assert.ok(ok.out.includes('\x1b[91mwarn\n\x1b[0m'));
  assert.equal(d.images.files.get(ok.id)!.get('/made')?.data.toString(), 'yes');
  assert.deepEqual(historyOf(ok.image).slice(1), ['make all', '/bin/sh -c echo sh']);
  // Each step's container is created with the stage's config and removed after success (rm).
  assert.equal(d.containers.all.size, 0);

  d.containers.runner = () => ({ stdout: 'before\n', code: 3 });
  const messages: BuildMessage[] = [];
  const err = await build(d, { Dockerfile: `FROM ${BASE}\nRUN echo before; exit 3\n` }, {}, messages).catch((e: unknown) => e);
  assert.ok(err instanceof BuildError);
  assert.equal(err.message, "The command '/bin/sh -c echo before; exit 3' returned a non-zero code: 3");
  assert.equal(err.code, 3);
  assert.ok(messages.some((m) => m.stream === 'before\n'));
  // A failed step's container stays for inspection (rm without forcerm), as in Docker.
  assert.equal(d.containers.all.size, 1);
});

test('forcerm removes a failed step container; rm=false keeps a successful one', async () => {
  const d = fakeDeps();
  d.containers.runner = () => ({ code: 1 });
  await assert.rejects(build(d, { Dockerfile: `FROM ${BASE}\nRUN false\n` }, { forceRm: true }));
  assert.equal(d.containers.all.size, 0);
  d.containers.runner = () => ({});
  const r = await build(d, { Dockerfile: `FROM ${BASE}\nRUN true\n` }, { rm: false });
  assert.equal(d.containers.all.size, 1);
  assert.doesNotMatch(r.out, /Removed intermediate container/);
});

test('a rebuild uses the cache step by step; nocache and a config change do not; cache_from limits it', async () => {
  const d = fakeDeps();
  let runs = 0;
  d.containers.runner = () => {
    runs++;
    return {};
  };
  const files = { Dockerfile: `FROM ${BASE}\nENV A=1\nRUN build\nCOPY f /f\nCMD ["x"]\n`, f: 'one' };
  const first = await build(d, files);
  const again = await build(d, files);
  assert.equal(again.id, first.id);
  assert.equal((again.out.match(/Using cache/g) ?? []).length, 4);
  assert.equal(runs, 1);
  const changed = await build(d, { ...files, f: 'two' });
  assert.equal((changed.out.match(/Using cache/g) ?? []).length, 2);
  assert.notEqual(changed.id, first.id);
  const fresh = await build(d, files, { noCache: true });
  assert.doesNotMatch(fresh.out, /Using cache/);
  assert.equal(runs, 2);
  const scoped = await build(d, files, { cacheFrom: [BASE, 'registry.test/unknown:1'] });
  assert.doesNotMatch(scoped.out, /Using cache/);
  const fromFirst = await build(d, files, { cacheFrom: [first.id] });
  assert.equal((fromFirst.out.match(/Using cache/g) ?? []).length, 4);
});

test('quiet: only the id on success; the held output comes with an error', async () => {
  const d = fakeDeps();
  const ok = await build(d, { Dockerfile: `FROM ${BASE}\nLABEL a=1\n` }, { quiet: true, tags: ['registry.test/mine:1'] });
  assert.equal(ok.out, `${ok.id}\n`);
  assert.equal(d.images.getImage('registry.test/mine:1').id, ok.id);
  d.containers.runner = () => ({ stdout: 'held\n', code: 4 });
  const messages: BuildMessage[] = [];
  await assert.rejects(build(d, { Dockerfile: `FROM ${BASE}\nRUN exit 4\n` }, { quiet: true }, messages));
  assert.ok(messages.some((m) => m.stream === 'held\n'));
  assert.ok(messages.some((m) => m.stream === 'Step 2/2 : RUN exit 4\n'));
});

test('tags and the success lines', async () => {
  const d = fakeDeps();
  const r = await build(d, { Dockerfile: `FROM ${BASE}\nLABEL a=1\n` }, { tags: ['registry.test/a:1', 'registry.test/b:2'] });
  const short = r.id.replace(/^sha256:/, '').slice(0, 12);
  assert.ok(r.out.endsWith(`Successfully built ${short}\nSuccessfully tagged registry.test/a:1\nSuccessfully tagged registry.test/b:2\n`));
  assert.equal(d.images.getImage('registry.test/b:2').id, r.id);
});

test('an aborted build kills the running step, removes its container and stops', async () => {
  const d = fakeDeps();
  const ac = new AbortController();
  d.containers.runner = () => {
    ac.abort();
    return new Promise(() => undefined);
  };
  const err = await build(d, { Dockerfile: `FROM ${BASE}\nRUN sleep 600\nRUN never\n` }, { signal: ac.signal }).catch((e: unknown) => e);
  assert.ok(err instanceof BuildError);
  assert.equal(err.message, 'context canceled');
  assert.equal(d.containers.all.size, 0);
  assert.equal(d.containers.removed.length, 1);
});
