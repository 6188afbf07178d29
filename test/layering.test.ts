import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ESLint } from 'eslint';

// The layering rules of eslint.config.js, pinned: code below the daemon cannot import it (tests
// included), and non-test code cannot use `any`.

async function ruleIds(filePath: string, text: string): Promise<string[]> {
  const [result] = await new ESLint().lintText(text, { filePath });
  return (result?.messages ?? []).map((m) => m.ruleId ?? m.message);
}

test('engine, store and common code cannot import the daemon, the API or the CLI, tests included', async () => {
  for (const file of ['src/engine/containers/x.ts', 'src/engine/images/x.test.ts', 'src/store/x.ts', 'src/common/x.ts']) {
    for (const from of ['../../daemon/config.js', '../../api/router.js', '../../cli/program.js', '../../client/api-client.js']) {
      const ids = await ruleIds(file, `import { x } from '${from}';\nexport const y = x;\n`);
      assert.ok(ids.includes('no-restricted-imports'), `${file} importing ${from}: ${ids.join(', ')}`);
    }
  }
  assert.deepEqual(await ruleIds('src/daemon/x.ts', "import { x } from '../engine/containers/container-service.js';\nexport const y = x;\n"), []);
});

test('no explicit any outside tests', async () => {
  assert.deepEqual(await ruleIds('src/engine/x.ts', 'export const y: any = 1;\n'), ['@typescript-eslint/no-explicit-any']);
  assert.deepEqual(await ruleIds('src/cli/x.ts', 'export const y = [] as any[];\n'), ['@typescript-eslint/no-explicit-any']);
  assert.deepEqual(await ruleIds('test/integration/x.test.ts', 'export const y: any = 1;\n'), []);
});
