import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bytesSize, fromHumanSize, humanDuration, humanSize, parseGoDuration, parseTimestamp, ramInBytes, timeAgo } from './units.js';
import { containerStatus } from './container-status.js';
import { displayablePorts } from './ports.js';

test('sizes as go-units prints them', () => {
  const cases: [number, string][] = [[0, '0B'], [4261550, '4.26MB'], [55712345, '55.7MB'], [1200, '1.2kB'], [999, '999B'], [1000, '1kB'], [999999, '1e+03kB'], [1e12, '1TB']];
  for (const [n, want] of cases) assert.equal(humanSize(n), want, String(n));
  assert.equal(humanSize(4261550, 4), '4.262MB');
  assert.equal(bytesSize(1536), '1.5KiB');
  assert.equal(bytesSize(512 * 1024 * 1024), '512MiB');
});

test('durations as go-units HumanDuration', () => {
  const s = 1000;
  const h = 3600 * s;
  const cases: [number, string][] = [
    [500, 'Less than a second'], [s, '1 second'], [5 * s, '5 seconds'], [60 * s, 'About a minute'], [5 * 60 * s, '5 minutes'],
    [h, 'About an hour'], [3 * h, '3 hours'], [49 * h, '2 days'], [21 * 24 * h, '3 weeks'], [120 * 24 * h, '4 months'], [2 * 365 * 24 * h, '2 years'],
  ];
  for (const [ms, want] of cases) assert.equal(humanDuration(ms), want, want);
  assert.equal(timeAgo(new Date(0), new Date(5 * 60 * s)), '5 minutes ago');
});

test('parses sizes and durations for flags', () => {
  assert.equal(ramInBytes('512m'), 512 * 1024 ** 2);
  assert.equal(ramInBytes('1g'), 1024 ** 3);
  assert.equal(ramInBytes('10k'), 10240);
  assert.equal(ramInBytes('1.5GiB'), 1.5 * 1024 ** 3);
  assert.equal(ramInBytes('100'), 100);
  assert.equal(ramInBytes('32 kb'), 32768);
  assert.equal(fromHumanSize('10MB'), 10_000_000);
  assert.throws(() => ramInBytes('abc'), { message: "invalid size: 'abc'" });
  assert.throws(() => ramInBytes('10x'), { message: "invalid suffix: 'x'" });
  assert.throws(() => ramInBytes('-1'), { message: "invalid size: '-1'" });
  assert.equal(parseGoDuration('1h30m'), 90 * 60000);
  assert.equal(parseGoDuration('300ms'), 300);
  assert.equal(parseGoDuration('-1.5h'), -90 * 60000);
  assert.throws(() => parseGoDuration('10'), { message: 'time: missing unit in duration "10"' });
  const now = new Date(1_700_000_000_000);
  assert.equal(parseTimestamp('10m', now), '1699999400');
  assert.equal(parseTimestamp('2023-11-14T22:13:20Z', now), '1700000000.000000000');
  assert.equal(parseTimestamp('2023-11-14T22:13:20.5+01:00', now), '1699996400.500000000');
  assert.equal(parseTimestamp('1700000000', now), '1700000000');
  assert.equal(parseTimestamp('1700000000.123', now), '1700000000.123');
  assert.throws(() => parseTimestamp('yesterday', now), { message: 'failed to parse value as time or duration: "yesterday"' });
});

test('container status strings', () => {
  const now = new Date(1_000_000_000);
  const ago = (ms: number) => new Date(now.getTime() - ms);
  assert.equal(containerStatus({ running: true, startedAt: ago(5000) }, now), 'Up 5 seconds');
  assert.equal(containerStatus({ running: true, paused: true, startedAt: ago(120_000) }, now), 'Up 2 minutes (Paused)');
  assert.equal(containerStatus({ running: true, startedAt: ago(1000), health: 'healthy' }, now), 'Up 1 second (healthy)');
  assert.equal(containerStatus({ running: true, startedAt: ago(1000), health: 'starting' }, now), 'Up 1 second (health: starting)');
  assert.equal(containerStatus({ running: true, restarting: true, exitCode: 1, finishedAt: ago(2000) }, now), 'Restarting (1) 2 seconds ago');
  assert.equal(containerStatus({ running: false, exitCode: 137, startedAt: ago(9000), finishedAt: ago(3000) }, now), 'Exited (137) 3 seconds ago');
  assert.equal(containerStatus({ running: false }, now), 'Created');
  assert.equal(containerStatus({ running: false, startedAt: new Date('0001-01-01T00:00:00Z') }, now), 'Created');
  assert.equal(containerStatus({ running: false, removalInProgress: true, startedAt: ago(1) }, now), 'Removal In Progress');
  assert.equal(containerStatus({ running: false, dead: true, startedAt: ago(1) }, now), 'Dead');
});

test('ports column as docker ps shows it', () => {
  // Same input as a fake-daemon run of docker v28 `docker ps`.
  const ports = [
    { IP: '0.0.0.0', PrivatePort: 80, PublicPort: 8080, Type: 'tcp' },
    { IP: '::', PrivatePort: 80, PublicPort: 8080, Type: 'tcp' },
    { PrivatePort: 443, Type: 'tcp' },
    { PrivatePort: 444, Type: 'tcp' },
    { PrivatePort: 446, Type: 'tcp' },
    { PrivatePort: 53, Type: 'udp' },
    { IP: '0.0.0.0', PrivatePort: 9000, PublicPort: 9000, Type: 'tcp' },
    { IP: '0.0.0.0', PrivatePort: 9001, PublicPort: 9001, Type: 'tcp' },
  ];
  assert.equal(displayablePorts(ports), '443-444/tcp, 53/udp, 446/tcp, 0.0.0.0:9000-9001->9000-9001/tcp, 0.0.0.0:8080->80/tcp, [::]:8080->80/tcp');
  assert.equal(displayablePorts([]), '');
});
