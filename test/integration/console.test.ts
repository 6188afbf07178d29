import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import tar from 'tar-stream';
import { PrivateDaemon } from '../helpers/private-daemon.js';
import { ROOT } from '../helpers/daemon.js';

// The web console in a real Chromium, against a berthd of the test's own with the console on.
// BERTH_CONSOLE_SHOTS=docs/console keeps the screenshots (desktop and phone width of each page).

const PORT = 22380;
const WEB_PORT = 22381;
const ORIGIN = `http://127.0.0.1:${PORT}`;
const CHROMIUM = '/usr/lib/chromium/chromium';
const SHOTS = process.env.BERTH_CONSOLE_SHOTS ? join(ROOT, process.env.BERTH_CONSOLE_SHOTS) : undefined;

const daemon = new PrivateDaemon({
  name: 'pcons',
  bip: '10.236.0.1/24',
  config: { console: { listen: `127.0.0.1:${PORT}` }, 'registry-mirrors': ['http://127.0.0.1:5000'] },
});
let browser: Browser;

async function signInLink(readonly = false): Promise<string> {
  const r = (await daemon.client.call('POST', '/berth/v1/console/token', { query: readonly ? { readonly: '1' } : {} })) as { Link: string };
  return r.Link;
}

async function signedIn(readonly = false): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  await page.goto(await signInLink(readonly));
  await page.getByRole('link', { name: 'Containers' }).waitFor();
  return { context, page };
}

async function shot(page: Page, name: string): Promise<void> {
  if (!SHOTS) return;
  mkdirSync(SHOTS, { recursive: true });
  for (const [label, width, height] of [['desktop', 1280, 800], ['phone', 390, 844]] as const) {
    await page.setViewportSize({ width, height });
    await page.waitForTimeout(300);
    await page.screenshot({ path: join(SHOTS, `${name}-${label}.png`) });
  }
  await page.setViewportSize({ width: 1280, height: 800 });
}

async function runContainer(name: string, cmd: string[], extra: Record<string, unknown> = {}): Promise<string> {
  const c = (await daemon.client.call('POST', '/containers/create', { query: { name }, body: { Image: 'busybox', Cmd: cmd, ...extra } })) as { Id: string };
  await daemon.client.call('POST', `/containers/${c.Id}/start`);
  return c.Id;
}

before(async () => {
  await daemon.start();
  const pull = await daemon.client.stream('POST', '/images/create', { query: { fromImage: 'busybox', tag: 'latest' } });
  for await (const _ of pull) void _;
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu'] });
});

after(async () => {
  await browser?.close();
  await daemon.remove();
});

test('without a token the console refuses: no session, a bad link, the API', async () => {
  const api = await fetch(`${ORIGIN}/api/containers/json`);
  assert.equal(api.status, 401);
  assert.match(((await api.json()) as { message: string }).message, /berth console token/);
  const bad = await fetch(`${ORIGIN}/login?token=not-a-token`, { redirect: 'manual' });
  assert.equal(bad.status, 401);
  assert.equal(bad.headers.get('set-cookie'), null);

  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(ORIGIN);
  await page.getByText('berth console token').waitFor();
  await shot(page, 'signed-out');
  await context.close();
});

