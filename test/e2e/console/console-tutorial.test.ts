import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { startTestEngine, type TestEngine } from '../../helpers/engine.ts';
import { repoRoot } from '../../helpers/fixtures.ts';
import { buildConsole } from '../../../console/build.js';
import { browserAvailable, launch, watchProblems } from './browser.ts';

// MinCloud's card tutorial (README), walked entirely in the console in a real headless
// Chromium: sign in, account, table from a sample push, the function typed into the editor,
// 测试, deploy, the trigger from the rule builder, a safe-mode push from the simulator, the row
// in the grid, the trigger log, and the replay of a dead letter. Once in 简体中文, once in
// English. Any console error or CSP violation fails the run. Screenshots of every step go to
// test/e2e/console/artifacts/ (git-ignored); `npm run console:screenshots` copies the English
// and Chinese pages into docs/console/.
const APP_ID = 'wx2c2769f8efd9abc2';
const ARTIFACTS = path.join(repoRoot, 'test/e2e/console/artifacts');
const DOCS_SHOTS = process.env.CLOUDFN_CONSOLE_DOCS_SHOTS === '1';
const FUNCTION_CODE = fs.readFileSync(
  path.join(repoRoot, 'functions/user_consume_card.js'),
  'utf8',
);

// The pages docs/console.md shows (npm run console:screenshots).
const DOCS_PAGES: Record<string, string[]> = {
  'zh-CN': [
    'sign-in',
    'dashboard',
    'function-test',
    'function-jobs',
    'trigger-rules',
    'trigger-log',
    'dead-letter',
    'table-schema',
    'table-grid',
    'accounts',
    'push-simulator',
    'push-reply',
    'live-log',
  ],
  en: ['sign-in', 'dashboard', 'function-test', 'trigger-rules', 'table-grid', 'push-reply'],
};

const hasBrowser = browserAvailable();

interface Language {
  locale: string;
  dir: string;
  words: { functions: string; test: string; signIn: string };
}

const LANGUAGES: Language[] = [
  { locale: 'zh-CN', dir: 'zh-CN', words: { functions: '云函数', test: '测试', signIn: '登录' } },
  {
    locale: 'en-US',
    dir: 'en',
    words: { functions: 'Cloud functions', test: 'Test', signIn: 'Sign in' },
  },
];

