import { InvalidArgumentError } from '../../common/errors.js';

// Docker's image reference grammar (distribution/reference), written from its documented
// grammar: ParseNormalizedNamed, TagNameOnly and FamiliarString.

export const DEFAULT_DOMAIN = 'docker.io';
const LEGACY_DEFAULT_DOMAIN = 'index.docker.io';
const OFFICIAL_REPO_PREFIX = 'library/';
const NAME_TOTAL_LENGTH_MAX = 255;

const alnum = '[a-z0-9]+';
const separator = '(?:[._]|__|[-]+)';
const pathComponent = `${alnum}(?:${separator}${alnum})*`;
const domainComponent = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const ipv6 = '\\[(?:[a-fA-F0-9:]+)\\]';
const domain = `(?:${domainComponent}(?:\\.${domainComponent})*|${ipv6})(?::[0-9]+)?`;
const tag = '[\\w][\\w.-]{0,127}';
const digest = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}';
const name = `(?:${domain}/)?${pathComponent}(?:/${pathComponent})*`;

const referenceRe = new RegExp(`^(${name})(?::(${tag}))?(?:@(${digest}))?$`);
const domainRe = new RegExp(`^(${domain})/`);
const identifierRe = /^[a-f0-9]{64}$/;
const shortIdentifierRe = /^[a-f0-9]{6,64}$/;

/** A parsed, normalised reference: docker.io/library/nginx:latest has domain docker.io, path library/nginx. */
export interface ImageReference {
  domain: string;
  path: string;
  tag?: string;
  digest?: string;
}

export const REFERENCE_FORMAT_ERROR = 'invalid reference format';

function splitDockerDomain(s: string): { domain: string; remainder: string } {
  const i = s.indexOf('/');
  let dom: string;
  let remainder: string;
  const first = i === -1 ? '' : s.slice(0, i);
  if (i === -1 || (!/[.:]/.test(first) && first !== 'localhost' && first.toLowerCase() === first)) {
    dom = DEFAULT_DOMAIN;
    remainder = s;
  } else {
    dom = first;
    remainder = s.slice(i + 1);
  }
  if (dom === LEGACY_DEFAULT_DOMAIN) dom = DEFAULT_DOMAIN;
  if (dom === DEFAULT_DOMAIN && !remainder.includes('/')) remainder = OFFICIAL_REPO_PREFIX + remainder;
  return { domain: dom, remainder };
}

/** Parses a user-typed reference the way the docker CLI and daemon do (nginx → docker.io/library/nginx). */
export function parseNormalizedNamed(s: string): ImageReference {
  if (identifierRe.test(s)) {
    throw new InvalidArgumentError(`invalid repository name (${s}), cannot specify 64-byte hexadecimal strings`);
  }
  const { domain: dom, remainder } = splitDockerDomain(s);
  const tagSep = remainder.indexOf(':');
  const remoteName = tagSep > -1 ? remainder.slice(0, tagSep) : remainder;
  if (remoteName.toLowerCase() !== remoteName) {
    throw new InvalidArgumentError(`invalid reference format: repository name (${remoteName}) must be lowercase`);
  }
  return parseReference(`${dom}/${remainder}`);
}

/** Parses an already fully-qualified reference (domain/path[:tag][@digest]). */
export function parseReference(s: string): ImageReference {
  const m = referenceRe.exec(s);
  if (!m) {
    if (s === '') throw new InvalidArgumentError(`${REFERENCE_FORMAT_ERROR}: repository name must have at least one component`);
    if (referenceRe.test(s.toLowerCase())) throw new InvalidArgumentError(`${REFERENCE_FORMAT_ERROR}: repository name must be lowercase`);
    throw new InvalidArgumentError(REFERENCE_FORMAT_ERROR);
  }
  const full = m[1]!;
  if (full.length > NAME_TOTAL_LENGTH_MAX) {
    throw new InvalidArgumentError(`${REFERENCE_FORMAT_ERROR}: repository name must not be more than ${NAME_TOTAL_LENGTH_MAX} characters`);
  }
  const dm = domainRe.exec(full);
  let dom = '';
  let path = full;
  if (dm) {
    dom = dm[1]!;
    path = full.slice(dm[0].length);
  }
  const ref: ImageReference = { domain: dom, path };
  if (m[2] !== undefined) ref.tag = m[2];
  if (m[3] !== undefined) {
    const [alg, hex] = m[3].split(':') as [string, string];
    if (alg === 'sha256' && hex.length !== 64) throw new InvalidArgumentError('invalid checksum digest length');
    if (alg !== 'sha256' && alg !== 'sha384' && alg !== 'sha512') throw new InvalidArgumentError('unsupported digest algorithm');
    ref.digest = m[3];
  }
  return ref;
}

/** Adds the default tag `latest` when the reference has neither tag nor digest. */
export function tagNameOnly(ref: ImageReference): ImageReference {
  if (ref.tag === undefined && ref.digest === undefined) return { ...ref, tag: 'latest' };
  return ref;
}

/** docker.io/library/nginx — the repository name with its domain. */
export function fullName(ref: ImageReference): string {
  return ref.domain ? `${ref.domain}/${ref.path}` : ref.path;
}

/** The complete normalised string: docker.io/library/nginx:latest@sha256:… */
export function referenceString(ref: ImageReference): string {
  return fullName(ref) + (ref.tag !== undefined ? `:${ref.tag}` : '') + (ref.digest ? `@${ref.digest}` : '');
}

/** The name as users write it: nginx, localhost:5000/x, user/app. */
export function familiarName(ref: ImageReference): string {
  if (ref.domain === DEFAULT_DOMAIN) {
    const rest = ref.path.startsWith(OFFICIAL_REPO_PREFIX) ? ref.path.slice(OFFICIAL_REPO_PREFIX.length) : ref.path;
    return rest.includes('/') ? ref.path : rest;
  }
  return fullName(ref);
}

/** The reference as users write it: nginx:latest, localhost:5000/x:1@sha256:… */
export function familiarString(ref: ImageReference): string {
  return familiarName(ref) + (ref.tag !== undefined ? `:${ref.tag}` : '') + (ref.digest ? `@${ref.digest}` : '');
}

/** Turns a stored normalised string (docker.io/library/nginx:latest) into its familiar form. */
export function familiarize(normalized: string): string {
  return familiarString(parseReference(normalized));
}

/** Whether a string could be an image id or an unambiguous prefix of one. */
export function looksLikeId(s: string): boolean {
  return shortIdentifierRe.test(s.replace(/^sha256:/, ''));
}

/** The host to contact for a domain: Docker Hub's API lives on registry-1.docker.io. */
export function registryHost(dom: string): string {
  return dom === DEFAULT_DOMAIN ? 'registry-1.docker.io' : dom;
}
