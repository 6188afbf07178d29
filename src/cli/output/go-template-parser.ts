// Parses Go text/template tokens into a tree, with Go's parse-time checks and error wording
// ("template: NAME:LINE: unexpected ..."): undefined functions and variables, misplaced keywords.
import { describeToken, goQuote, lex } from './go-template-lexer.js';
import type { Token } from './go-template-lexer.js';

interface Located {
  pos: number;
  line: number;
}

export type ArgNode =
  | ({ type: 'field'; ident: string[] } & Located)
  | ({ type: 'variable'; ident: string[] } & Located)
  | ({ type: 'dot' } & Located)
  | ({ type: 'nil' } & Located)
  | ({ type: 'bool'; value: boolean } & Located)
  | ({ type: 'number'; value: number; text: string } & Located)
  | ({ type: 'string'; value: string; text: string } & Located)
  | ({ type: 'identifier'; name: string } & Located)
  | ({ type: 'chain'; node: ArgNode; field: string[] } & Located)
  | PipeNode;

export interface CommandNode extends Located {
  args: ArgNode[];
}

export interface PipeNode extends Located {
  type: 'pipe';
  isAssign: boolean;
  decl: string[];
  cmds: CommandNode[];
}

export interface ListNode {
  type: 'list';
  nodes: Node[];
}

export type ControlNode = { type: 'if' | 'with' | 'range'; pipe: PipeNode; list: ListNode; elseList: ListNode | null } & Located;

export type Node =
  | ({ type: 'text'; text: string } & Located)
  | ({ type: 'action'; pipe: PipeNode } & Located)
  | ControlNode
  | ({ type: 'template'; name: string; pipe: PipeNode | null } & Located)
  | ({ type: 'break' | 'continue' } & Located);

type EndOrElse = { type: 'end' | 'else' } & Located;

export class TemplateParseError extends Error {}

/** Go's node.String() for error contexts such as `executing "" at <.Foo>`. */
export function describeArg(node: ArgNode): string {
  switch (node.type) {
    case 'field':
      return '.' + node.ident.join('.');
    case 'variable':
      return node.ident.join('.');
    case 'dot':
      return '.';
    case 'nil':
      return 'nil';
    case 'bool':
      return String(node.value);
    case 'number':
    case 'string':
      return node.text;
    case 'identifier':
      return node.name;
    case 'chain':
      return (node.node.type === 'pipe' ? `(${describeArg(node.node)})` : describeArg(node.node)) + '.' + node.field.join('.');
    case 'pipe':
      return describePipe(node);
  }
}

export function describeCommand(cmd: CommandNode): string {
  return cmd.args.map((a) => (a.type === 'pipe' ? `(${describeArg(a)})` : describeArg(a))).join(' ');
}

export function describePipe(pipe: PipeNode): string {
  const decl = pipe.decl.length ? pipe.decl.join(', ') + (pipe.isAssign ? ' = ' : ' := ') : '';
  return decl + pipe.cmds.map(describeCommand).join(' | ');
}

export interface ParsedTemplate {
  root: ListNode;
  /** Templates named by {{define}} or {{block}}. */
  defines: Map<string, ListNode>;
}

export function parseTemplate(source: string, name: string, hasFunction: (name: string) => boolean): ParsedTemplate {
  return new Parser(lex(source), name, hasFunction).parse();
}

class Parser {
  private i = 0;
  private vars: string[] = ['$'];
  private rangeDepth = 0;
  private readonly defines = new Map<string, ListNode>();

  constructor(
    private readonly tokens: Token[],
    private readonly name: string,
    private readonly hasFunction: (name: string) => boolean,
  ) {}

  parse(): ParsedTemplate {
    const root: ListNode = { type: 'list', nodes: [] };
    while (this.peek().type !== 'eof') {
      if (this.peek().type === 'leftDelim') {
        const save = this.i;
        this.next();
        const t = this.nextNonSpace();
        if (t.type === 'keyword' && t.value === 'define') {
          this.parseDefinition(t);
          continue;
        }
        this.i = save;
      }
      const n = this.textOrAction();
      if (n.type === 'end' || n.type === 'else') this.error(n.line, `unexpected {{${n.type}}}`);
      root.nodes.push(n as Node);
    }
    return { root, defines: this.defines };
  }

  private error(line: number, message: string): never {
    throw new TemplateParseError(`template: ${this.name}:${line}: ${message}`);
  }

