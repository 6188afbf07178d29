// Executes a parsed Go template against JavaScript data, following text/template's exec.go:
// field lookup on maps/structs/methods, pipelines passing the previous result as the last
// argument, variable scopes, range/break/continue, and Go's error wording with line:col.
import { CallError } from './go-template-funcs.js';
import type { FuncMap } from './go-template-funcs.js';
import { describeArg, describeCommand, describePipe } from './go-template-parser.js';
import type { ArgNode, CommandNode, ControlNode, ListNode, Node, ParsedTemplate, PipeNode } from './go-template-parser.js';
import { formatValue, goTypeName, isTrue, kindOf, mapEntries, mapGet, mapHas } from './go-value.js';

export class TemplateExecError extends Error {}

class BreakSignal {}
class ContinueSignal {}

interface Variable {
  name: string;
  value: unknown;
}

export interface ExecContext {
  name: string;
  source: string;
  tree: ParsedTemplate;
  funcs: FuncMap;
}

/** Runs the template; output written before an error is kept in `out` (Go writes as it goes). */
export function execute(ctx: ExecContext, data: unknown, out: string[]): void {
  new State(ctx, out, [{ name: '$', value: data }]).walk(data, ctx.tree.root);
}

type Located = { pos: number; describe: () => string };

class State {
  private node: Located = { pos: 0, describe: () => '' };
  private depth = 0;

  constructor(
    private readonly ctx: ExecContext,
    private readonly out: string[],
    private vars: Variable[],
  ) {}

  private at(pos: number, describe: () => string): void {
    this.node = { pos, describe };
  }

  private atArg(node: ArgNode): void {
    this.at(node.pos, () => describeArg(node));
  }

  private error(message: string): never {
    const before = this.ctx.source.slice(0, this.node.pos);
    const line = before.split('\n').length;
    const col = Buffer.byteLength(before.slice(before.lastIndexOf('\n') + 1));
    let context = this.node.describe();
    if ([...context].length > 20) context = [...context].slice(0, 20).join('') + '...';
    throw new TemplateExecError(`template: ${this.ctx.name}:${line}:${col}: executing "${this.ctx.name}" at <${context}>: ${message}`);
  }

  walk(dot: unknown, node: Node | ListNode): void {
    switch (node.type) {
      case 'list':
        for (const n of node.nodes) this.walk(dot, n);
        return;
      case 'text':
        this.out.push(node.text);
        return;
      case 'action': {
        // Variables declared by a bare action live until the enclosing block ends.
        const val = this.evalPipeline(dot, node.pipe);
        if (node.pipe.decl.length === 0) this.printValue(node.pos, () => `{{${describePipe(node.pipe)}}}`, val);
        return;
      }
      case 'if':
      case 'with': {
        const mark = this.vars.length;
        const val = this.evalPipeline(dot, node.pipe);
        if (isTrue(val)) this.walk(node.type === 'with' ? val : dot, node.list);
        else if (node.elseList) this.walk(dot, node.elseList);
        this.vars.length = mark;
        return;
      }
      case 'range':
        return this.walkRange(dot, node);
      case 'template':
        return this.walkTemplate(dot, node);
      case 'break':
        throw new BreakSignal();
      case 'continue':
        throw new ContinueSignal();
    }
  }

  private walkRange(dot: unknown, node: ControlNode): void {
    this.at(node.pos, () => `{{range ${describePipe(node.pipe)}}}`);
    const mark = this.vars.length;
    const val = this.evalPipeline(dot, node.pipe);
    const bodyMark = this.vars.length;
    const decl = node.pipe.decl;
    const one = (key: unknown, elem: unknown): boolean => {
      if (decl.length > 0) {
        if (node.pipe.isAssign) {
          this.setVar(decl[0]!, decl.length > 1 ? key : elem);
          if (decl.length > 1) this.setVar(decl[1]!, elem);
        } else {
          this.vars[this.vars.length - 1]!.value = elem;
          if (decl.length > 1) this.vars[this.vars.length - 2]!.value = key;
        }
      }
      try {
        this.walk(elem, node.list);
      } catch (e) {
        if (e instanceof BreakSignal) return false;
        if (!(e instanceof ContinueSignal)) throw e;
      } finally {
        this.vars.length = bodyMark;
      }
      return true;
    };
    let iterated = false;
    switch (kindOf(val)) {
      case 'slice': {
        const arr = Array.from(val as ArrayLike<unknown>);
        for (let i = 0; i < arr.length; i++) {
          iterated = true;
          if (!one(i, arr[i])) break;
        }
        break;
      }
      case 'map':
        for (const [k, v] of mapEntries(val as object)) {
          iterated = true;
          if (!one(k, v)) break;
        }
        break;
      case 'int':
        for (let i = 0; i < (val as number); i++) {
          iterated = true;
          if (!one(i, i)) break;
        }
        break;
      case 'invalid':
      case 'nil':
        break;
      case 'func': {
        // A function of no arguments yielding values, like Go 1.23's iter.Seq.
        const items = (val as () => Iterable<unknown>)();
        let i = 0;
        for (const item of items) {
          iterated = true;
          if (!one(i++, item)) break;
        }
        break;
      }
      default:
        this.error(`range can't iterate over ${formatValue(val)}`);
    }
    if (!iterated && node.elseList) this.walk(dot, node.elseList);
    this.vars.length = mark;
  }

