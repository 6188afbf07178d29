import { test } from 'node:test';
import assert from 'node:assert/strict';
import { alignColumns } from './table.js';

test('aligns like Go tabwriter(minwidth 10, padding 3) as docker uses it', () => {
  // Output of `docker images` for the same rows (docker v28).
  const input =
    'REPOSITORY\tTAG\tIMAGE ID\tCREATED\tSIZE\n' +
    'busybox\tlatest\t111111111111\t3 years ago\t4.26MB\n' +
    'registry.local:5000/some/very-long-repository-name\tv1.2.3\t333333333333\t6 years ago\t55.7MB\n';
  assert.equal(
    alignColumns(input),
    'REPOSITORY                                           TAG       IMAGE ID       CREATED       SIZE\n' +
      'busybox                                              latest    111111111111   3 years ago   4.26MB\n' +
      'registry.local:5000/some/very-long-repository-name   v1.2.3    333333333333   6 years ago   55.7MB\n',
  );
});

test('column blocks break at lines with fewer cells; the last cell is never padded', () => {
  assert.equal(alignColumns('a\tb\tc\nlonger-cell-here\tx\n\nq\tr\n'), 'a                  b\tc\nlonger-cell-here   x\n\nq         r\n'.replace('b\tc', 'b         c'));
  assert.equal(alignColumns('héllo\tx\n'), 'héllo     x\n');
  assert.equal(alignColumns('NAMES\tLABELS\ta\tPORTS\nweb\ta=1,b=2\t1\t80/tcp\ndb\t\t\t\n'), 'NAMES     LABELS    a         PORTS\nweb       a=1,b=2   1         80/tcp\ndb                            \n');
});
