import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EXEC_CONFIG_FIELDS, foldKeys } from './fold-keys.js';

test('keys match fields apart from case, as Go decodes JSON; exact spellings win', () => {
  assert.deepEqual(foldKeys({ detachKeys: 'ctrl-p', cmd: ['sh'], Other: 1 }, EXEC_CONFIG_FIELDS), { DetachKeys: 'ctrl-p', Cmd: ['sh'], Other: 1 });
  assert.deepEqual(foldKeys({ tty: false, Tty: true }, EXEC_CONFIG_FIELDS), { Tty: true });
});
