import assert from 'node:assert/strict';
import { test } from 'node:test';
import { onUnreadableRecord, readableDocs, repairStringMap } from './readable-docs.js';

test('a doc that cannot be read is skipped and reported; a malformed map is repaired', () => {
  const reports: string[] = [];
  onUnreadableRecord((kind, key, what) => reports.push(`${kind} ${key} ${what}`));
  const rows = [{ doc: '{"Id":"a","Labels":5}' }, { doc: 'not json' }, { doc: '{"Labels":{}}' }, { doc: '{"Id":"b","Labels":{"x":"1","y":2}}' }];
  const docs = readableDocs<{ Id: string; Labels: unknown }>('network', rows, (d) => d.Id, {
    unusable: (d) => (typeof d.Id !== 'string' ? 'no Id' : undefined),
    repair: (d) => [repairStringMap(d, 'Labels')],
  });
  assert.deepEqual(docs, [
    { Id: 'a', Labels: {} },
    { Id: 'b', Labels: { x: '1' } },
  ]);
  assert.equal(reports.length, 4);
  assert.match(reports[0]!, /^network a repaired: Labels was not a map/);
  assert.match(reports[1]!, /^network row 1 skipped: not JSON/);
  assert.match(reports[2]!, /^network row 2 skipped: no Id/);
  onUnreadableRecord(() => undefined);
});