describe.skipIf(!hasBrowser)('web console in Chromium', () => {
  let browser: Browser;
  beforeAll(async () => {
    // The engine serves dist/console: build it from the current sources first.
    await buildConsole();
    browser = await launch();
  }, 120_000);
  afterAll(() => browser?.close());

  // The watcher itself can fail the run: a blocked image and an inline style are reported.
  it('reports CSP violations as problems', async () => {
    const t = await startTestEngine();
    const page = await browser.newPage();
    const problems = watchProblems(page);
    try {
      await page.goto(`${t.engine.url}/console`);
      await page.locator('input[name="token"]').waitFor();
      await page.evaluate(
        `document.body.insertAdjacentHTML('beforeend', '<img src="https://cdn.example/x.png">')`,
      );
      await expect.poll(() => problems.join('\n')).toContain('CSP violation: img-src');
    } finally {
      await page.close();
      await t.close();
    }
  }, 60_000);

  // Refusals shown where they belong: a deploy over someone else's (409), a cell value the
  // field's type refuses (400, on the field).
  it('shows a deploy conflict and a refused cell value', async () => {
    const t = await startTestEngine();
    const context = await browser.newContext({ locale: 'en-US' });
    const page = await context.newPage();
    const problems = watchProblems(page, [
      /status of 409 .*\/api\/v1\/functions\/racy\)$/,
      /status of 400 .*\/api\/v1\/tables\/cards\/records\/[0-9a-f]+\)$/,
    ]);
    try {
      await t.api('PUT', '/functions/racy', { code: 'exports.main = async () => 1;' });
      await page.goto(`${t.engine.url}/console`);
      await page.fill('input[name="token"]', t.engine.adminToken);
      await page.click('button[type="submit"]');
      await page.goto(`${t.engine.url}/console#/functions/racy`);
      await page.locator('[data-active-version="1"]').waitFor();
      await replaceEditorText(page, 'exports.main = async () => "mine";');
      // Someone else deploys version 2 meanwhile.
      await t.api('PUT', '/functions/racy', { code: 'exports.main = async () => "theirs";' });
      await page.click('button[data-action="deploy"]');
      await page.locator('[data-code="E_FUNCTION_VERSION_CONFLICT"]').waitFor();
      expect((await t.api('GET', '/functions/racy')).body.version).toBe(2);
      // The draft is still there, not lost.
      expect(await page.locator('.cm-content').innerText()).toContain('"mine"');

      await t.api('POST', '/tables', { name: 'cards', fields: [{ name: 'qty', type: 'integer' }] });
      await t.api('POST', '/tables/cards/records', { qty: 1 });
      await page.goto(`${t.engine.url}/console#/tables/cards`);
      await page.click('td[data-field="qty"]');
      await page.fill('.modal textarea', '"many"');
      await page.click('.modal button:not(.secondary)');
      const refusal = page.locator('.modal [data-code="E_TABLE_FIELD_TYPE"]');
      await refusal.waitFor();
      expect(await refusal.innerText()).toContain('qty');
      await page.fill('.modal textarea', '{bad json');
      await page.click('.modal button:not(.secondary)');
      await page.locator('.modal [data-code="E_CONSOLE_BAD_JSON"]').waitFor();
      expect(problems).toEqual([]);
    } finally {
      await context.close();
      await t.close();
    }
  }, 120_000);

  for (const lang of LANGUAGES) {
    it(`walks the card tutorial (${lang.locale})`, async () => {
      const t: TestEngine = await startTestEngine();
      const context = await browser.newContext({
        locale: lang.locale,
        viewport: { width: 1280, height: 860 },
      });
      await context.grantPermissions(['clipboard-read', 'clipboard-write'], {
        origin: t.engine.url,
      });
      const page = await context.newPage();
      const problems = watchProblems(page);
      const shots = path.join(ARTIFACTS, lang.dir);
      fs.mkdirSync(shots, { recursive: true });
      let step = 0;
      const shot = async (name: string) => {
        const file = path.join(shots, `${String(++step).padStart(2, '0')}-${name}.png`);
        await page.screenshot({ path: file, fullPage: true });
        if (DOCS_SHOTS && DOCS_PAGES[lang.dir]?.includes(name)) {
          const docs = path.join(repoRoot, 'docs/console', lang.dir);
          fs.mkdirSync(docs, { recursive: true });
          fs.copyFileSync(file, path.join(docs, `${name}.png`));
        }
      };
      try {
        await tutorial(page, t, lang, shot);
        expect(problems).toEqual([]);
      } finally {
        await context.close();
        await t.close();
      }
    }, 180_000);
  }
});

/** Replaces the whole text of the page's code editor with `text`, typed as a user would. */
async function replaceEditorText(page: Page, text: string): Promise<void> {
  const editor = page.locator('.cm-content');
  await editor.waitFor();
  await editor.click();
  await page.keyboard.press('ControlOrMeta+a');
  // Cleared through CodeMirror's own key handling (inserting text over a multi-line DOM
  // selection lets Chromium's editing code try an inline style, which the CSP blocks), and
  // typed only once the editor shows the empty document: text inserted while CodeMirror is
  // still redrawing can hang the renderer.
  await page.keyboard.press('Backspace');
  await page.waitForFunction(`document.querySelector('.cm-content').textContent === ''`);
  await page.keyboard.insertText(text);
}

