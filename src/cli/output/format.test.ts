import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FormatError, quietFormatWarning, renderList } from './format.js';
import { goFormatterContext } from './go-value.js';

const headers = { ID: 'IMAGE ID', Repository: 'REPOSITORY', Tag: 'TAG', Size: 'SIZE', Digest: 'DIGEST' };
const defaultTableFormat = 'table {{.Repository}}\\t{{.Tag}}\\t{{.ID}}\\t{{.Size}}';
const image = (ID: string, Repository: string, Tag: string, Size: string) =>
  goFormatterContext({ ID: () => ID, Repository: () => Repository, Tag: () => Tag, Size: () => Size, Digest: () => '<none>' }, '*formatter.imageContext');
const items = [image('111111111111', 'busybox', 'latest', '4.26MB'), image('333333333333', 'registry.local:5000/some/very-long-repository-name', 'v1.2.3', '55.7MB')];

test('default and custom tables match docker images output', () => {
  assert.equal(
    renderList(items, { headers, defaultTableFormat }),
    'REPOSITORY                                           TAG       IMAGE ID       SIZE\n' +
      'busybox                                              latest    111111111111   4.26MB\n' +
      'registry.local:5000/some/very-long-repository-name   v1.2.3    333333333333   55.7MB\n',
  );
  assert.equal(
    renderList(items, { headers, defaultTableFormat, format: 'table {{.Repository}}\\t{{.Size}}\\t{{.ID}}' }),
    'REPOSITORY                                           SIZE      IMAGE ID\n' +
      'busybox                                              4.26MB    111111111111\n' +
      'registry.local:5000/some/very-long-repository-name   55.7MB    333333333333\n',
  );
  assert.equal(renderList([], { headers, defaultTableFormat }), 'REPOSITORY   TAG       IMAGE ID   SIZE\n');
  // Header functions hand titles back unchanged; unknown fields give empty titles.
  assert.equal(renderList([], { headers, defaultTableFormat, format: 'table {{.ID|json}}\\t{{.Tag | upper}}\\t{{pad .Size 2 2}}|' }), 'IMAGE ID   TAG         SIZE  |\n');
});

test('raw, json and quiet formats', () => {
  assert.equal(renderList(items, { headers, defaultTableFormat, format: '{{.ID}}\\t{{.Tag}}' }), '111111111111\tlatest\n333333333333\tv1.2.3\n');
  assert.equal(renderList(items.slice(0, 1), { headers, defaultTableFormat, format: 'json' }), '{"Digest":"\\u003cnone\\u003e","ID":"111111111111","Repository":"busybox","Size":"4.26MB","Tag":"latest"}\n');
  assert.equal(renderList(items, { headers, defaultTableFormat, quiet: true }), '111111111111\n333333333333\n');
  assert.equal(quietFormatWarning({ quiet: true, format: '{{.ID}}' }), 'WARNING: Ignoring custom format, because both --format and --quiet are set.');
  assert.equal(quietFormatWarning({ quiet: true }), undefined);
});

test('errors carry docker wording', () => {
  assert.throws(() => renderList(items, { headers, defaultTableFormat, format: '{{' }), (e: Error) => e instanceof FormatError && e.message === 'template parsing error: template: :1: unclosed action');
  assert.throws(
    () => renderList(items, { headers, defaultTableFormat, format: '{{.Foo}}' }),
    (e: Error) => e instanceof FormatError && e.message === 'template parsing error: template: :1:2: executing "" at <.Foo>: can\'t evaluate field Foo in type *formatter.imageContext',
  );
});
