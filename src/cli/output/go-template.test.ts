import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GoTemplate, goStruct, renderTemplate, TemplateExecError, TemplateParseError } from './go-template.js';

const inspect = {
  Id: 'abc123',
  Name: '/web',
  State: { Status: 'running', Running: true, Pid: 42, Health: null },
  Config: { Labels: { b: '2', a: '1', 'com.x': '<&>' }, Env: ['A=1', 'B=2'] },
  NetworkSettings: { Networks: { bridge: { IPAddress: '172.17.0.2' } }, Ports: { '80/tcp': [{ HostIp: '0.0.0.0', HostPort: '8080' }] } },
  Size: 1234567,
  Ratio: 1.5,
  Big: 1234567.5,
};

// Expected outputs follow Go's text/template + docker/cli's functions (checked against docker v28).
const cases: [string, string][] = [
  ['{{.Id}}', 'abc123'],
  ['{{.State.Running}} {{.State.Pid}}', 'true 42'],
  ['{{json .Config.Labels}}', '{"a":"1","b":"2","com.x":"<&>"}'],
  ['{{range $k,$v := .Config.Labels}}{{$k}}={{$v}} {{end}}', 'a=1 b=2 com.x=<&> '],
  ['{{if eq .State.Status "running"}}up{{end}}', 'up'],
  ['{{if eq .State.Status "exited" "running"}}either{{end}}', 'either'],
  ['{{index .NetworkSettings.Networks "bridge"}}', 'map[IPAddress:172.17.0.2]'],
  ['{{(index .NetworkSettings.Ports "80/tcp")}}', '[map[HostIp:0.0.0.0 HostPort:8080]]'],
  ['{{(index (index .NetworkSettings.Ports "80/tcp") 0).HostPort}}', '8080'],
  ['{{.NetworkSettings.Networks.bridge.IPAddress}}', '172.17.0.2'],
  ['{{range $n, $c := .NetworkSettings.Networks}}{{$n}}={{$c.IPAddress}}{{end}}', 'bridge=172.17.0.2'],
  ['{{println .Id}}', 'abc123\n'],
  ['{{.Missing}}', '<no value>'],
  ['{{.Missing.Deeper}}', '<no value>'],
  ['{{json .Missing}}', 'null'],
  ['{{.State.Health}}', '<nil>'],
  ['{{.Config.Labels}}', 'map[a:1 b:2 com.x:<&>]'],
  ['{{.Config.Env}} {{len .Config.Env}} {{index .Config.Env 1}}', '[A=1 B=2] 2 B=2'],
  ['{{.Size}} {{.Ratio}} {{.Big}}', '1234567 1.5 1.2345675e+06'],
  ['{{- " a " -}}  x  {{- /* comment */ -}}  y', ' a xy'],
  ['a {{/* c */}} b', 'a  b'],
  ['{{with .State}}{{.Pid}}{{else}}none{{end}}', '42'],
  ['{{with .Missing}}x{{else}}none{{end}}', 'none'],
  ['{{if .Missing}}a{{else if .State.Running}}b{{else}}c{{end}}', 'b'],
  ['{{if not .State.Running}}down{{else}}up{{end}}', 'up'],
  ['{{printf "%s-%d %q %5.2f|%-5s|%05d|%x|%v" .Id 3 "x" 3.14159 "ab" 42 255 .Config.Env}}', 'abc123-3 "x"  3.14|ab   |00042|ff|[A=1 B=2]'],
  ['{{printf "%s-%d" 3 "linux"}}', '%!s(int=3)-%!d(string=linux)'],
  ['{{printf "%s %s" "a"}}', 'a %!s(MISSING)'],
  ['{{.Id | upper | printf "%s!"}}', 'ABC123!'],
  ['{{range .Config.Env}}{{.}};{{else}}empty{{end}}', 'A=1;B=2;'],
  ['{{range .Missing}}x{{else}}empty{{end}}', 'empty'],
  ['{{range $i, $e := .Config.Env}}{{$i}}:{{$e}},{{end}}', '0:A=1,1:B=2,'],
  ['{{range .Config.Env}}{{if eq . "A=1"}}{{continue}}{{end}}{{.}}{{end}}', 'B=2'],
  ['{{range .Config.Env}}{{.}}{{break}}{{end}}', 'A=1'],
  ['{{$x := 5}}{{$x}}{{$x = 6}}{{$x}}', '56'],
  ['{{range .Config.Env}}{{$.Id}}{{end}}', 'abc123abc123'],
  ['{{join .Config.Env ","}} {{split "a,b" ","}} {{title "hello world"}} [{{pad "x" 1 2}}] {{truncate "abcdef" 3}} {{lower "AB"}}', 'A=1,B=2 [a b] Hello World [ x  ] abc ab'],
  ['{{and 1 0}} {{or 0 "" "z"}} {{not true}} {{and .Missing .Foo.Bar}}', '0 z false <no value>'],
  ['{{slice "abcdef" 1 3}} {{slice .Config.Env 1}}', 'bc [B=2]'],
  ['{{lt 1 2}} {{le 2 2}} {{gt "b" "a"}} {{ge 1 2}} {{ne .Id "x"}}', 'true true true false true'],
  ['{{"a\\tb\\u0041\\x41"}} {{`raw\\n`}} {{\'a\'}} {{0x10}} {{1e3}} {{-5}} {{print nil}}', 'a\tbAA raw\\n 97 16 1000 -5 <nil>'],
  ['{{print 1 2 "a" "b" 3}}', '1 2ab3'],
  ['{{len "héllo"}}', '6'],
  ['{{range 3}}{{.}}{{end}}', '012'],
  ['{{define "T"}}<{{.}}>{{end}}{{template "T" .Id}}', '<abc123>'],
  ['{{block "B" .Name}}[{{.}}]{{end}}', '[/web]'],
  ['{{html "<a&b>"}} {{urlquery "a b&c"}} {{js "it\'s"}}', "&lt;a&amp;b&gt; a+b%26c it\\'s"],
  ['{{.State.Status | printf "%s" | len}}', '7'],
];

