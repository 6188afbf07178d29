import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  createdBefore,
  exactMatch,
  filterBool,
  filterTime,
  fuzzyMatch,
  matchKVList,
  matchLabels,
  parseFilters,
  validateFilters,
} from './filters.js';

test('parseFilters reads the map form and the old list form, and refuses what is neither', () => {
  assert.deepEqual(parseFilters('{"label":{"a=b":true,"c":false},"name":["x"]}'), { label: ['a=b'], name: ['x'] });
  assert.deepEqual(parseFilters(undefined), {});
  assert.deepEqual(parseFilters(''), {});
  assert.throws(() => parseFilters('{'), /invalid filter '\{'/);
  assert.throws(() => parseFilters('{"label":"a"}'), /invalid filter/);
});

test('validateFilters names the first unknown key', () => {
  validateFilters({ label: ['a'] }, ['label', 'until']);
  assert.throws(() => validateFilters({ label: [], bogus: ['1'] }, ['label']), /invalid filter 'bogus'/);
});

test('exact and fuzzy matches: no values match everything', () => {
  assert.equal(exactMatch({}, 'driver', 'local'), true);
  assert.equal(exactMatch({ driver: ['local'] }, 'driver', 'local'), true);
  assert.equal(exactMatch({ driver: ['loc'] }, 'driver', 'local'), false);
  assert.equal(fuzzyMatch({ id: ['abc'] }, 'id', 'abcdef'), true);
  assert.equal(fuzzyMatch({ id: ['abd'] }, 'id', 'abcdef'), false);
});

test('label lists: key, key=value, a value holding "=", and label! leaves out full matches', () => {
  const labels = { a: '1', b: 'x=y', empty: '' };
  const cases: [Record<string, string[]>, boolean][] = [
    [{ label: ['a'] }, true],
    [{ label: ['a=1'] }, true],
    [{ label: ['a=2'] }, false],
    [{ label: ['b=x=y'] }, true],
    [{ label: ['empty='] }, true],
    [{ label: ['a', 'missing'] }, false],
    [{ 'label!': ['a'] }, false],
    [{ 'label!': ['missing'] }, true],
    [{ 'label!': ['a', 'missing'] }, true],
    [{ label: ['a'], 'label!': ['b=nope'] }, true],
  ];
  for (const [f, want] of cases) assert.equal(matchLabels(f, labels), want, JSON.stringify(f));
  assert.equal(matchKVList({ label: ['a'] }, 'label', undefined), false);
  assert.equal(matchKVList({}, 'label', undefined), true);
});

test('filterBool takes Go booleans and one value only', () => {
  assert.equal(filterBool({ all: ['true'] }, 'all'), true);
  assert.equal(filterBool({ all: ['0'] }, 'all'), false);
  assert.equal(filterBool({}, 'all'), undefined);
  assert.throws(() => filterBool({ all: ['yes'] }, 'all'), /strconv.ParseBool: parsing "yes"/);
  assert.throws(() => filterBool({ all: ['1', '0'] }, 'all'), /only one value is expected/);
});

test('until takes timestamps, RFC 3339 dates and Go durations back from now', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');
  assert.equal(filterTime({ until: ['1700000000.5'] }, 'until', now), 1700000000.5e9);
  assert.equal(filterTime({ until: ['10m'] }, 'until', now), (now - 600_000) * 1e6);
  assert.equal(filterTime({ until: ['2025-12-31T23:00:00Z'] }, 'until', now), (now - 3_600_000) * 1e6);
  assert.throws(() => filterTime({ until: ['soon'] }, 'until', now), /invalid value for until: soon/);
  assert.equal(createdBefore({ until: ['1h'] }, '2025-12-31T22:00:00Z', now), true);
  assert.equal(createdBefore({ until: ['1h'] }, '2025-12-31T23:30:00Z', now), false);
  assert.equal(createdBefore({}, '2030-01-01T00:00:00Z', now), true);
});
