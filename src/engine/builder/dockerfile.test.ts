import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseKeyValues, splitWords } from '../../common/shell-words.js';
import { expandVars, parseDockerfile } from './dockerfile.js';

test('instructions: directives, comments, continuations, flags, exec and shell forms', () => {
  const df = parseDockerfile(
    [
      '# escape=`',
      'FROM --platform=linux/amd64 busybox AS base',
      '# a comment',
      '',
      'RUN echo one `',
      '  # comment inside',
      '  && echo two',
      'COPY --from=base --chown=1:2 /a /b',
      'CMD ["sh", "-c", "echo hi"]',
      'ENTRYPOINT [not json',
    ].join('\n'),
  );
  assert.equal(df.escape, '`');
  assert.deepEqual(
    df.instructions.map((i) => [i.cmd, i.args, i.flags]),
    [
      ['FROM', 'busybox AS base', { platform: 'linux/amd64' }],
      ['RUN', 'echo one   && echo two', {}],
      ['COPY', '/a /b', { from: 'base', chown: '1:2' }],
      ['CMD', '["sh", "-c", "echo hi"]', {}],
      ['ENTRYPOINT', '[not json', {}],
    ],
  );
  assert.deepEqual(df.instructions[3]!.json, ['sh', '-c', 'echo hi']);
  assert.equal(df.instructions[4]!.json, undefined);
  assert.equal(df.instructions[0]!.original, 'FROM --platform=linux/amd64 busybox AS base');
});

test('continuations skip blank and comment lines; a trailing escape may be followed by blanks', () => {
  const df = parseDockerfile(['FROM busybox', 'RUN echo a \\  ', '', '   ', '# note', '  && echo b', '', 'CMD x'].join('\n'));
  assert.deepEqual(
    df.instructions.map((i) => [i.cmd, i.args, i.line]),
    [
      ['FROM', 'busybox', 1],
      ['RUN', 'echo a   && echo b', 2],
      ['CMD', 'x', 8],
    ],
  );
});

test('errors Docker reports before the first step, with the line of the instruction', () => {
  const bad = (text: string, message: string) => assert.throws(() => parseDockerfile(text), { message });
  bad('FROM busybox\nRUN echo a \\\n  && echo b\nCOP x y', 'dockerfile parse error on line 4: unknown instruction: COP');
  bad('FROM busybox\nCOPY --nope=1 a b', 'dockerfile parse error on line 2: unknown flag: nope');
  bad('FROM busybox\nRUN --mount=type=cache,target=/x true', 'dockerfile parse error on line 2: unknown flag: mount');
  bad('FROM busybox\nCOPY onlyone', 'dockerfile parse error on line 2: COPY requires at least two arguments, but only one was provided. Destination could not be determined');
  bad('FROM a b', 'dockerfile parse error on line 1: FROM requires either one or three arguments');
  bad('FROM busybox\nSHELL /bin/bash -c', 'dockerfile parse error on line 2: SHELL requires the arguments to be in JSON form');
  bad('FROM busybox\nONBUILD ONBUILD RUN x', "dockerfile parse error on line 2: Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed");
  bad('FROM busybox\nONBUILD FROM x', "dockerfile parse error on line 2: FROM isn't allowed as an ONBUILD trigger");
  bad('FROM busybox\nENV', 'dockerfile parse error on line 2: ENV requires at least one argument');
  bad('# escape=`\n# escape=\\\nFROM x', 'dockerfile parse error on line 2: only one escape parser directive can be used');
  // A directive after the first other line is only a comment.
  assert.equal(parseDockerfile('FROM x\n# escape=`\nRUN a \\\n b').instructions[1]!.args, 'a  b');
});

test('variables: $x, ${x}, defaults, alternatives, escapes and single quotes', () => {
  const vars = { A: 'a', EMPTY: '' };
  assert.equal(expandVars('$A ${A}/x ${B:-def} ${A:+alt} ${B:+alt} ${EMPTY:-e}', vars), 'a a/x def alt  e');
  assert.equal(expandVars('\\$A', vars), '\\$A');
  assert.equal(expandVars('${EMPTY-d}|${B-d}|${EMPTY+alt}|${B+alt}|${A:-${B:-nested}}|${B:-${A}x}', vars), '|d|alt||a|ax');
  assert.equal(expandVars('${A:?must} ${EMPTY?set}', vars), 'a ');
  assert.throws(() => expandVars('${B:?is required}', vars), /B: is required/);
  assert.throws(() => expandVars('${EMPTY:?}', vars), /EMPTY: is not allowed to be unset/);
  assert.throws(() => expandVars('${A', vars), /missing '}'/);
  assert.equal(expandVars("'$A' \"$A\"", vars), "'$A' \"a\"");
});

test('words and key=value pairs as ENV and LABEL take them', () => {
  assert.deepEqual(splitWords('a "b c" d\\ e \'f g\''), ['a', 'b c', 'd e', 'f g']);
  assert.deepEqual(parseKeyValues('ENV', 'A=1 B="two words" C=x\\ y'), [['A', '1'], ['B', 'two words'], ['C', 'x y']]);
  assert.deepEqual(parseKeyValues('ENV', 'PATHX /usr/bin /bin'), [['PATHX', '/usr/bin /bin']]);
  assert.throws(() => parseKeyValues('LABEL', 'a=1 =b'), /LABEL names can not be blank/);
});