test('sign in with the token, see a running container appear and follow its logs', async () => {
  const { context, page } = await signedIn();
  const link = await signInLink();
  // The link is good once.
  assert.equal((await fetch(link, { redirect: 'manual' })).status, 303);
  assert.equal((await fetch(link, { redirect: 'manual' })).status, 401);

  await runContainer('console-ticker', ['sh', '-c', 'i=0; while true; do echo tick-$i; i=$((i+1)); sleep 0.2; done']);
  const row = page.locator('tr[data-name="console-ticker"]');
  await row.getByText('running').first().waitFor();
  await row.locator('svg.spark').first().waitFor({ timeout: 15_000 });
  // A few samples make a line worth a picture.
  if (SHOTS) await page.waitForTimeout(8000);
  await shot(page, 'containers');

  await row.getByRole('link', { name: 'console-ticker' }).click();
  const log = page.getByTestId('log');
  await log.getByText('tick-3', { exact: true }).waitFor();
  const seen = Number(/tick-(\d+)\s*$/.exec((await log.textContent()) ?? '')?.[1]);
  // New lines arrive while the page is open.
  await log.getByText(`tick-${seen + 5}`, { exact: true }).waitFor({ timeout: 15_000 });
  await shot(page, 'container-logs');

  // Stop and start from the page.
  await page.getByRole('button', { name: 'Stop', exact: true }).click();
  await page.getByTestId('state').getByText('exited').waitFor({ timeout: 20_000 });
  const state = (await daemon.client.call('GET', '/containers/console-ticker/json')) as { State: { Running: boolean } };
  assert.equal(state.State.Running, false);
  await page.getByRole('button', { name: 'Start', exact: true }).click();
  await page.getByTestId('state').getByText('running').waitFor();
  assert.equal(((await daemon.client.call('GET', '/containers/console-ticker/json')) as { State: { Running: boolean } }).State.Running, true);

  // The terminal: `ls /` in an exec shell.
  await page.getByRole('button', { name: 'terminal' }).click();
  await page.getByTestId('terminal-status').getByText('connected').waitFor();
  await page.locator('.xterm').click();
  await page.keyboard.type('ls /\n');
  await page.locator('.xterm-rows').getByText(/proc/).first().waitFor();
  const screen = (await page.locator('.xterm-rows').textContent()) ?? '';
  for (const dir of ['bin', 'etc', 'proc']) assert.match(screen, new RegExp(`\\b${dir}\\b`));
  await shot(page, 'container-terminal');
  await page.getByRole('button', { name: 'inspect' }).click();
  await page.locator('pre.log').getByText('"Id"').first().waitFor();
  await context.close();
});

test('deploy nginx from the form: it serves on its published port, and the berth run line is shown', async () => {
  const { context, page } = await signedIn();
  await page.getByRole('link', { name: 'Deploy' }).click();
  await page.locator('input[name=image]').fill('nginx');
  await page.locator('input[name=name]').fill('console-nginx');
  await page.locator('input[name=ports]').fill(`${WEB_PORT}:80`);
  await page.locator('textarea[name=env]').fill('GREETING=hello');
  await shot(page, 'deploy');
  await page.getByRole('button', { name: 'Deploy' }).click();
  const done = page.getByTestId('deployed');
  await done.waitFor({ timeout: 120_000 });
  assert.equal(
    (await done.locator('pre.command').textContent())?.trim(),
    `berth run -d --name console-nginx -p ${WEB_PORT}:80 -e GREETING=hello --restart unless-stopped nginx`,
  );
  let body = '';
  for (let i = 0; i < 50 && !body.includes('nginx'); i++) {
    body = await fetch(`http://127.0.0.1:${WEB_PORT}/`).then((r) => r.text(), () => '');
    if (!body.includes('nginx')) await new Promise((r) => setTimeout(r, 200));
  }
  assert.match(body, /Welcome to nginx/);
  const c = (await daemon.client.call('GET', '/containers/console-nginx/json')) as { Config: { Env: string[] }; HostConfig: { RestartPolicy: { Name: string } } };
  assert.ok(c.Config.Env.includes('GREETING=hello'));
  assert.equal(c.HostConfig.RestartPolicy.Name, 'unless-stopped');

  for (const [nav, name] of [['Images', 'images'], ['Volumes', 'volumes'], ['Networks', 'networks'], ['Events', 'events']] as const) {
    await page.getByRole('link', { name: nav, exact: true }).click();
    await page.getByRole('heading', { name: nav }).waitFor();
    if (name === 'events') {
      // An event that happens while the page is open shows up in the feed.
      const c = (await daemon.client.call('POST', '/containers/create', { query: { name: 'console-event' }, body: { Image: 'busybox' } })) as { Id: string };
      await page.getByTestId('events').getByText('console-event').first().waitFor();
      await daemon.client.call('DELETE', `/containers/${c.Id}`, { query: { force: '1' } });
    }
    await shot(page, name);
  }
  await context.close();
});