  private walkTemplate(dot: unknown, node: Extract<Node, { type: 'template' }>): void {
    this.at(node.pos, () => `{{template "${node.name}"}}`);
    const tree = this.ctx.tree.defines.get(node.name);
    if (!tree) this.error(`no such template "${node.name}"`);
    const value = node.pipe ? this.evalPipeline(dot, node.pipe) : undefined;
    if (++this.depth > 100000) this.error('exceeded maximum template depth (100000)');
    const saved = this.vars;
    this.vars = [{ name: '$', value }];
    try {
      this.walk(value, tree);
    } finally {
      this.vars = saved;
      this.depth--;
    }
  }

  private printValue(pos: number, describe: () => string, val: unknown): void {
    this.at(pos, describe);
    if (typeof val === 'function') this.error(`can't print ${describe()} of type ${goTypeName(val)}`);
    this.out.push(formatValue(val));
  }

  private setVar(name: string, value: unknown): void {
    for (let i = this.vars.length - 1; i >= 0; i--) {
      if (this.vars[i]!.name === name) {
        this.vars[i]!.value = value;
        return;
      }
    }
    this.error(`undefined variable: ${name}`);
  }

  private varValue(name: string): unknown {
    for (let i = this.vars.length - 1; i >= 0; i--) if (this.vars[i]!.name === name) return this.vars[i]!.value;
    this.error(`undefined variable: ${name}`);
  }

  private evalPipeline(dot: unknown, pipe: PipeNode): unknown {
    this.at(pipe.pos, () => describePipe(pipe));
    let value: unknown = MISSING;
    for (const cmd of pipe.cmds) value = this.evalCommand(dot, cmd, value);
    if (value === MISSING) value = undefined;
    for (const name of pipe.decl) {
      if (pipe.isAssign) this.setVar(name, value);
      else this.vars.push({ name, value });
    }
    return value;
  }

  private notAFunction(args: ArgNode[], final: unknown): void {
    if (args.length > 1 || final !== MISSING) this.error(`can't give argument to non-function ${describeArg(args[0]!)}`);
  }

  private evalCommand(dot: unknown, cmd: CommandNode, final: unknown): unknown {
    const first = cmd.args[0]!;
    switch (first.type) {
      case 'field':
        this.atArg(first);
        return this.evalFieldChain(dot, dot, first, first.ident, cmd.args, final);
      case 'chain': {
        this.atArg(first);
        if (first.node.type === 'nil') this.error(`indirection through explicit nil in ${describeArg(first)}`);
        const receiver = this.evalArg(dot, first.node);
        return this.evalFieldChain(dot, receiver, first, first.field, cmd.args, final);
      }
      case 'identifier':
        return this.evalFunction(dot, first, () => describeCommand(cmd), cmd.args, final);
      case 'pipe':
        this.notAFunction(cmd.args, final);
        return this.evalPipeline(dot, first);
      case 'variable': {
        this.atArg(first);
        const value = this.varValue(first.ident[0]!);
        if (first.ident.length === 1) {
          this.notAFunction(cmd.args, final);
          return value;
        }
        return this.evalFieldChain(dot, value, first, first.ident.slice(1), cmd.args, final);
      }
    }
    this.atArg(first);
    this.notAFunction(cmd.args, final);
    switch (first.type) {
      case 'bool':
      case 'number':
      case 'string':
        return first.value;
      case 'dot':
        return dot;
      case 'nil':
        this.error('nil is not a command');
    }
  }

  private evalArg(dot: unknown, node: ArgNode): unknown {
    this.atArg(node);
    switch (node.type) {
      case 'dot':
        return dot;
      case 'nil':
        return null;
      case 'field':
        return this.evalFieldChain(dot, dot, node, node.ident, [node], MISSING);
      case 'variable': {
        const value = this.varValue(node.ident[0]!);
        return node.ident.length === 1 ? value : this.evalFieldChain(dot, value, node, node.ident.slice(1), [node], MISSING);
      }
      case 'pipe':
        return this.evalPipeline(dot, node);
      case 'identifier':
        return this.evalFunction(dot, node, () => node.name, [node], MISSING);
      case 'chain': {
        const receiver = this.evalArg(dot, node.node);
        return this.evalFieldChain(dot, receiver, node, node.field, [node], MISSING);
      }
      case 'bool':
      case 'number':
      case 'string':
        return node.value;
    }
  }