  private peek(): Token {
    // The stream always ends with eof or error; reading past it keeps returning that token.
    return this.tokens[Math.min(this.i, this.tokens.length - 1)]!;
  }
  private next(): Token {
    const t = this.tokens[Math.min(this.i, this.tokens.length - 1)]!;
    this.i++;
    return t;
  }
  private backup(): void {
    this.i--;
  }
  private peekNonSpace(): Token {
    while (this.peek().type === 'space') this.i++;
    return this.peek();
  }
  private nextNonSpace(): Token {
    this.peekNonSpace();
    return this.next();
  }
  private expect(type: Token['type'], context: string): Token {
    const t = this.nextNonSpace();
    if (t.type !== type) this.unexpected(t, context);
    return t;
  }
  private unexpected(t: Token, context: string): never {
    if (t.type === 'error') this.error(t.line, t.value);
    this.error(t.line, `unexpected ${describeToken(t)} in ${context}`);
  }

  private parseDefinition(at: Token): void {
    const nameTok = this.nextNonSpace();
    if (nameTok.type !== 'string' && nameTok.type !== 'rawString') this.unexpected(nameTok, 'define clause');
    const name = this.unquote(nameTok);
    this.expect('rightDelim', 'define clause');
    const saved = this.vars;
    this.vars = ['$'];
    const [list, end] = this.itemList();
    if (end.type !== 'end') this.error(at.line, `unexpected {{${end.type}}} in define clause`);
    this.vars = saved;
    this.defines.set(name, list);
  }

  private itemList(): [ListNode, EndOrElse] {
    const list: ListNode = { type: 'list', nodes: [] };
    while (this.peekNonSpace().type !== 'eof') {
      const n = this.textOrAction();
      if (n.type === 'end' || n.type === 'else') return [list, n as EndOrElse];
      list.nodes.push(n as Node);
    }
    const t = this.peek();
    this.error(t.line, 'unexpected EOF');
  }

  private textOrAction(): Node | EndOrElse {
    const t = this.nextNonSpace();
    switch (t.type) {
      case 'text':
        return { type: 'text', text: t.value, pos: t.pos, line: t.line };
      case 'leftDelim':
        return this.action();
      default:
        this.unexpected(t, 'input');
    }
  }

  private action(): Node | EndOrElse {
    const t = this.nextNonSpace();
    if (t.type === 'keyword') {
      switch (t.value) {
        case 'block':
          return this.blockControl(t);
        case 'break':
        case 'continue':
          return this.loopControl(t);
        case 'else':
          return this.elseControl(t);
        case 'end':
          this.expect('rightDelim', 'end');
          return { type: 'end', pos: t.pos, line: t.line };
        case 'if':
        case 'range':
        case 'with':
          return this.control(t.value, t);
        case 'template':
          return this.templateControl(t);
      }
    }
    this.backup();
    const at = this.peekNonSpace();
    return { type: 'action', pipe: this.pipeline('command', 'rightDelim'), pos: at.pos, line: at.line };
  }

  private loopControl(t: Token): Node {
    const after = this.nextNonSpace();
    if (after.type !== 'rightDelim') this.unexpected(after, `{{${t.value}}}`);
    if (this.rangeDepth === 0) this.error(t.line, `{{${t.value}}} outside {{range}}`);
    return { type: t.value as 'break' | 'continue', pos: t.pos, line: t.line };
  }

  private elseControl(t: Token): EndOrElse {
    const peek = this.peekNonSpace();
    // "else if" / "else with" leave the keyword for control() to pick up.
    if (peek.type === 'keyword' && (peek.value === 'if' || peek.value === 'with')) return { type: 'else', pos: t.pos, line: t.line };
    this.expect('rightDelim', 'else');
    return { type: 'else', pos: t.pos, line: t.line };
  }

  private control(context: string, at: Token): Node {
    const varCount = this.vars.length;
    const pipe = this.pipeline(context, 'rightDelim');
    if (context === 'range') this.rangeDepth++;
    const [list, afterList] = this.itemList();
    let next = afterList;
    if (context === 'range') this.rangeDepth--;
    let elseList: ListNode | null = null;
    if (next.type === 'else') {
      const peek = this.peek();
      if ((context === 'if' || context === 'with') && peek.type === 'keyword' && peek.value === context) {
        const kw = this.next();
        elseList = { type: 'list', nodes: [this.control(context, kw)] };
      } else {
        [elseList, next] = this.itemList();
        if (next.type !== 'end') this.error(next.line, `expected end; found {{${next.type}}}`);
      }
    }
    this.vars.length = varCount;
    return { type: context as 'if' | 'with' | 'range', pipe, list, elseList, pos: at.pos, line: at.line };
  }

