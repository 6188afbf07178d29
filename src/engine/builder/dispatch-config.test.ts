import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BASE, build, fakeDeps, historyOf } from './testing/build-harness.js';

// Each config instruction's effect on the image config and the history dockerd writes for it.

test('ENV, LABEL, WORKDIR, USER, EXPOSE, VOLUME, STOPSIGNAL, HEALTHCHECK, SHELL, CMD, ENTRYPOINT, ONBUILD, MAINTAINER', async () => {
  const d = fakeDeps();
  const { image } = await build(d, {
    Dockerfile: [
      `FROM ${BASE}`,
      'ENV A=1 B="two words"',
      'LABEL l=x "m n"=y',
      'WORKDIR /app',
      'WORKDIR sub',
      'USER nobody',
      'EXPOSE 80 53/udp',
      'VOLUME /data /cache',
      'STOPSIGNAL SIGTERM',
      'HEALTHCHECK --interval=30s --retries=3 CMD curl -f http://x/',
      'SHELL ["/bin/bash", "-c"]',
      'CMD echo hi',
      'ENTRYPOINT ["/entry"]',
      'ONBUILD RUN echo child',
      'MAINTAINER someone',
    ].join('\n'),
  });
  const c = image.config.config!;
  assert.deepEqual(c.Env, ['PATH=/usr/bin:/bin', 'A=1', 'B=two words']);
  assert.deepEqual(c.Labels, { l: 'x', 'm n': 'y' });
  assert.equal(c.WorkingDir, '/app/sub');
  assert.equal(c.User, 'nobody');
  assert.deepEqual(c.ExposedPorts, { '80/tcp': {}, '53/udp': {} });
  assert.deepEqual(c.Volumes, { '/data': {}, '/cache': {} });
  assert.equal(c.StopSignal, 'SIGTERM');
  assert.deepEqual(c.Healthcheck, { Test: ['CMD-SHELL', 'curl -f http://x/'], Interval: 30e9, Retries: 3 });
  assert.deepEqual(c.Shell, ['/bin/bash', '-c']);
  // The shell form runs in the SHELL in force; a CMD of this stage survives the ENTRYPOINT after it.
  assert.deepEqual(c.Cmd, ['/bin/bash', '-c', 'echo hi']);
  assert.deepEqual(c.Entrypoint, ['/entry']);
  assert.deepEqual(c.OnBuild, ['RUN echo child']);
  assert.equal(image.config.author, 'someone');
  assert.deepEqual(historyOf(image), [
    '/bin/sh -c #(nop)  ENV A=1 B=two words',
    '/bin/sh -c #(nop)  LABEL l=x m n=y',
    '/bin/sh -c #(nop) WORKDIR /app',
    '/bin/sh -c #(nop) WORKDIR /app/sub',
    '/bin/sh -c #(nop)  USER nobody',
    '/bin/sh -c #(nop)  EXPOSE 80 53/udp',
    '/bin/sh -c #(nop)  VOLUME [/data /cache]',
    '/bin/sh -c #(nop)  STOPSIGNAL SIGTERM',
    `/bin/sh -c #(nop)  HEALTHCHECK &{["CMD-SHELL" "curl -f http://x/"] "30s" "0s" "0s" "0s" '\\x03'}`,
    '/bin/bash -c #(nop)  SHELL [/bin/bash -c]',
    '/bin/bash -c #(nop)  CMD ["/bin/bash" "-c" "echo hi"]',
    '/bin/bash -c #(nop)  ENTRYPOINT ["/entry"]',
    '/bin/bash -c #(nop)  ONBUILD RUN echo child',
    '/bin/bash -c #(nop)  MAINTAINER someone',
  ]);
});

test('WORKDIR makes its directory in a layer of its own; the other config steps add none', async () => {
  const d = fakeDeps();
  const { image } = await build(d, { Dockerfile: `FROM ${BASE}\nWORKDIR /w/x\nUSER 1000\nWORKDIR /\n` });
  assert.deepEqual(
    d.commits.map((c) => c.createdBy),
    ['/bin/sh -c #(nop) WORKDIR /w/x'],
  );
  assert.equal(image.layers.length, d.images.getImage(BASE).layers.length + 1);
  assert.equal(d.images.files.get(image.id)!.get('/w/x')?.type, 'directory');
  assert.equal(image.config.config!.WorkingDir, '/');
});

test('ENTRYPOINT drops the CMD the base image had, unless the stage set its own', async () => {
  const d = fakeDeps({ Cmd: ['base-cmd'] });
  const only = await build(d, { Dockerfile: `FROM ${BASE}\nENTRYPOINT top\n` });
  assert.equal(only.image.config.config!.Cmd, null);
  assert.deepEqual(only.image.config.config!.Entrypoint, ['/bin/sh', '-c', 'top']);
  const both = await build(d, { Dockerfile: `FROM ${BASE}\nCMD ["arg"]\nENTRYPOINT ["top"]\n` });
  assert.deepEqual(both.image.config.config!.Cmd, ['arg']);
});

test('variables expand in the instructions that take them, from ENV and ARG; not in RUN, CMD and the like', async () => {
  const d = fakeDeps();
  const { image } = await build(d, { Dockerfile: `FROM ${BASE}\nARG DIR=/srv\nENV NAME=app\nWORKDIR $DIR/\${NAME}\nLABEL where=$DIR\nCMD echo $NAME\n` });
  const c = image.config.config!;
  assert.equal(c.WorkingDir, '/srv/app');
  assert.equal(c.Labels?.where, '/srv');
  assert.deepEqual(c.Cmd, ['/bin/sh', '-c', 'echo $NAME']);
});

test('the build labels are one last LABEL step, sorted, counted in the steps', async () => {
  const d = fakeDeps();
  const r = await build(d, { Dockerfile: `FROM ${BASE}\nLABEL a=1\n` }, { labels: { z: '26', b: 'two words' } });
  assert.deepEqual(r.image.config.config!.Labels, { a: '1', b: 'two words', z: '26' });
  assert.match(r.out, /^Step 3\/3 : LABEL "b"="two words" "z"="26"$/m);
});
