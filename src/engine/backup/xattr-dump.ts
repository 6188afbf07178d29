import { spawn } from 'node:child_process';
import { SystemError } from '../../common/errors.js';

// Extended attributes (security.capability, POSIX ACLs as system.posix_acl_*, trusted.overlay.*,
// user.*) through getfattr/setfattr from the attr package: Node has no xattr calls, and one
// process for a whole tree costs less than a native module to build and ship.

/** Runs a tool, feeding `input`, and hands back its stdout. */
function run(cmd: string, args: string[], o: { cwd?: string; input?: string; okCodes?: number[] } = {}): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: o.cwd, stdio: [o.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let stderr = '';
    child.stdout!.on('data', (d: Buffer) => out.push(d));
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', (err) => reject(new SystemError(`${cmd}: ${err.message}`)));
    child.on('close', (code) =>
      (o.okCodes ?? [0]).includes(code ?? -1) ? resolve(Buffer.concat(out)) : reject(new SystemError(`${cmd}: ${stderr.trim() || `exit ${code}`}`)),
    );
    if (o.input !== undefined) child.stdin!.end(o.input);
  });
}

/** getfattr's quoting undone: octal escapes back to bytes. */
function unquote(s: string): string {
  const bytes = Buffer.from(s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8))), 'latin1');
  return bytes.toString('utf8');
}

/** Every xattr under `root` (symlinks not followed), keyed by path relative to root ('' for root). */
export async function readTreeXattrs(root: string): Promise<Map<string, Map<string, Buffer>>> {
  // Exit 1 means some file vanished or could not be read; the walk still dumps the rest.
  const text = (await run('getfattr', ['-R', '-P', '-h', '-d', '-m', '-', '-e', 'hex', '.'], { cwd: root, okCodes: [0, 1] })).toString('latin1');
  const out = new Map<string, Map<string, Buffer>>();
  let current: Map<string, Buffer> | undefined;
  for (const line of text.split('\n')) {
    if (line.startsWith('# file: ')) {
      const name = unquote(line.slice(8));
      const rel = name === '.' ? '' : name.replace(/^\.\//, '');
      current = new Map();
      out.set(rel, current);
      continue;
    }
    const eq = line.indexOf('=');
    if (!current || eq <= 0) continue;
    const value = line.slice(eq + 1);
    current.set(unquote(line.slice(0, eq)), value.startsWith('0x') ? Buffer.from(value.slice(2), 'hex') : Buffer.alloc(0));
  }
  return out;
}