  private templateName(context: string): string {
    const t = this.nextNonSpace();
    if (t.type !== 'string' && t.type !== 'rawString') this.unexpected(t, context);
    return this.unquote(t);
  }

  private templateControl(at: Token): Node {
    const name = this.templateName('template clause');
    let pipe: PipeNode | null = null;
    if (this.nextNonSpace().type !== 'rightDelim') {
      this.backup();
      pipe = this.pipeline('template clause', 'rightDelim');
    }
    return { type: 'template', name, pipe, pos: at.pos, line: at.line };
  }

  private blockControl(at: Token): Node {
    const name = this.templateName('block clause');
    const pipe = this.pipeline('block clause', 'rightDelim');
    const saved = this.vars;
    this.vars = ['$'];
    const [list, end] = this.itemList();
    if (end.type !== 'end') this.error(at.line, `unexpected {{${end.type}}} in block clause`);
    this.vars = saved;
    this.defines.set(name, list);
    return { type: 'template', name, pipe, pos: at.pos, line: at.line };
  }

  private pipeline(context: string, end: 'rightDelim' | 'rightParen'): PipeNode {
    const first = this.peekNonSpace();
    const pipe: PipeNode = { type: 'pipe', isAssign: false, decl: [], cmds: [], pos: first.pos, line: first.line };
    // Declarations: "$x :=", "$x =", and in range "$k, $v :=".
    for (;;) {
      const v = this.peekNonSpace();
      if (v.type !== 'variable') break;
      const save = this.i;
      this.next();
      const next = this.peekNonSpace();
      if (next.type === 'assign' || next.type === 'declare') {
        pipe.isAssign = next.type === 'assign';
        this.next();
        pipe.decl.push(v.value);
        if (!pipe.isAssign) this.vars.push(v.value);
        else this.useVar(v);
        break;
      }
      if (next.type === 'char' && next.value === ',') {
        this.next();
        pipe.decl.push(v.value);
        this.vars.push(v.value);
        if (context === 'range' && pipe.decl.length < 2) {
          const after = this.peekNonSpace();
          if (after.type === 'variable' || after.type === 'rightDelim' || after.type === 'rightParen') continue;
          this.error(after.line, 'range can only initialize variables');
        }
        this.error(next.line, `too many declarations in ${context}`);
      }
      this.i = save;
      break;
    }
    for (;;) {
      const t = this.nextNonSpace();
      if (t.type === end) {
        this.checkPipeline(pipe, context, t);
        return pipe;
      }
      switch (t.type) {
        case 'bool':
        case 'charConstant':
        case 'dot':
        case 'field':
        case 'identifier':
        case 'number':
        case 'nil':
        case 'rawString':
        case 'string':
        case 'variable':
        case 'leftParen':
          this.backup();
          pipe.cmds.push(this.command());
          break;
        default:
          this.unexpected(t, context);
      }
    }
  }

  private checkPipeline(pipe: PipeNode, context: string, at: Token): void {
    if (pipe.cmds.length === 0) this.error(at.line, `missing value for ${context}`);
    pipe.cmds.slice(1).forEach((c, i) => {
      const t = c.args[0]!.type;
      if (t === 'bool' || t === 'dot' || t === 'nil' || t === 'number' || t === 'string') {
        this.error(at.line, `non executable command in pipeline stage ${i + 2}`);
      }
    });
  }

  private command(): CommandNode {
    const at = this.peekNonSpace();
    const cmd: CommandNode = { args: [], pos: at.pos, line: at.line };
    for (;;) {
      this.peekNonSpace();
      const operand = this.operand();
      if (operand) cmd.args.push(operand);
      const t = this.next();
      if (t.type === 'space') continue;
      if (t.type === 'rightDelim' || t.type === 'rightParen') this.backup();
      else if (t.type !== 'pipe') this.unexpected(t, 'operand');
      break;
    }
    if (cmd.args.length === 0) this.error(at.line, 'empty command');
    return cmd;
  }

