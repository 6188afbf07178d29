// Go text/template for `--format`: parse once, execute per item. Docker's extra functions are
// included by default; the table header pass swaps in DOCKER_HEADER_FUNCS.
import { execute, TemplateExecError } from './go-template-exec.js';
import { BUILTIN_FUNCS, DOCKER_FUNCS } from './go-template-funcs.js';
import type { FuncMap } from './go-template-funcs.js';
import { parseTemplate, TemplateParseError } from './go-template-parser.js';
import type { ParsedTemplate } from './go-template-parser.js';

export { TemplateExecError, TemplateParseError };
export type { FuncMap, TemplateFunction } from './go-template-funcs.js';
export { goStruct } from './go-value.js';

export interface TemplateOptions {
  /** The template's name in error messages; docker uses "" (`template: :1: ...`). */
  name?: string;
  /** Extra or replacement functions, on top of Go's builtins and docker's. */
  funcs?: FuncMap;
}

export class GoTemplate {
  private constructor(
    readonly source: string,
    private readonly name: string,
    private readonly tree: ParsedTemplate,
    private readonly funcs: FuncMap,
  ) {}

  /** Throws TemplateParseError with Go's message, e.g. `template: :1: unclosed action`. */
  static parse(source: string, options: TemplateOptions = {}): GoTemplate {
    const funcs = { ...BUILTIN_FUNCS, ...DOCKER_FUNCS, ...options.funcs };
    const name = options.name ?? '';
    const tree = parseTemplate(source, name, (fn) => fn in funcs);
    return new GoTemplate(source, name, tree, funcs);
  }

  /** Returns the output; throws TemplateExecError (with Go's message) if execution fails. */
  execute(data: unknown): string {
    const out: string[] = [];
    this.executeInto(data, out);
    return out.join('');
  }

  /** Writes into `out` as it goes, so text produced before an error stays there (as in Go). */
  executeInto(data: unknown, out: string[], funcs?: FuncMap): void {
    execute({ name: this.name, source: this.source, tree: this.tree, funcs: funcs ? { ...this.funcs, ...funcs } : this.funcs }, data, out);
  }
}

/** Parses and runs `source` once. */
export function renderTemplate(source: string, data: unknown, options?: TemplateOptions): string {
  return GoTemplate.parse(source, options).execute(data);
}
