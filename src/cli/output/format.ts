// docker/cli's `--format` semantics for list commands (formatter.Context): "table" and "" give
// the command's default table, "table <tmpl>" a table with a header row taken from the command's
// column titles, "json" one JSON object per line, anything else a raw template per item.
import { GoTemplate, TemplateExecError, TemplateParseError } from './go-template.js';
import type { FuncMap } from './go-template.js';
import { DOCKER_HEADER_FUNCS } from './go-template-funcs.js';
import { alignColumns } from './table.js';

export const TABLE_FORMAT_KEY = 'table';
export const JSON_FORMAT_KEY = 'json';
export const DEFAULT_QUIET_FORMAT = '{{.ID}}';

export interface ListFormatOptions {
  /** What the user passed to --format; empty or undefined means "table". */
  format?: string;
  /** The command's default table, e.g. "table {{.ID}}\t{{.Image}}" (\t may be literal or escaped). */
  defaultTableFormat: string;
  /** Column titles by field name, e.g. { ID: 'CONTAINER ID', Image: 'IMAGE' }. */
  headers: Record<string, string>;
  /** -q: print only quietFormat for each item. */
  quiet?: boolean;
  /** What -q prints; docker uses {{.ID}}. */
  quietFormat?: string;
  funcs?: FuncMap;
}

/** A --format problem, worded as docker prints it; the CLI prints the message and exits 1. */
export class FormatError extends Error {}

export function isTableFormat(format: string): boolean {
  return format.startsWith(TABLE_FORMAT_KEY);
}

export function isJsonFormat(format: string): boolean {
  return format.trim() === JSON_FORMAT_KEY;
}

/** docker's warning when -q and a custom --format are both given; print it to stderr. */
export function quietFormatWarning(options: Pick<ListFormatOptions, 'format' | 'quiet'>): string | undefined {
  const format = options.format ?? '';
  if (!options.quiet || format === '' || format === TABLE_FORMAT_KEY) return undefined;
  return 'WARNING: Ignoring custom format, because both --format and --quiet are set.';
}

/** The format docker actually runs for these options (its NewContainerFormat and friends). */
export function effectiveFormat(options: ListFormatOptions): string {
  const format = options.format || TABLE_FORMAT_KEY;
  if (options.quiet) return options.quietFormat ?? DEFAULT_QUIET_FORMAT;
  return format === TABLE_FORMAT_KEY ? options.defaultTableFormat : format;
}

/** The template text after docker's preFormat: "table" prefix cut, \t and \n escapes expanded. */
function templateText(format: string): string {
  let text = format;
  if (isTableFormat(format)) text = format.slice(TABLE_FORMAT_KEY.length);
  else if (isJsonFormat(format)) text = '{{json .}}';
  return text.replace(/^ +| +$/g, '').replace(/\\t|\\n/g, (e) => (e === '\\t' ? '\t' : '\n'));
}

/** Header data: a map[string]string, so an unknown field gives "" rather than <no value>. */
class HeaderMap extends Map<string, string> {
  override get(key: string): string {
    return super.get(key) ?? '';
  }
}

/** Renders `items` (typically goFormatterContext objects) the way docker's formatter.Context.Write does. */
export function renderList(items: readonly unknown[], options: ListFormatOptions): string {
  const format = effectiveFormat(options);
  const template = parseFormat(templateText(format), options.funcs);
  let body = '';
  for (const item of items) {
    try {
      body += template.execute(item) + '\n';
    } catch (e) {
      if (e instanceof TemplateExecError) throw new FormatError(`template parsing error: ${e.message}`);
      throw e;
    }
  }
  if (!isTableFormat(format)) return body;
  // Docker ignores errors in the header pass and keeps whatever it wrote before them.
  const header: string[] = [];
  try {
    template.executeInto(new HeaderMap(Object.entries(options.headers)), header, DOCKER_HEADER_FUNCS);
  } catch (e) {
    if (!(e instanceof TemplateExecError)) throw e;
  }
  return alignColumns(header.join('') + '\n' + body);
}

/** Parses a --format template, throwing FormatError with docker's wording on a syntax error. */
export function parseFormat(text: string, funcs?: FuncMap): GoTemplate {
  try {
    return GoTemplate.parse(text, { funcs });
  } catch (e) {
    if (e instanceof TemplateParseError) throw new FormatError(`template parsing error: ${e.message}`);
    throw e;
  }
}

/**
 * Renders one object with a user template, as `docker inspect --format` does: each result on its
 * own line. Throws FormatError; docker exits 64 for parse errors here and 1 for execution errors.
 */
export function renderEach(items: readonly unknown[], format: string, funcs?: FuncMap): string {
  const template = parseFormat(format, funcs);
  let out = '';
  for (const item of items) {
    try {
      out += template.execute(item) + '\n';
    } catch (e) {
      if (e instanceof TemplateExecError) throw new FormatError(`template parsing error: ${e.message}`);
      throw e;
    }
  }
  return out;
}