  private evalFieldChain(dot: unknown, receiver: unknown, node: ArgNode, ident: string[], args: ArgNode[], final: unknown): unknown {
    let cur = receiver;
    for (let i = 0; i < ident.length - 1; i++) cur = this.evalField(dot, ident[i]!, node, [node], MISSING, cur);
    return this.evalField(dot, ident[ident.length - 1]!, node, args, final, cur);
  }

  private evalField(dot: unknown, name: string, node: ArgNode, args: ArgNode[], final: unknown, receiver: unknown): unknown {
    const kind = kindOf(receiver);
    if (kind === 'invalid') return undefined;
    if (kind === 'nil') this.error(`nil pointer evaluating interface {}.${name}`);
    const hasArgs = args.length > 1 || final !== MISSING;
    if (kind === 'map' || kind === 'struct') {
      const obj = receiver as object;
      const present = mapHas(obj, name);
      const value = present ? mapGet(obj, name) : kind === 'struct' ? (obj as Record<string, unknown>)[name] : undefined;
      if (typeof value === 'function') return this.evalCall(dot, value as (...a: unknown[]) => unknown, node, name, args, final, obj);
      if (kind === 'struct' && !present && value === undefined) this.error(`can't evaluate field ${name} in type ${goTypeName(receiver)}`);
      if (hasArgs) this.error(kind === 'map' ? `${name} is not a method but has arguments` : `${name} has arguments but cannot be invoked as function`);
      return value;
    }
    this.error(`can't evaluate field ${name} in type ${goTypeName(receiver)}`);
  }

  /** `describeCall` names the whole command, as Go's "error calling" context does. */
  private evalFunction(dot: unknown, node: Extract<ArgNode, { type: 'identifier' }>, describeCall: () => string, args: ArgNode[], final: unknown): unknown {
    this.atArg(node);
    const name = node.name;
    if (name === 'and' || name === 'or') return this.evalAndOr(dot, name, args, final);
    const fn = this.ctx.funcs[name];
    if (!fn) this.error(`"${name}" is not a defined function`);
    const argv = this.evalCallArgs(dot, name, fn.arity, fn.variadic ?? false, args, final);
    this.at(node.pos, describeCall);
    return this.invoke(name, () => fn.fn(...argv));
  }

  /** Go 1.18+ evaluates and/or lazily, stopping at the deciding argument. */
  private evalAndOr(dot: unknown, name: string, args: ArgNode[], final: unknown): unknown {
    const rest = args.slice(1);
    const count = rest.length + (final !== MISSING ? 1 : 0);
    if (count < 1) this.error(`wrong number of args for ${name}: want at least 1 got 0`);
    let value: unknown;
    for (let i = 0; i < count; i++) {
      value = i < rest.length ? this.evalArg(dot, rest[i]!) : final;
      if (isTrue(value) === (name === 'or')) return value;
    }
    return value;
  }

  private evalCallArgs(dot: unknown, name: string, arity: number, variadic: boolean, args: ArgNode[], final: unknown): unknown[] {
    const given = args.length - 1 + (final !== MISSING ? 1 : 0);
    if (variadic ? given < arity : given !== arity) {
      this.error(`wrong number of args for ${name}: want ${variadic ? 'at least ' : ''}${arity} got ${given}`);
    }
    const argv = args.slice(1).map((a) => this.evalArg(dot, a));
    if (final !== MISSING) argv.push(final);
    return argv;
  }

  private evalCall(dot: unknown, fn: (...a: unknown[]) => unknown, node: ArgNode, name: string, args: ArgNode[], final: unknown, self: object): unknown {
    this.atArg(node);
    const argv = args.slice(1).map((a) => this.evalArg(dot, a));
    if (final !== MISSING) argv.push(final);
    if (fn.length > 0 && argv.length !== fn.length) this.error(`wrong number of args for ${name}: want ${fn.length} got ${argv.length}`);
    this.atArg(node);
    return this.invoke(name, () => fn.apply(self, argv));
  }

  private invoke(name: string, call: () => unknown): unknown {
    try {
      return call();
    } catch (e) {
      if (e instanceof TemplateExecError) throw e;
      const message = e instanceof Error ? e.message : String(e);
      if (e instanceof CallError) this.error(message);
      this.error(`error calling ${name}: ${message}`);
    }
  }
}

/** Marks "no value passed from the previous pipeline stage"; distinct from undefined (<no value>). */
const MISSING: unknown = Symbol('missing');
