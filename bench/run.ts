import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, release } from 'node:os';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseBenchOptions, USAGE } from './bench-options.js';
import { runCommand } from './command.js';
import { sweepBenchContainers } from './container-commands.js';
import { updateDocs } from './docs-table.js';
import { detectEngines, type EngineId, type EngineSet } from './engines.js';
import { BENCH_IMAGES, ensureFixtureImages } from './fixture-registry.js';
import { buildReport, renderMarkdown, renderText } from './report.js';
import { Results } from './results.js';
import type { BenchContext } from './scenario.js';
import { SCENARIOS } from './scenarios/catalog.js';

// `npm run bench`: times scenarios side by side on berth, Docker, Podman and crun, prints medians and
// ratios to Docker, and writes bench/results/latest.json. It reports; it never asserts a timing.

const DEFAULT_OUT = fileURLToPath(new URL('./results/latest.json', import.meta.url));
const DOCS = fileURLToPath(new URL('../docs/benchmarks.md', import.meta.url));

function log(message: string): void {
  process.stderr.write(`${message}\n`);
}

async function engineVersions(engines: EngineSet): Promise<Partial<Record<EngineId, string>>> {
  const versions: Partial<Record<EngineId, string>> = {};
  for (const e of engines.cli) {
    const format = e.family === 'podman' ? '{{.Client.Version}}' : 'client {{.Client.Version}}, server {{.Server.Version}}';
    const r = await runCommand([...e.cli, 'version', '--format', format]);
    versions[e.id] = r.code === 0 ? r.stdout.trim() : 'unknown';
  }
  if (engines.crun) versions.crun = (await runCommand([engines.crun, '--version'])).stdout.split('\n')[0]?.trim() ?? 'unknown';
  return versions;
}

async function sweep(engines: EngineSet): Promise<void> {
  for (const e of engines.cli) await sweepBenchContainers(e).catch(() => undefined);
}

async function main(): Promise<number> {
  let opts;
  try {
    opts = parseBenchOptions(process.argv.slice(2), DEFAULT_OUT, SCENARIOS.map((s) => s.name));
  } catch (e) {
    log((e as Error).message === USAGE ? USAGE : `${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  if (opts.list) {
    for (const s of SCENARIOS) process.stdout.write(`${s.name.padEnd(18)} ${s.measures}\n`);
    return 0;
  }
  if (process.getuid?.() !== 0) log('warning: not root; Docker, Podman and crun need root and will likely be skipped');
  const scenarios = SCENARIOS.filter((s) => !opts.only || opts.only.includes(s.name));

  try {
    await ensureFixtureImages([...new Set(scenarios.flatMap((s) => s.images))], log);
  } catch (e) {
    // Scenarios that need the images will fail per engine and say so in the report.
    log(`warning: fixture images unavailable: ${(e as Error).message.split('\n')[0]}`);
  }
  log('detecting engines…');
  const engines = await detectEngines(opts.engines);
  for (const [id, why] of Object.entries(engines.unavailable)) log(`  ${id}: skipped: ${why}`);
  log(`  using: ${[...engines.cli.map((e) => e.id), ...(engines.crun ? ['crun'] : [])].join(', ') || 'nothing'}`);

  let interrupted = false;
  const onSignal = (): void => {
    if (interrupted) process.exit(130);
    interrupted = true;
    log('interrupted: cleaning up (press Ctrl-C again to leave things as they are)');
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const results = new Results();
  const ctx: BenchContext = { engines, results, quick: opts.quick, images: BENCH_IMAGES, log, rmRuns: opts.rmRuns, scale: opts.scale };
  const started = Date.now();
  let versions: Partial<Record<EngineId, string>> = {};
  try {
    versions = await engineVersions(engines);
    await sweep(engines);
    for (const s of scenarios) {
      if (interrupted) break;
      const t = Date.now();
      log(`${s.name}…`);
      try {
        await s.run(ctx);
      } catch (e) {
        log(`  ${s.name} aborted: ${(e as Error).stack ?? e}`);
      }
      log(`  ${s.name} took ${((Date.now() - t) / 1000).toFixed(1)} s`);
    }
  } finally {
    await sweep(engines);
    await engines.close();
  }
  log(`done in ${((Date.now() - started) / 1000).toFixed(0)} s`);

  const report = buildReport(results, {
    generatedAt: new Date().toISOString(),
    quick: opts.quick,
    host: { kernel: release(), cpus: cpus().length, node: process.version },
    versions,
    unavailable: engines.unavailable,
  });
  process.stdout.write(`${renderText(report)}\n`);
  mkdirSync(dirname(opts.out), { recursive: true });
  writeFileSync(opts.out, `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(opts.out.replace(/\.json$/, '') + '.md', `${renderMarkdown(report)}\n`);
  log(`results: ${opts.out}`);
  if (opts.docs) {
    updateDocs(DOCS, report);
    log(`table written into ${DOCS}`);
  }
  return interrupted ? 130 : 0;
}

process.exitCode = await main();