test('executes templates like Go text/template with docker functions', () => {
  for (const [tmpl, want] of cases) assert.equal(renderTemplate(tmpl, inspect), want, tmpl);
});

test('json is compact, keeps struct field order, sorts map keys and does not HTML-escape', () => {
  assert.equal(renderTemplate('{{json .State}}', inspect), '{"Status":"running","Running":true,"Pid":42,"Health":null}');
  assert.equal(renderTemplate('{{json "<a&b>\\u2028"}}', {}), '"<a&b>\\u2028"');
  assert.equal(renderTemplate('{{json .}}', { b: 1, a: [1.5, 'x', null, true] }), '{"a":[1.5,"x",null,true],"b":1}');
  assert.equal(renderTemplate('{{json .}}', new Map([['z', 1], ['y', 2]])), '{"y":2,"z":1}');
});

test('struct values: missing fields are errors, functions are methods', () => {
  const ctx = goStruct({ ID: 'x', Label: (k: string) => `L:${k}`, Names: () => 'web' }, '*formatter.ContainerContext');
  assert.equal(renderTemplate('{{.ID}} {{.Label "a"}} {{.Names}} {{.Names | upper}}', ctx), 'x L:a web WEB');
  const errors: [string, string][] = [
    ['{{.Foo}}', 'template: :1:2: executing "" at <.Foo>: can\'t evaluate field Foo in type *formatter.ContainerContext'],
    ['{{.Foo.Bar}}', 'template: :1:6: executing "" at <.Foo.Bar>: can\'t evaluate field Foo in type *formatter.ContainerContext'],
    ['{{.ID.Foo}}', 'template: :1:5: executing "" at <.ID.Foo>: can\'t evaluate field Foo in type string'],
    ['{{index . 1}}', 'template: :1:2: executing "" at <index . 1>: error calling index: can\'t index item of type *formatter.ContainerContext'],
    ['x\n {{.ID | len | upper}}', 'template: :2:15: executing "" at <upper>: wrong type for value; expected string; got int'],
    ['{{.ID 1}}', 'template: :1:2: executing "" at <.ID>: ID has arguments but cannot be invoked as function'],
    ['{{range .ID}}{{end}}', 'template: :1:8: executing "" at <.ID>: range can\'t iterate over x'],
    ['{{eq .ID 1}}', 'template: :1:2: executing "" at <eq .ID 1>: error calling eq: incompatible types for comparison'],
  ];
  for (const [tmpl, message] of errors) {
    assert.throws(() => renderTemplate(tmpl, ctx), (e: Error) => e instanceof TemplateExecError && e.message === message, tmpl);
  }
});

test('parse errors use Go wording', () => {
  const errors: [string, string][] = [
    ['{{', 'template: :1: unclosed action'],
    ['{{.Foo}', "template: :1: bad character U+007D '}'"],
    ['{{ } }}', 'template: :1: unexpected "}" in command'],
    ['{{end}}', 'template: :1: unexpected {{end}}'],
    ['{{if .A}}', 'template: :1: unexpected EOF'],
    ['{{if}}{{end}}', 'template: :1: missing value for if'],
    ['{{nofunc 1}}', 'template: :1: function "nofunc" not defined'],
    ['a\n{{$y}}', 'template: :2: undefined variable "$y"'],
    ['{{1 | 2}}', 'template: :1: non executable command in pipeline stage 2'],
    ['{{"abc}}', 'template: :1: unterminated quoted string'],
    ['{{/* x }}', 'template: :1: unclosed comment'],
    ['{{break}}', 'template: :1: {{break}} outside {{range}}'],
    ['{{(.A}}', 'template: :1: unclosed left paren'],
    ['{{.A)}}', 'template: :1: unexpected right paren'],
  ];
  for (const [tmpl, message] of errors) {
    assert.throws(() => GoTemplate.parse(tmpl), (e: Error) => e instanceof TemplateParseError && e.message === message, tmpl);
  }
  assert.throws(() => GoTemplate.parse('{{', { name: 'version' }), { message: 'template: version:1: unclosed action' });
});

test('output written before an execution error is kept', () => {
  const out: string[] = [];
  assert.throws(() => GoTemplate.parse('a{{.X}}b{{index .X 5}}c').executeInto({ X: [1] }, out));
  assert.equal(out.join(''), 'a[1]b');
});
