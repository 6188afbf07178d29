import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BASE, build, fakeDeps, historyOf } from './testing/build-harness.js';

// FROM and ARG: meta args and their scope, build args, stages by name and index, --target, and the
// ONBUILD triggers a base image brings.

test('an ARG before FROM is seen by FROM only; a stage sees it when it declares it again', async () => {
  const d = fakeDeps();
  d.images.tag(d.images.getImage(BASE).id, 'registry.test/base:2');
  const { image } = await build(d, {
    Dockerfile: ['ARG V=2', 'FROM registry.test/base:$V', 'LABEL before=x$V', 'ARG V', 'LABEL after=x$V'].join('\n'),
  });
  assert.deepEqual(image.config.config!.Labels, { before: 'x', after: 'x2' });
  // ARG's own step names it as written, without the value it took.
  assert.deepEqual(historyOf(image), ['/bin/sh -c #(nop)  LABEL before=x', '/bin/sh -c #(nop)  ARG V', '/bin/sh -c #(nop)  LABEL after=x2']);
});

test('build args override ARG defaults; RUN names the args in force that no ENV overrides; unused ones are warned of', async () => {
  const d = fakeDeps();
  const seen: string[][] = [];
  d.containers.runner = (_cmd, env) => {
    seen.push(env);
    return {};
  };
  const r = await build(
    d,
    { Dockerfile: `FROM ${BASE}\nARG A=default B=b\nARG C\nENV B=from-env\nRUN echo $A\n` },
    { buildArgs: { A: 'given', C: 'c', UNUSED: 'x', HTTP_PROXY: 'http://p', NULLED: null } },
  );
  assert.equal(historyOf(r.image).at(-1), '|2 A=given C=c /bin/sh -c echo $A');
  assert.deepEqual(seen, [['PATH=/usr/bin:/bin', 'B=from-env', 'A=given', 'C=c']]);
  assert.match(r.out, /^\[Warning\] One or more build-args \[NULLED UNUSED\] were not consumed$/m);
  assert.deepEqual(historyOf(r.image)[0], '/bin/sh -c #(nop)  ARG A=default B=b');
});

test('multi-stage: FROM <stage>, COPY --from by name and by index, an aux ID per stage', async () => {
  const d = fakeDeps();
  d.containers.runner = (cmd) => ({ writes: { '/out/built.txt': `built by ${cmd.at(-1)}\n` } });
  const r = await build(d, {
    Dockerfile: [`FROM ${BASE} AS builder`, 'RUN make', 'FROM builder AS again', 'LABEL stage=2', `FROM ${BASE}`, 'COPY --from=builder /out/built.txt /a.txt', 'COPY --from=1 /out /b/'].join('\n'),
  });
  const files = d.images.files.get(r.id)!;
  assert.equal(files.get('/a.txt')?.data.toString(), 'built by make\n');
  assert.equal(files.get('/b/built.txt')?.data.toString(), 'built by make\n');
  assert.equal(r.image.config.config!.Labels, undefined);
  const aux = r.messages.filter((m) => m.aux).map((m) => (m.aux as { ID: string }).ID);
  assert.equal(aux.length, 3);
  assert.equal(aux.at(-1), r.id);
  assert.deepEqual(d.images.getImage(aux[1]!).config.config!.Labels, { stage: '2' });
  // The --from containers are removed again.
  assert.equal(d.containers.all.size, 0);
});

test('--target ends the build with that stage: the later ones are neither run nor counted', async () => {
  const d = fakeDeps();
  const r = await build(d, { Dockerfile: `FROM ${BASE} AS one\nLABEL one=1\nFROM one\nRUN exit 1\n` }, { target: 'ONE' });
  assert.deepEqual(r.image.config.config!.Labels, { one: '1' });
  assert.deepEqual(
    r.out.split('\n').filter((l) => l.startsWith('Step')),
    [`Step 1/2 : FROM ${BASE} AS one`, 'Step 2/2 : LABEL one=1'],
  );
  await assert.rejects(build(d, { Dockerfile: `FROM ${BASE} AS one\n` }, { target: 'two' }), { message: 'failed to reach build target two in Dockerfile' });
});

test('FROM scratch makes no image of its own; FROM pulls what is not here, and with pull always', async () => {
  const d = fakeDeps();
  await assert.rejects(build(d, { Dockerfile: 'FROM scratch\n' }), { message: 'No image was generated. Is your Dockerfile empty?' });
  const s = await build(d, { Dockerfile: 'FROM scratch\nCOPY f /f\n', f: 'x' });
  assert.equal(s.image.layers.length, 1);
  d.images.remote.set('registry.test/far:1', { config: { Cmd: ['far'] } });
  const far = await build(d, { Dockerfile: 'FROM registry.test/far:1\nLABEL x=1\n' });
  assert.deepEqual(far.image.config.config!.Cmd, ['far']);
  assert.deepEqual(d.images.pulls, ['registry.test/far:1']);
  d.images.remote.set(BASE, { config: { Cmd: ['fresh'] } });
  const pulled = await build(d, { Dockerfile: `FROM ${BASE}\nLABEL x=1\n` }, { pull: true });
  assert.deepEqual(pulled.image.config.config!.Cmd, ['fresh']);
});

test("ONBUILD: the base image's triggers run first, with its environment; the new image does not keep them", async () => {
  const d = fakeDeps();
  d.images.add('registry.test/onbuild:1', { Env: ['DIR=/opt'], OnBuild: ['WORKDIR $DIR', 'COPY f ./', 'ARG T=t', 'LABEL t=$T'] });
  const r = await build(d, { Dockerfile: 'FROM registry.test/onbuild:1\nLABEL mine=1\n', f: 'from the context' });
  assert.match(r.out, /^# Executing 4 build triggers$/m);
  const c = r.image.config.config!;
  assert.equal(c.OnBuild, null);
  assert.equal(c.WorkingDir, '/opt');
  assert.deepEqual(c.Labels, { t: 't', mine: '1' });
  assert.equal(d.images.files.get(r.id)!.get('/opt/f')?.data.toString(), 'from the context');
  // Steps count the Dockerfile's instructions only.
  assert.match(r.out, /^Step 2\/2 : LABEL mine=1$/m);
});

test('ONBUILD FROM or MAINTAINER in a base image fails the build', async () => {
  const d = fakeDeps();
  d.images.add('registry.test/bad-onbuild:1', { OnBuild: ['MAINTAINER x'] });
  await assert.rejects(build(d, { Dockerfile: 'FROM registry.test/bad-onbuild:1\n' }), { message: "MAINTAINER isn't allowed as an ONBUILD trigger" });
});
