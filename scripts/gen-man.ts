// Writes berth's man pages into the directory given: berth(1) and berth-<command>(1) from the
// CLI's definitions, berthd(8) and daemon.json(5) from the daemon's flags and keys.
// Usage: node --import tsx scripts/gen-man.ts OUTDIR
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { commandPages, manPage, roff, termList } from '../src/cli/output/man-page.js';
import { buildProgram } from '../src/cli/program.js';
import { CONFIG_KEY_DOCS, FLAG_DOCS } from '../src/daemon/config-docs.js';
import { DAEMON_FLAGS, defaultConfig } from '../src/daemon/config.js';

const out = process.argv[2];
if (!out) throw new Error('usage: gen-man.ts OUTDIR');
const date = new Date().toISOString().slice(0, 10);
const program = await buildProgram(() => {
  throw new Error('no daemon while drawing manuals');
}, []);
const pages = commandPages(program, date);

const flags = Object.entries(DAEMON_FLAGS).map(([name, f]): [string, string] => {
  const short = 'short' in f ? `-${f.short}, ` : '';
  return [`${short}--${name}${f.type === 'string' ? ' VALUE' : ''}`, FLAG_DOCS[name] ?? ''];
});
flags.push(['--check', 'Check the host as berth doctor does, print the report and exit (1 when a check failed).']);
pages.set(
  'berthd.8',
  manPage('berthd', '8', 'the berth container engine daemon', [
    { title: 'SYNOPSIS', body: '\\fBberthd\\fR [OPTIONS]' },
    {
      title: 'DESCRIPTION',
      body: roff(
        'berthd serves the Docker Engine REST API on its sockets and runs containers with crun (or runc), conmon, overlayfs and cgroups. Containers keep running when berthd stops or is upgraded; it finds them again at start. Its configuration is /etc/berth/daemon.json (see daemon.json(5)); flags win over the file.',
      ),
    },
    { title: 'OPTIONS', body: termList(flags) },
    { title: 'FILES', body: termList([['/etc/berth/daemon.json', 'configuration'], ['/var/lib/berth', 'data'], ['/run/berth/berth.sock', 'the API socket']]) },
    { title: 'SEE ALSO', body: 'berth(1), daemon.json(5)' },
  ], date),
);
const defaults = defaultConfig() as unknown as Record<string, unknown>;
pages.set(
  'daemon.json.5',
  manPage('daemon.json', '5', 'berthd configuration file', [
    { title: 'DESCRIPTION', body: roff('/etc/berth/daemon.json is a JSON object with dockerd\'s key names. An unknown key is an error. Command-line flags of berthd(8) override it.') },
    {
      title: 'KEYS',
      body: termList(
        Object.entries(CONFIG_KEY_DOCS).map(([k, doc]): [string, string] => [k, `${doc}${k in defaults ? ` Default: ${JSON.stringify(defaults[k])}.` : ''}`]),
      ),
    },
    { title: 'SEE ALSO', body: 'berthd(8)' },
  ], date),
);

for (const [file, text] of pages) {
  const dir = join(out, `man${file.slice(file.lastIndexOf('.') + 1)}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, file), text);
}
console.log(`${pages.size} man pages in ${out}`);