  private operand(): ArgNode | null {
    const node = this.term();
    if (!node) return null;
    if (this.peek().type !== 'field') return node;
    const at = this.peek();
    const fields: string[] = [];
    while (this.peek().type === 'field') fields.push(this.next().value.slice(1));
    switch (node.type) {
      case 'field':
        return { type: 'field', ident: [...node.ident, ...fields], pos: at.pos, line: at.line };
      case 'variable':
        return { type: 'variable', ident: [...node.ident, ...fields], pos: at.pos, line: at.line };
      case 'bool':
      case 'string':
      case 'number':
      case 'nil':
      case 'dot':
        this.error(at.line, `unexpected . after term ${goQuote(describeArg(node))}`);
      // falls through (error() never returns)
      default:
        return { type: 'chain', node, field: fields, pos: at.pos, line: at.line };
    }
  }

  private term(): ArgNode | null {
    const t = this.nextNonSpace();
    const at = { pos: t.pos, line: t.line };
    switch (t.type) {
      case 'identifier':
        if (!this.hasFunction(t.value)) this.error(t.line, `function ${goQuote(t.value)} not defined`);
        return { type: 'identifier', name: t.value, ...at };
      case 'dot':
        return { type: 'dot', ...at };
      case 'nil':
        return { type: 'nil', ...at };
      case 'variable':
        return { type: 'variable', ident: this.useVar(t), ...at };
      case 'field':
        return { type: 'field', ident: [t.value.slice(1)], ...at };
      case 'bool':
        return { type: 'bool', value: t.value === 'true', ...at };
      case 'charConstant':
        return { type: 'number', value: this.unquote(t).codePointAt(0)!, text: t.value, ...at };
      case 'number':
        return { type: 'number', value: this.number(t), text: t.value, ...at };
      case 'leftParen':
        return this.pipeline('parenthesized pipeline', 'rightParen');
      case 'string':
      case 'rawString':
        return { type: 'string', value: this.unquote(t), text: t.value, ...at };
    }
    this.backup();
    return null;
  }

  private useVar(t: Token): string[] {
    const ident = t.value.split('.');
    if (!this.vars.includes(ident[0]!)) this.error(t.line, `undefined variable ${goQuote(ident[0]!)}`);
    return ident;
  }

  private number(t: Token): number {
    const text = t.value.replace(/_/g, '');
    let n: number;
    const m = /^([+-]?)0([xob])([0-9a-f]+)$/i.exec(text);
    if (m) n = (m[1] === '-' ? -1 : 1) * parseInt(m[3]!, { x: 16, o: 8, b: 2 }[m[2]!.toLowerCase()]!);
    else if (/^[+-]?0[0-7]+$/.test(text)) n = parseInt(text, 8);
    else if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) n = Number(text);
    else this.error(t.line, `illegal number syntax: ${goQuote(t.value)}`);
    if (Number.isNaN(n)) this.error(t.line, `illegal number syntax: ${goQuote(t.value)}`);
    return n;
  }

  private unquote(t: Token): string {
    if (t.type === 'rawString') return t.value.slice(1, -1).replace(/\r/g, '');
    const body = t.value.slice(1, -1);
    let out = '';
    for (let i = 0; i < body.length; i++) {
      const c = body[i]!;
      if (c !== '\\') {
        out += c;
        continue;
      }
      const e = body[++i];
      const simple: Record<string, string> = { n: '\n', t: '\t', r: '\r', a: '\x07', b: '\b', f: '\f', v: '\v', '\\': '\\', '"': '"', "'": "'" };
      if (e !== undefined && simple[e] !== undefined) {
        out += simple[e];
      } else if (e === 'x' || e === 'u' || e === 'U') {
        const len = e === 'x' ? 2 : e === 'u' ? 4 : 8;
        const hex = body.slice(i + 1, i + 1 + len);
        if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== len) this.error(t.line, 'invalid syntax');
        out += e === 'x' ? String.fromCharCode(parseInt(hex, 16)) : String.fromCodePoint(parseInt(hex, 16));
        i += len;
      } else if (e !== undefined && e >= '0' && e <= '7') {
        const oct = body.slice(i, i + 3);
        if (!/^[0-7]{3}$/.test(oct)) this.error(t.line, 'invalid syntax');
        out += String.fromCharCode(parseInt(oct, 8));
        i += 2;
      } else {
        this.error(t.line, 'invalid syntax');
      }
    }
    return out;
  }
}
