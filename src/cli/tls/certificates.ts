import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// Certificates for a tcp:// daemon, made with the openssl CLI (no ASN.1 of our own): a CA, a server
// certificate with the names clients dial, client certificates. ECDSA P-256 keys, which dockerd,
// the docker CLI (Go), docker-py (OpenSSL) and Node all accept. Keys are written 0600.

export const CA_DAYS = 3650;
export const LEAF_DAYS = 825;

export class OpensslError extends Error {}

function openssl(args: string[], input?: string): string {
  const r = spawnSync('openssl', args, { input, encoding: 'utf8' });
  if (r.error) throw new OpensslError(`openssl is needed to make certificates (apt-get install openssl): ${r.error.message}`);
  if (r.status !== 0) throw new OpensslError(`openssl ${args[0]} failed: ${r.stderr.trim()}`);
  return r.stdout;
}

function newKey(): string {
  return openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256']);
}

/** `/CN=a/OU=b` with openssl's escaping of the separators. */
function subjectArg(fields: [string, string][]): string {
  return fields.map(([k, v]) => `/${k}=${v.replace(/[/\\,+=]/g, (c) => `\\${c}`)}`).join('');
}

function writeKey(path: string, pem: string): void {
  writeFileSync(path, pem, { mode: 0o600 });
  chmodSync(path, 0o600);
}

function writePublic(path: string, pem: string): void {
  writeFileSync(path, pem, { mode: 0o644 });
  chmodSync(path, 0o644);
}

function withTemp<T>(fn: (dir: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'berth-tls-'));
  try {
    return fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const REQ_CONFIG = '[req]\ndistinguished_name = dn\nprompt = no\n[dn]\nCN = berth\n';

/** Files a CA directory holds. */
export function caFiles(dir: string): { cert: string; key: string } {
  return { cert: join(dir, 'ca.pem'), key: join(dir, 'ca-key.pem') };
}

/** Makes a CA (ca.pem, ca-key.pem) in `dir`. */
export function makeCa(dir: string, commonName: string, days = CA_DAYS): void {
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  const files = caFiles(dir);
  const key = newKey();
  writeKey(files.key, key);
  withTemp((tmp) => {
    const cnf = join(tmp, 'req.cnf');
    writeFileSync(cnf, `${REQ_CONFIG}[ca]\nbasicConstraints = critical,CA:TRUE\nkeyUsage = critical,keyCertSign,cRLSign\nsubjectKeyIdentifier = hash\n`);
    const cert = openssl(
      ['req', '-x509', '-new', '-key', files.key, '-config', cnf, '-extensions', 'ca', '-subj', subjectArg([['CN', commonName]]), '-days', String(days), '-sha256'],
    );
    writePublic(files.cert, cert);
  });
}

export interface LeafRequest {
  caDir: string;
  outDir: string;
  kind: 'server' | 'client';
  commonName: string;
  organizationalUnit?: string;
  /** Server names: `DNS:name` and `IP:addr` entries. */
  altNames?: string[];
  days?: number;
}

/** Makes key.pem + cert.pem signed by the CA in `caDir`, with a copy of ca.pem beside them. */
export function makeLeaf(req: LeafRequest): void {
  const ca = caFiles(req.caDir);
  for (const f of [ca.cert, ca.key]) if (!existsSync(f)) throw new OpensslError(`no CA at ${req.caDir}: ${f} is missing (run \`berth tls init\` first)`);
  mkdirSync(req.outDir, { recursive: true, mode: req.kind === 'client' ? 0o700 : 0o755 });
  const keyPath = join(req.outDir, 'key.pem');
  writeKey(keyPath, newKey());
  const subject: [string, string][] = [['CN', req.commonName]];
  if (req.organizationalUnit) subject.push(['OU', req.organizationalUnit]);
  const ext = [
    'basicConstraints = critical,CA:FALSE',
    req.kind === 'server' ? 'keyUsage = critical,digitalSignature,keyEncipherment' : 'keyUsage = critical,digitalSignature',
    `extendedKeyUsage = ${req.kind === 'server' ? 'serverAuth' : 'clientAuth'}`,
    'subjectKeyIdentifier = hash',
    'authorityKeyIdentifier = keyid,issuer',
  ];
  if (req.altNames?.length) ext.push(`subjectAltName = ${req.altNames.join(',')}`);
  withTemp((tmp) => {
    const cnf = join(tmp, 'req.cnf');
    writeFileSync(cnf, REQ_CONFIG);
    const csrPath = join(tmp, 'req.csr');
    writeFileSync(csrPath, openssl(['req', '-new', '-key', keyPath, '-config', cnf, '-subj', subjectArg(subject)]));
    const extPath = join(tmp, 'ext.cnf');
    writeFileSync(extPath, `${ext.join('\n')}\n`);
    const serial = `0x${randomBytes(16).toString('hex').replace(/^[89a-f]/, '7')}`;
    const cert = openssl(
      ['x509', '-req', '-in', csrPath, '-CA', ca.cert, '-CAkey', ca.key, '-set_serial', serial, '-days', String(req.days ?? LEAF_DAYS), '-sha256', '-extfile', extPath],
    );
    writePublic(join(req.outDir, 'cert.pem'), cert);
  });
  writePublic(join(req.outDir, 'ca.pem'), readFileSync(ca.cert, 'utf8'));
}

/** `DNS:`/`IP:` subjectAltName entries for the names and addresses given, loopback always included. */
export function serverAltNames(hostnames: string[], ips: string[]): string[] {
  const names = new Set(['localhost', ...hostnames]);
  const addrs = new Set(['127.0.0.1', '::1', ...ips]);
  return [...[...names].map((n) => `DNS:${n}`), ...[...addrs].map((a) => `IP:${a}`)];
}
