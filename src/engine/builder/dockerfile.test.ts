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

test('variables: $x, ${x}, defaults, alternatives, escapes and single quotes', () => {
  const vars = { A: 'a', EMPTY: '' };
  assert.equal(expandVars('$A ${A}/x ${B:-def} ${A:+alt} ${B:+alt} ${EMPTY:-e}', vars), 'a a/x def alt  e');
  assert.equal(expandVars('\\$A', vars), '\\$A');
  assert.equal(expandVars("'$A' \"$A\"", vars), "'$A' \"a\"");
});

test('words and key=value pairs as ENV and LABEL take them', () => {
  assert.deepEqual(splitWords('a "b c" d\\ e \'f g\''), ['a', 'b c', 'd e', 'f g']);
  assert.deepEqual(parseKeyValues('ENV', 'A=1 B="two words" C=x\\ y'), [['A', '1'], ['B', 'two words'], ['C', 'x y']]);
  assert.deepEqual(parseKeyValues('ENV', 'PATHX /usr/bin /bin'), [['PATHX', '/usr/bin /bin']]);
  assert.throws(() => parseKeyValues('LABEL', 'a=1 =b'), /LABEL names can not be blank/);
});