async function tutorial(
  page: Page,
  t: TestEngine,
  lang: Language,
  shot: (name: string) => Promise<void>,
) {
  const nav = (section: string) => page.click(`nav a[data-nav="${section}"]`);

  // Sign in: the page is in the browser's language; the token is exchanged for a cookie.
  await page.goto(`${t.engine.url}/console`);
  await page.getByRole('button', { name: lang.words.signIn }).waitFor();
  await page.fill('input[name="token"]', t.engine.adminToken);
  await shot('sign-in');
  await page.click('button[type="submit"]');
  await page.locator(`nav a[data-nav="functions"]`, { hasText: lang.words.functions }).waitFor();
  const cookies = await page.context().cookies();
  expect(cookies.find((c) => c.name === 'cloudfn_session')).toMatchObject({
    httpOnly: true,
    sameSite: 'Strict',
  });
  const storage = await page.evaluate(() => JSON.stringify({ ...localStorage, ...sessionStorage }));
  expect(storage).not.toContain(t.engine.adminToken);

  // 1. The official account (WeChat's sample values), safe mode.
  await nav('accounts');
  await page.fill('input[name="appId"]', APP_ID);
  await page.fill('input[name="token"]', 'spamtest');
  await page.fill('input[name="encodingAESKey"]', 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG');
  await page.selectOption('select[name="mode"]', 'safe');
  await page.click('button[data-action="save-account"]');
  await page.locator(`tr[data-account="${APP_ID}"]`).waitFor();
  await page.locator('[data-server-config]').waitFor();
  await shot('accounts');

  // 2. The table, its fields taken from the sample push.
  await nav('tables');
  await page.click('button[data-action="fields-from-sample"]');
  expect(await page.inputValue('input[name="table-name"]')).toBe('user_consume_card');
  await shot('tables-new');
  await page.click('button[data-action="create-table"]');
  await page.waitForURL(/#\/tables\/user_consume_card$/);
  await page.click('button[data-tab="schema"]');
  await page.locator('td code', { hasText: 'UserCardCode' }).waitFor();
  await shot('table-schema');

  // 3. The function, typed into the editor; 测试 with the sample push; deploy.
  await nav('functions');
  await page.fill('input[name="new-function"]', 'user_consume_card');
  await page.click('form.inline button[type="submit"]');
  await page.waitForURL(/#\/functions\/user_consume_card$/);
  await replaceEditorText(page, FUNCTION_CODE);
  await page.getByRole('button', { name: lang.words.test, exact: true }).click();
  await page.locator('[data-test-result="fulfilled"]').waitFor();
  expect(await page.locator('[data-test-result] pre.log').innerText()).toContain(
    'saved card 452998530302',
  );
  await shot('function-test');
  await page.click('button[data-action="deploy"]');
  await page.locator('[data-active-version="1"]').waitFor();
  await shot('function-deployed');

  // 4. The trigger, from the rule builder: this account, Event = user_consume_card → the function.
  await nav('triggers');
  await page.fill('input[name="new-trigger"]', 'user_consume_card');
  await page.click('form.inline button[type="submit"]');
  await page.waitForURL(/#\/triggers\/user_consume_card$/);
  await page.selectOption('select[name="appId"]', APP_ID);
  await page.selectOption('select[name="match"]', 'all');
  const rule = page.locator('[data-rule="0"]');
  await rule.locator('input').first().fill('Event');
  await rule.locator('select').selectOption('=');
  await rule.locator('input').nth(1).fill('user_consume_card');
  await page.selectOption('select[name="action-0-function"]', 'user_consume_card');
  await page.click('button[data-action="save-trigger"]');
  await page.click('button[data-action="dry-run"]');
  await page.locator('[data-dry-run="matched"]').waitFor();
  await shot('trigger-rules');

  // 5. The push simulator: the sample push, signed and encrypted (safe mode), sent to /wechat.
  await nav('accounts');
  await page.selectOption('select[name="sim-sample"]', 'user_consume_card');
  await page.check('input[name="sim-mode"][value="safe"]');
  await page.click('button[data-action="send-push"]');
  await page.locator('[data-push-answer] pre', { hasText: 'success' }).waitFor();
  await page.locator('[data-list="sim-runs"] li[data-log-status="succeeded"]').waitFor();
  await shot('push-simulator');

  // A passive reply, sealed by the engine in safe mode, shown decrypted by the simulator.
  await t.api('PUT', '/functions/echo', {
    code: 'exports.main = async (event) => ({ reply: { MsgType: "text", Content: "echo: " + event.data.Content } });',
  });
  const replying = await t.api('POST', '/triggers', {
    name: 'echo',
    type: 'wechat_message',
    reply: true,
    condition: { appId: APP_ID, rules: [{ field: 'MsgType', op: '=', value: 'text' }] },
    actions: [{ type: 'function', function: 'echo' }],
  });
  expect(replying.status).toBe(201);
  await page.selectOption('select[name="sim-sample"]', 'text');
  await page.click('button[data-action="send-push"]');
  await page.locator('[data-decrypted-reply]', { hasText: 'echo: ' }).waitFor();
  await shot('push-reply');

  // 6. The row in the grid: the push as saved by the function (测试 saved one too).
  await nav('tables');
  await page.click('a[href="#/tables/user_consume_card"]');
  const grid = page.locator('[data-list="records"]');
  await grid
    .locator('td[data-field="UserCardCode"]', { hasText: '452998530302' })
    .first()
    .waitFor();
  // Two rows: the one 测试 saved and the one the push saved.
  await page
    .locator('tr[data-record] td[data-field="_AppId"]', { hasText: APP_ID })
    .nth(1)
    .waitFor();
  // The filter builder: UserCardCode = the card code → the where the API takes.
  await page.click('button[data-action="add-filter"]');
  const filter = page.locator('[data-filter-row="0"]');
  await filter.locator('input').first().fill('UserCardCode');
  await filter.locator('select').selectOption('eq');
  await filter.locator('input').nth(1).fill('452998530302');
  await page.click('button[data-action="apply-filter"]');
  await page
    .locator('code.where', { hasText: '{"UserCardCode":{"$eq":"452998530302"}}' })
    .waitFor();
  await grid.locator('td[data-field="UserCardCode"]', { hasText: '452998530302' }).nth(1).waitFor();
  await shot('table-grid');

  // 7. The trigger log.
  await nav('triggers');
  await page.click('a[href="#/triggers/user_consume_card"]');
  await page.click('button[data-tab="logs"]');
  await page.locator('[data-list="trigger-logs"] tr[data-log-status="succeeded"]').waitFor();
  await shot('trigger-log');

  // 8. A forced dead letter (a function that throws, one attempt), replayed once fixed.
  await t.api('PUT', '/functions/flaky', {
    code: 'exports.main = async () => { throw new Error("down"); };',
  });
  const made = await t.api('POST', '/triggers', {
    name: 'flaky',
    type: 'webhook',
    actions: [{ type: 'function', function: 'flaky' }],
    retry: { attempts: 1, backoff: '10ms' },
  });
  expect(made.status).toBe(201);
  const hook = await fetch(`${t.engine.url}${made.body.hook_path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ order: 'A1' }),
  });
  expect(hook.status).toBeLessThan(300);
  await t.engine.settled();
  await t.api('PUT', '/functions/flaky', { code: 'exports.main = async () => "up";' });
  await page.goto(`${t.engine.url}/console#/triggers/flaky`);
  await page.click('button[data-tab="logs"]');
  await page.locator('[data-list="trigger-logs"] tr[data-log-status="dead_letter"]').waitFor();
  await shot('dead-letter');
  await page.click('button[data-action="replay"]');
  await t.engine.settled();
  await page.click('button[data-action="refresh-logs"]');
  await page.locator('[data-list="trigger-logs"] tr[data-log-status="succeeded"]').waitFor();

  // The other pages, for the record: dashboard, the job log, live log.
  await nav('dashboard');
  await page.locator('[data-stat="accepted"]').waitFor();
  await page.locator('.chart canvas').first().waitFor();
  await shot('dashboard');
  await page.goto(`${t.engine.url}/console#/functions/user_consume_card`);
  await page.click('button[data-tab="jobs"]');
  await page.locator('[data-list="jobs"] tbody tr').first().waitFor();
  await shot('function-jobs');
  await nav('live');
  await page.locator('[data-live="on"]').waitFor();
  await t.api('POST', '/functions/user_consume_card/invoke', { data: { UserCardCode: 'live-1' } });
  await page.locator('[data-list="live"] tr[data-kind="job"]').first().waitFor();
  await shot('live-log');
}