/** Builds an image from a Dockerfile alone through the API. */
async function build(tag: string, dockerfile: string): Promise<void> {
  const pack = tar.pack();
  pack.entry({ name: 'Dockerfile' }, dockerfile);
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const c of pack) chunks.push(c as Buffer);
  const res = await daemon.client.stream('POST', '/build', { query: { t: tag }, rawBody: Buffer.concat(chunks), headers: { 'Content-Type': 'application/x-tar' } });
  let out = '';
  for await (const c of res) out += c;
  assert.match(out, /Successfully tagged/, out);
}

test('upgrade to an image that turns unhealthy: the page shows the rollback and the failed revision', async () => {
  await build('console-bad:1', 'FROM busybox\nHEALTHCHECK --interval=1s --timeout=1s --retries=1 CMD false\nCMD ["sleep", "600"]\n');
  const { context, page } = await signedIn();
  await page.goto(`${ORIGIN}/#/containers/console-ticker`);
  await page.getByRole('button', { name: 'revisions' }).click();
  await page.locator('tr[data-revision="1"]').waitFor();
  await page.getByPlaceholder(/^Image/).fill('console-bad:1');
  await page.getByRole('button', { name: 'Upgrade' }).click();
  await page.getByTestId('progress').getByText(/rolled back to revision 1/).waitFor({ timeout: 90_000 });
  await page.locator('tr[data-revision="2"]').getByText('unhealthy', { exact: false }).first().waitFor();
  await shot(page, 'container-revisions');
  const c = (await daemon.client.call('GET', '/containers/console-ticker/json')) as { Config: { Image: string }; State: { Running: boolean } };
  assert.equal(c.Config.Image, 'busybox');
  assert.equal(c.State.Running, true);
  await context.close();
});

test('a forged or missing CSRF token is refused, and a read-only session can only look', async () => {
  const { context, page } = await signedIn();
  const statuses = await page.evaluate(async () => {
    const forged = await fetch('/api/containers/console-ticker/stop', { method: 'POST', headers: { 'X-CSRF-Token': 'forged' } });
    const missing = await fetch('/api/containers/console-ticker/stop', { method: 'POST' });
    return [forged.status, missing.status];
  });
  assert.deepEqual(statuses, [403, 403]);
  assert.equal(((await daemon.client.call('GET', '/containers/console-ticker/json')) as { State: { Running: boolean } }).State.Running, true);
  await context.close();

  const ro = await signedIn(true);
  await ro.page.locator('tr[data-name="console-ticker"]').waitFor();
  const roStatus = await ro.page.evaluate(async () => {
    const s = (await (await fetch('/session')).json()) as { role: string; csrf: string };
    const create = await fetch('/api/containers/create', { method: 'POST', headers: { 'X-CSRF-Token': s.csrf, 'Content-Type': 'application/json' }, body: '{"Image":"busybox"}' });
    return [s.role, create.status];
  });
  assert.deepEqual(roStatus, ['readonly', 403]);
  await ro.context.close();
});

test('the containers page with 100 containers: time to the first full render (reported, not asserted)', async (t) => {
  const ids: string[] = [];
  for (let i = 0; i < 100; i++) {
    const c = (await daemon.client.call('POST', '/containers/create', { query: { name: `console-many-${i}` }, body: { Image: 'busybox', Cmd: ['true'] } })) as { Id: string };
    ids.push(c.Id);
  }
  const { context, page } = await signedIn();
  const started = Date.now();
  await page.reload();
  await page.locator('tr[data-name="console-many-99"]').waitFor();
  t.diagnostic(`first render of 100+ containers: ${Date.now() - started} ms (reload to last row)`);
  await context.close();
  for (const id of ids) await daemon.client.call('DELETE', `/containers/${id}`, { query: { force: '1' } });
});
