import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestEngine, type TestEngine } from '../../helpers/engine.ts';
import { wechatFixturesDir, wechatVectors } from '../../helpers/fixtures.ts';
import { runCli, spawnCli } from './run-cli.ts';

// The commands beyond the walk-through, each through the real binary against a real engine.
const B = wechatVectors().B_wxbizmsgcrypt_sample;

describe('cloudfn commands', { timeout: 120_000 }, () => {
  let t: TestEngine;
  let dir: string;
  let env: Record<string, string>;
  const cli = (...args: string[]) => runCli(args, { env, cwd: dir });
  const write = (file: string, text: string) => {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), text);
    return file;
  };

  beforeAll(async () => {
    t = await startTestEngine();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cloudfn-cli-cmd-'));
    env = { CLOUDFN_URL: t.engine.url, CLOUDFN_ADMIN_TOKEN: t.engine.adminToken };
  });

  afterAll(async () => {
    await t?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('deploy shows a build error with a code frame before uploading anything', async () => {
    write('broken.js', 'exports.main = async function () {\n  return 1 +;\n};\n');
    const run = await cli('deploy', 'broken.js');
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('error E_FUNCTION_BUILD: broken.js:2:');
    expect(run.stderr).toContain('> 2 |   return 1 +;');
    expect(run.stderr).toMatch(/\|\s+\^/);
    expect((await t.api('GET', '/functions/broken')).status).toBe(404);

    write('uses-fs.js', "const fs = require('fs');\nexports.main = async () => fs;\n");
    const builtin = await cli('deploy', 'uses-fs.js');
    expect(builtin.code).toBe(1);
    expect(builtin.stderr).toContain('Node built-in module "fs" is not available');
  });

  it('deploy bundles a TypeScript folder; invoke prints result, status line and log; limits and env apply', async () => {
    write(
      'greeter/index.ts',
      "import { greet } from './greet.ts';\nexport async function main(event: { data: { name: string } }) {\n  console.log('greeting', event.data.name);\n  return { text: greet(event.data.name), mood: process.env.MOOD };\n}\n",
    );
    write(
      'greeter/greet.ts',
      'export const greet = (name: string): string => `Hello, ${name}!`;\n',
    );
    const deploy = await cli(
      'deploy',
      'greeter',
      '--timeout',
      '3000',
      '--memory',
      '64',
      '--env',
      'MOOD=sunny',
    );
    expect(deploy.code, deploy.stderr).toBe(0);
    expect(deploy.stdout).toContain(
      'Deployed greeter v1 (timeout 3000 ms, memory 64 MB, env MOOD)',
    );

    write('data.json', '{"name":"Ada"}');
    const invoke = await cli('invoke', 'greeter', '@data.json');
    expect(invoke.code, invoke.stderr).toBe(0);
    expect(JSON.parse(invoke.stdout)).toEqual({ text: 'Hello, Ada!', mood: 'sunny' });
    expect(invoke.stderr).toMatch(/fulfilled in \d+ ms · memory [\d.]+ [KM]?B · job [0-9a-f]{24}/);
    expect(invoke.stderr).toContain('[log] greeting Ada');

    const json = await cli('invoke', 'greeter', '{"name":"Bo"}', '--json');
    expect(JSON.parse(json.stdout)).toMatchObject({
      code: 0,
      data: { text: 'Hello, Bo!' },
      status: 'fulfilled',
    });
  });

  it('env set/unset/list change env in new versions without showing values; a plain redeploy keeps env and limits', async () => {
    write(
      'envy.js',
      'exports.main = async () => ({ a: process.env.A ?? null, b: process.env.B ?? null });\n',
    );
    expect((await cli('deploy', 'envy.js', '--timeout', '2500', '--env', 'A=1')).code).toBe(0);

    const set = await cli('env', 'set', 'envy', 'B=two words', 'A=one');
    expect(set.code, set.stderr).toBe(0);
    expect(set.stdout).toContain('envy is now v2 with env A B');
    expect(JSON.parse((await cli('invoke', 'envy')).stdout)).toEqual({ a: 'one', b: 'two words' });

    const list = await cli('env', 'list', 'envy');
    expect(list.stdout.trim().split('\n').sort()).toEqual(['A', 'B']);
    expect(list.stdout).not.toContain('two words');

    expect((await cli('env', 'unset', 'envy', 'A')).code).toBe(0);
    expect(JSON.parse((await cli('invoke', 'envy')).stdout)).toEqual({ a: null, b: 'two words' });

    // A code update without --env or limits keeps both, as a Lambda code update does.
    const redeploy = await cli('deploy', 'envy.js');
    expect(redeploy.stdout).toContain('Deployed envy v4 (timeout 2500 ms, memory 128 MB, env B)');
    expect(JSON.parse((await cli('invoke', 'envy')).stdout)).toEqual({ a: null, b: 'two words' });

    const unknown = await cli('env', 'set', 'nobody', 'A=1');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('E_FUNCTION_NOT_FOUND');
  });

  it('invoke exits 1 with the error and its stack when the function fails; logs --status failed finds it', async () => {
    write('boom.js', "exports.main = async function () {\n  throw new Error('kaboom');\n};\n");
    expect((await cli('deploy', 'boom.js')).code).toBe(0);
    const run = await cli('invoke', 'boom');
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('error E_CLI_FUNCTION_FAILED: boom execution_failed: kaboom');
    expect(run.stderr).toMatch(/at .*boom\.js:2:/);
    expect((await cli('invoke', 'boom')).code).toBe(1);

    const failed = await cli('logs', 'boom', '--status', 'failed');
    expect(failed.code, failed.stderr).toBe(0);
    expect(failed.stdout.match(/execution_failed/g)).toHaveLength(2);
    expect(failed.stdout).toContain('Error: kaboom');
    // With the stack of each failed run, under its row.
    expect(failed.stdout.match(/^\s+at .*boom\.js:2:/gm)).toHaveLength(2);
    const fulfilled = await cli('logs', 'boom', '--status', 'fulfilled');
    expect(fulfilled.stdout).toBe('');
    expect(fulfilled.stderr).toContain('No runs of boom yet with status fulfilled');
    const json = JSON.parse((await cli('logs', 'boom', '--json')).stdout);
    expect(json).toHaveLength(2);
    expect(json[0]).toMatchObject({ function: 'boom', status: 'execution_failed' });
  });

  it('versions lists them with the active one marked; rollback goes back one or to a given version', async () => {
    write('v.js', 'exports.main = async () => 1;\n');
    expect((await cli('deploy', 'v.js')).code).toBe(0);
    write('v.js', 'exports.main = async () => 2;\n');
    expect((await cli('deploy', 'v.js')).code).toBe(0);
    const versions = await cli('versions', 'v');
    expect(versions.code).toBe(0);
    expect(versions.stdout).toMatch(/^\s+\*2\s/m);
    expect(versions.stdout).toMatch(/^\s+1\s/m);

    const back = await cli('rollback', 'v');
    expect(back.code, back.stderr).toBe(0);
    expect(back.stdout).toContain('v is now at v1.');
    expect(JSON.parse((await cli('invoke', 'v', '--json')).stdout).data).toBe(1);
    const none = await cli('rollback', 'v');
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('E_CLI_NO_EARLIER_VERSION');
    expect((await cli('rollback', 'v', '2')).code).toBe(0);
    expect(JSON.parse((await cli('versions', 'v', '--json')).stdout).active).toBe(2);
  });

  it('functions, tables and triggers list as aligned tables, and as JSON with --json', async () => {
    const functions = await cli('functions', 'list');
    expect(functions.code).toBe(0);
    const lines = functions.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^NAME\s+VERSION\s+TIMEOUT\s+MEMORY\s+ENV\s+UPDATED$/);
    const versionColumn = lines[0]!.indexOf('VERSION') + 'VERSION'.length;
    for (const line of lines.slice(1)) expect(line[versionColumn - 1], line).toMatch(/\d/);
    expect(
      JSON.parse((await cli('functions', 'list', '--json')).stdout).objects.map(
        (f: { name: string }) => f.name,
      ),
    ).toContain('greeter');

    expect(
      (
        await cli(
          'tables',
          'create',
          'orders',
          '--field',
          'OrderId:string!',
          '--field',
          'Amount:integer',
          '--field',
          'Tags:array',
        )
      ).code,
    ).toBe(0);
    const tables = await cli('tables', 'list');
    expect(tables.stdout).toMatch(/^ID\s+NAME\s+CREATED\s+FIELDS$/m);
    expect(tables.stdout).toContain('OrderId:string Amount:integer Tags:array');
    const tablesJson = JSON.parse((await cli('tables', 'list', '--json')).stdout);
    expect(tablesJson.objects[0].fields[0]).toMatchObject({
      name: 'OrderId',
      type: 'string',
      required: true,
    });

    write(
      't.json',
      JSON.stringify({
        name: 'nightly',
        type: 'timer',
        condition: { cron: '0 3 * * *' },
        actions: [{ type: 'function', function: 'v' }],
      }),
    );
    expect((await cli('triggers', 'create', 't.json')).code).toBe(0);
    const triggers = await cli('triggers', 'list');
    expect(triggers.stdout).toMatch(/^nightly\s+timer\s+yes\s+cron 0 3 \* \* \*\s+function:v$/m);
    expect(JSON.parse((await cli('triggers', 'list', '--json')).stdout).objects[0].name).toBe(
      'nightly',
    );
  });

  it('triggers create refuses a duplicate with a hint, and --replace updates it', async () => {
    write(
      't2.json',
      JSON.stringify({
        name: 'dup',
        type: 'timer',
        condition: { cron: '0 4 * * *' },
        actions: [{ type: 'function', function: 'v' }],
      }),
    );
    expect((await cli('triggers', 'create', 't2.json')).code).toBe(0);
    const again = await cli('triggers', 'create', 't2.json');
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('hint: Add --replace');
    const replaced = await cli('triggers', 'create', 't2.json', '--replace');
    expect(replaced.code, replaced.stderr).toBe(0);
    expect(replaced.stdout).toContain('Replaced trigger dup');
    expect((await cli('triggers', 'disable', 'dup')).stdout).toContain('Trigger dup disabled.');
    expect((await cli('triggers', 'list')).stdout).toMatch(/^dup\s+timer\s+no\s/m);
    expect((await cli('triggers', 'enable', 'dup')).code).toBe(0);
    expect((await cli('triggers', 'list')).stdout).toMatch(/^dup\s+timer\s+yes\s/m);
  });

  it('tables import shows the records in, and export writes CSV to a file or JSON to stdout', async () => {
    const records = Array.from({ length: 25 }, (_, i) => ({
      OrderId: `00${i}`,
      Amount: i * 100,
      Tags: ['a'],
    }));
    write('orders.json', JSON.stringify(records));
    const imported = await cli('tables', 'import', 'orders', 'orders.json', '--batch', '10');
    expect(imported.code, imported.stderr).toBe(0);
    expect(imported.stdout).toContain(
      'Imported 25 records into orders: 25 created, 0 updated, 0 skipped.',
    );

    const csv = await cli('tables', 'export', 'orders', '--format', 'csv', '--out', 'orders.csv');
    expect(csv.code, csv.stderr).toBe(0);
    const text = fs.readFileSync(path.join(dir, 'orders.csv'), 'utf8');
    expect(text.split('\r\n')[0]).toBe('id,OrderId,Amount,Tags,created_at,updated_at,created_by');
    expect(text.trimEnd().split('\r\n')).toHaveLength(26);
    expect(text).toContain(',007,700,');

    const json = await cli('tables', 'export', 'orders');
    const exported = JSON.parse(json.stdout);
    expect(exported).toHaveLength(25);
    // An export imports again without duplicating: records whose id is in the table are skipped.
    write('again.json', json.stdout);
    expect((await cli('tables', 'import', 'orders', 'again.json')).code).toBe(0);
    expect((await t.api('GET', '/tables/orders/records?limit=1')).body.meta.total_count).toBe(25);
    expect((await cli('tables', 'export', 'orders', '--format', 'xml')).code).toBe(2);
  });

  it('accounts set never shows the key; triggers test explains a push rule by rule', async () => {
    const set = await cli(
      'accounts',
      'set',
      B.appid,
      '--token',
      B.token,
      '--aes-key',
      B.encodingAESKey,
      '--json',
    );
    expect(set.code, set.stderr).toBe(0);
    expect(JSON.parse(set.stdout)).toMatchObject({ appId: B.appid, mode: 'safe' });
    const list = await cli('accounts', 'list');
    expect(list.stdout).toMatch(new RegExp(`^${B.appid}\\s+safe\\s+set\\s`, 'm'));
    expect(list.stdout + set.stdout).not.toContain(B.encodingAESKey);

    write(
      'card.json',
      JSON.stringify({
        name: 'cards',
        type: 'wechat_message',
        condition: {
          appId: B.appid,
          match: 'all',
          rules: [
            { field: 'Event', op: '=', value: 'user_consume_card' },
            { field: 'CreateTime', op: '>', value: 1000 },
          ],
        },
        actions: [{ type: 'function', function: 'v' }],
      }),
    );
    expect((await cli('triggers', 'create', 'card.json')).code).toBe(0);
    const yes = await cli(
      'triggers',
      'test',
      'cards',
      path.join(wechatFixturesDir, 'user_consume_card.xml'),
    );
    expect(yes.code, yes.stderr).toBe(0);
    expect(yes.stdout).toContain('cards: matches');
    const no = await cli(
      'triggers',
      'test',
      'cards',
      path.join(wechatFixturesDir, 'user_get_card.xml'),
    );
    expect(no.stdout).toContain('cards: does not match');
    expect(no.stdout).toMatch(
      /✗\s+Event\s+=\s+user_consume_card\s+user_get_card\s+"user_get_card"/,
    );
    expect(no.stdout).toMatch(/✓\s+CreateTime\s+>\s+1000\s+\d+/);
    const json = JSON.parse(
      (
        await cli(
          'triggers',
          'test',
          'cards',
          path.join(wechatFixturesDir, 'user_get_card.xml'),
          '--json',
        )
      ).stdout,
    );
    expect(json).toMatchObject({ trigger: 'cards', matched: false });
  });

  it('push --event-time now rewrites CreateTime, and exits 1 when a run it caused fails', async () => {
    write(
      'fail.js',
      "exports.main = async function (event) {\n  console.log('at', event.data.CreateTime);\n  throw new Error('no thanks');\n};\n",
    );
    expect((await cli('deploy', 'fail.js')).code).toBe(0);
    write(
      'fails.json',
      JSON.stringify({
        name: 'fails',
        type: 'wechat_message',
        retry: { attempts: 1, backoff: '1s' },
        condition: { appId: B.appid, rules: [{ field: 'Event', op: '=', value: 'subscribe' }] },
        actions: [{ type: 'function', function: 'fail' }],
      }),
    );
    expect((await cli('triggers', 'create', 'fails.json')).code).toBe(0);
    const before = Math.floor(Date.now() / 1000);
    const run = await cli(
      'push',
      B.appid,
      path.join(wechatFixturesDir, 'event_subscribe.xml'),
      '--event-time',
      'now',
      '--wait',
      '20',
    );
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('encrypted');
    expect(run.stderr).toContain(
      'error E_CLI_RUN_FAILED: 1 of 1 trigger runs caused by this push failed.',
    );
    expect(run.stdout).toMatch(/fails\s+\S+ \S+\s+dead_letter/);
    expect(run.stdout).toContain('Error: no thanks');
    const logged = Number(/\[log\] at (\d+)/.exec(run.stdout)?.[1]);
    expect(logged).toBeGreaterThanOrEqual(before);
  });

  it('logs --follow prints new runs as they finish, and stops on Ctrl-C with exit 0', async () => {
    write(
      'tick.js',
      "exports.main = async (event) => { console.log('tick', event.data.n); return event.data.n; };\n",
    );
    expect((await cli('deploy', 'tick.js')).code).toBe(0);
    const child = spawnCli(['logs', 'tick', '--follow'], { env, cwd: dir });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    const until = async (check: () => boolean) => {
      for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 100));
    };
    await until(() => stderr.includes('Following'));
    expect((await cli('invoke', 'tick', '{"n":1}')).code).toBe(0);
    await until(() => stdout.includes('tick 1'));
    expect((await cli('invoke', 'tick', '{"n":2}')).code).toBe(0);
    await until(() => stdout.includes('tick 2'));
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(stdout.match(/fulfilled/g)).toHaveLength(2);
    expect(stdout.indexOf('tick 1')).toBeLessThan(stdout.indexOf('tick 2'));
  });
});
