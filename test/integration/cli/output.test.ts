import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestEngine, type TestEngine } from '../../helpers/engine.ts';
import { wechatVectors } from '../../helpers/fixtures.ts';
import { CLI, cliEnv, runCli, spawnCli } from './run-cli.ts';

// What the CLI prints: every validation issue, errors as JSON under --json, logs with stacks,
// replay, the decrypted passive reply and duplicates of `push`, EPIPE, a taken port, file
// lines and idempotence of `tables import`, shell completion, and readable engine logs on a
// terminal. Each through the real binary against a real engine.
const B = wechatVectors().B_wxbizmsgcrypt_sample;

describe('cloudfn output', { timeout: 120_000 }, () => {
  let t: TestEngine;
  let dir: string;
  let env: Record<string, string>;
  const cli = (...args: string[]) => runCli(args, { env, cwd: dir });
  const write = (file: string, text: string) => {
    fs.writeFileSync(path.join(dir, file), text);
    return file;
  };

  beforeAll(async () => {
    t = await startTestEngine();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cloudfn-cli-out-'));
    env = { CLOUDFN_URL: t.engine.url, CLOUDFN_ADMIN_TOKEN: t.engine.adminToken };
    expect(
      (await t.api('PUT', '/functions/hello', { code: 'exports.main = async () => 1;' })).status,
    ).toBe(201);
  });

  afterAll(async () => {
    await t?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('lists every problem of a refused trigger, in text and as JSON on stdout with --json', async () => {
    write(
      'bad.json',
      JSON.stringify({
        name: 'bad',
        type: 'wechat_message',
        condition: {
          appId: 'wx0000000000000001',
          rules: [
            { field: 'Event', op: 'exists', value: 'maybe' },
            { field: 'Fee', op: '>', value: true },
            { field: 'Content', op: 'in', value: [] },
            { field: 'Content', op: 'regex', value: '([a-z]' },
          ],
        },
        actions: [{ type: 'table', table: 't', record: { x: '{{' } }],
      }),
    );
    const text = await cli('triggers', 'create', 'bad.json');
    expect(text.code).toBe(1);
    expect(text.stderr).toMatch(/^error E_TRIGGER_INVALID: condition\.rules\[0\]\.value: /m);
    expect(text.stderr).not.toContain('more problem(s)');
    expect(text.stderr).toContain('5 problem(s):');
    for (const p of [
      'condition.rules[0].value',
      'condition.rules[1].value',
      'condition.rules[2].value',
      'condition.rules[3].value',
      'actions[0].record.x',
    ])
      expect(text.stderr).toContain(`  - ${p}: `);
    expect(text.stderr).toMatch(/^hint: /m);

    const json = await cli('triggers', 'create', 'bad.json', '--json');
    expect(json.code).toBe(1);
    expect(json.stderr).toBe('');
    const error = JSON.parse(json.stdout).error;
    expect(error).toMatchObject({ code: 'E_TRIGGER_INVALID', status: 400, exit_code: 1 });
    expect(error.issues.map((i: { path: string }) => i.path)).toHaveLength(5);
    expect(typeof error.hint).toBe('string');

    // Errors of the CLI itself are JSON too.
    const missing = await cli('triggers', 'create', 'nope.json', '--json');
    expect(missing.code).toBe(2);
    expect(JSON.parse(missing.stdout).error).toMatchObject({ code: 'E_CLI_FILE', exit_code: 2 });
    const usage = await cli('functions', 'list', '--bogus', '--json');
    expect(usage.code).toBe(2);
    expect(JSON.parse(usage.stdout).error).toMatchObject({ code: 'E_CLI_USAGE', exit_code: 2 });
  });

  it('names a missing function with "did you mean", checks with --dry-run, and deletes in use only with --force', async () => {
    const trigger = (fn: string) =>
      JSON.stringify({
        name: 'every_minute',
        type: 'timer',
        condition: { cron: '0 * * * *' },
        actions: [{ type: 'function', function: fn }],
      });
    write('typo.json', trigger('helo'));
    const typo = await cli('triggers', 'create', 'typo.json');
    expect(typo.code).toBe(1);
    expect(typo.stderr).toContain(
      'error E_TRIGGER_REFERENCE_MISSING: actions[0].function: no function named "helo"; did you mean "hello"?',
    );
    write('ok.json', trigger('hello'));
    const dry = await cli('triggers', 'create', 'ok.json', '--dry-run');
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain('valid; would create trigger every_minute');
    expect((await t.api('GET', '/triggers/every_minute')).status).toBe(404);
    expect((await cli('triggers', 'create', 'ok.json')).code).toBe(0);

    const inUse = await cli('functions', 'delete', 'hello');
    expect(inUse.code).toBe(1);
    expect(inUse.stderr).toContain(
      'error E_IN_USE: The function "hello" is used by trigger(s) "every_minute"',
    );
    expect(inUse.stderr).toContain('--force');
    const forced = await cli('functions', 'delete', 'hello', '--force');
    expect(forced.code, forced.stderr).toBe(0);
    expect((await cli('triggers', 'delete', 'every_minute')).code).toBe(0);
    expect(
      (await t.api('PUT', '/functions/hello', { code: 'exports.main = async () => 1;' })).status,
    ).toBe(201);
  });

  it('logs --status failed shows the code and stack of failed firings; replay runs them again', async () => {
    const code =
      "exports.main = async (event) => {\n  if (!process.env.FIXED) throw Object.assign(new Error('not yet'), { code: 'E_NOT_YET' });\n  return event.data;\n};\n";
    expect((await t.api('PUT', '/functions/flaky', { code })).status).toBe(201);
    const created = await t.api('POST', '/triggers', {
      name: 'flaky_hook',
      type: 'webhook',
      actions: [{ type: 'function', function: 'flaky' }],
      retry: { attempts: 1, backoff: '10ms' },
    });
    expect(created.status).toBe(201);
    for (const n of [1, 2]) {
      const answer = await fetch(`${t.engine.url}/hooks/${created.body.key}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ n }),
      });
      expect(answer.status).toBe(202);
    }
    await t.engine.settled();

    const logs = await cli('logs', 'flaky_hook', '--status', 'failed');
    expect(logs.code, logs.stderr).toBe(0);
    expect(logs.stdout.match(/dead_letter/g)).toHaveLength(2);
    expect(logs.stdout.match(/E_NOT_YET: not yet/g)).toHaveLength(2);
    expect(logs.stdout).toMatch(/^\s+at .*flaky\.js:2:/m);
    const jobs = await cli('logs', 'flaky', '--status', 'failed');
    expect(jobs.stdout.match(/E_NOT_YET: not yet/g)).toHaveLength(2);

    const ids = JSON.parse((await cli('logs', 'flaky_hook', '--json')).stdout).map(
      (l: { id: string }) => l.id,
    );
    expect((await t.api('PATCH', '/functions/flaky/env', { set: { FIXED: '1' } })).status).toBe(
      200,
    );
    const one = await cli('triggers', 'replay', 'flaky_hook', ids[0]);
    expect(one.code, one.stderr).toBe(0);
    expect(one.stdout).toContain(`Replaying firing ${ids[0]} of flaky_hook`);
    await t.engine.settled();
    const all = await cli('triggers', 'replay', 'flaky_hook', '--all-dead');
    expect(all.stdout).toContain('Replaying 1 dead-lettered firing(s) of flaky_hook.');
    await t.engine.settled();
    const after = JSON.parse((await cli('logs', 'flaky_hook', '--json')).stdout);
    expect(after.map((l: { status: string }) => l.status)).toEqual(['succeeded', 'succeeded']);
    const none = await cli('triggers', 'replay', 'flaky_hook', '--all-dead', '--json');
    expect(JSON.parse(none.stdout)).toEqual({
      trigger: 'flaky_hook',
      status: 'dead_letter',
      replayed: 0,
    });
    expect((await cli('triggers', 'replay', 'flaky_hook')).code).toBe(2);
  });

  it('push shows the decrypted passive reply, and says at once that a resent push is a duplicate', async () => {
    expect(
      (
        await t.api('PUT', `/wechat/accounts/${B.appid}`, {
          token: B.token,
          encodingAESKey: B.encodingAESKey,
        })
      ).status,
    ).toBe(200);
    const echo =
      "exports.main = async (event) => ({ reply: { MsgType: 'text', Content: '收到: ' + event.data.Content } });";
    expect((await t.api('PUT', '/functions/echo', { code: echo })).status).toBe(201);
    const replyTrigger = await t.api('POST', '/triggers', {
      name: 'echo',
      type: 'wechat_message',
      reply: true,
      condition: { appId: B.appid, rules: [{ field: 'MsgType', op: '=', value: 'text' }] },
      actions: [{ type: 'function', function: 'echo' }],
    });
    expect(replyTrigger.status, JSON.stringify(replyTrigger.body)).toBe(201);
    write(
      'text.xml',
      `<xml><ToUserName><![CDATA[gh_out]]></ToUserName><FromUserName><![CDATA[oUser]]></FromUserName><CreateTime>${Math.floor(Date.now() / 1000)}</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[你好]]></Content><MsgId>7300000000000000001</MsgId></xml>`,
    );
    const first = await cli('push', B.appid, 'text.xml', '--wait', '0');
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain('← 200 passive reply (encrypted; decrypted by the engine):');
    expect(first.stdout).toMatch(/^\s+Content\s+收到: 你好$/m);
    expect(first.stdout).toMatch(/^\s+ToUserName\s+oUser$/m);
    expect(first.stdout).not.toContain('<Encrypt>');

    const again = await cli('push', B.appid, 'text.xml', '--json');
    expect(again.code, again.stderr).toBe(0);
    const answer = JSON.parse(again.stdout);
    expect(answer).toMatchObject({ status: 200, answer: 'success', duplicate: true, runs: [] });
    const text = await cli('push', B.appid, 'text.xml');
    expect(text.stderr).toContain('Duplicate: the engine already has this push');
    expect(text.stderr).not.toContain('No run appeared');
  });

  it('exits quietly with 0 when the reader of its output goes away (EPIPE)', async () => {
    for (let i = 0; i < 30; i++)
      expect(
        (await t.api('PUT', `/functions/many_${i}`, { code: 'exports.main = async () => 1;' }))
          .status,
      ).toBe(201);
    const child = spawnCli(['functions', 'list'], { env, cwd: dir });
    child.stdout!.destroy(); // `| head -0`: the pipe is closed before anything is written
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdin!.end();
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(stderr).toBe('');
    expect(code).toBe(0);
  });

  it('serve on a taken port exits 1 with a hint, leaving no process behind', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      const run = await runCli(
        ['serve', '--port', String(port), '--data-dir', path.join(dir, 'data-busy')],
        {
          env: { CLOUDFN_ADMIN_TOKEN: 'x'.repeat(32) },
          cwd: dir,
        },
      );
      expect(run.code).toBe(1);
      expect(run.stderr).toContain(
        `error E_CLI_PORT_IN_USE: Port ${port} on 127.0.0.1 is already in use.`,
      );
      expect(run.stderr).toMatch(/hint: .*--port \d+, or PORT=\d+/);
    } finally {
      blocker.close();
    }
  });

  it('tables import names the file line of a refused record, skips or updates existing ids, and has --dry-run', async () => {
    expect(
      (
        await t.api('POST', '/tables', {
          name: 'people',
          fields: [
            { name: 'name', type: 'string' },
            { name: 'age', type: 'integer' },
          ],
        })
      ).status,
    ).toBe(201);
    write(
      'people.json',
      '[\n  {"name": "Ada", "age": 36},\n  {"name": "Lin",\n   "age": 20},\n  {"name": "Bad", "age": "old"}\n]\n',
    );
    const refused = await cli('tables', 'import', 'people', 'people.json', '--batch', '2');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('people.json:5: ');
    expect(refused.stderr).not.toContain('(item 0)');

    // Each batch is all or nothing: the first one (lines 2–4) went in, the second was refused.
    expect((await t.api('GET', '/tables/people/records')).body.meta.total_count).toBe(2);

    // An export imported back: ids that exist are skipped (or updated), never duplicated.
    const exported = (await cli('tables', 'export', 'people')).stdout;
    const rows = JSON.parse(exported) as Array<Record<string, unknown>>;
    expect(rows).toHaveLength(2);
    write('export.json', exported);
    const rerun = await cli('tables', 'import', 'people', 'export.json');
    expect(rerun.stdout).toContain(
      'Imported 0 records into people: 0 created, 0 updated, 2 skipped',
    );
    write(
      'older.json',
      JSON.stringify(
        [
          { ...rows[0], age: 99 },
          { name: 'Grace', age: 45 },
        ],
        null,
        2,
      ),
    );
    const dry = await cli(
      'tables',
      'import',
      'people',
      'older.json',
      '--on-conflict',
      'update',
      '--dry-run',
      '--json',
    );
    expect(JSON.parse(dry.stdout)).toMatchObject({
      dry_run: true,
      created: 1,
      updated: 1,
      skipped: 0,
    });
    expect((await t.api('GET', '/tables/people/records')).body.meta.total_count).toBe(2);
    const update = await cli('tables', 'import', 'people', 'older.json', '--on-conflict', 'update');
    expect(update.stdout).toContain(
      'Imported 2 records into people: 1 created, 1 updated, 0 skipped.',
    );
    const records = (await t.api('GET', '/tables/people/records?limit=10')).body.objects;
    expect(records).toHaveLength(3);
    expect(records.find((r: { id: string }) => r.id === rows[0]!.id).age).toBe(99);

    write('bad.ndjson', '{"name": "Ok", "age": 1}\n\n{"name": "Bad", "age": "z"}\n');
    const ndjson = await cli('tables', 'import', 'people', 'bad.ndjson');
    expect(ndjson.code).toBe(1);
    expect(ndjson.stderr).toContain('bad.ndjson:3: ');
  });

  it('completion bash completes commands and options from the command tree; zsh has them too', async () => {
    const bash = await cli('completion', 'bash');
    expect(bash.code).toBe(0);
    write('completion.bash', bash.stdout);
    const complete = (words: string[]) =>
      new Promise<string>((resolve, reject) => {
        const script = `source completion.bash; COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _cloudfn; echo "\${COMPREPLY[*]}"`;
        const child = spawn('bash', ['-c', script], { cwd: dir });
        let out = '';
        child.stdout.on('data', (c: Buffer) => (out += c.toString()));
        child.on('error', reject);
        child.on('close', () => resolve(out.trim()));
      });
    expect(await complete(['cloudfn', 'tri'])).toBe('triggers');
    expect(await complete(['cloudfn', 'triggers', 're'])).toBe('replay');
    expect((await complete(['cloudfn', 'logs', '--'])).split(' ')).toEqual(
      expect.arrayContaining(['--status', '--follow', '--url', '--admin-token']),
    );
    expect((await complete(['cloudfn', 'tables', 'import', '--'])).split(' ')).toEqual(
      expect.arrayContaining(['--on-conflict', '--dry-run', '--batch']),
    );
    const zsh = await cli('completion', 'zsh');
    expect(zsh.stdout).toMatch(/^#compdef cloudfn/);
    expect(zsh.stdout).toContain("'triggers replay'");
    expect((await cli('completion', 'fish')).code).toBe(2);
  });

  it('the engine logs readable lines on a terminal, JSON lines otherwise', async () => {
    const serveIn = async (terminal: boolean): Promise<string> => {
      const args = [
        ...CLI,
        'serve',
        '--port',
        '0',
        '--data-dir',
        path.join(dir, `data-${terminal}`),
      ];
      const quoted = args.map((a) => `'${a}'`).join(' ');
      const child = terminal
        ? spawn('script', ['-qfec', quoted, '/dev/null'], {
            env: cliEnv({ CLOUDFN_ADMIN_TOKEN: 'y'.repeat(32) }),
            detached: true,
          })
        : spawn(args[0]!, args.slice(1), {
            env: cliEnv({ CLOUDFN_ADMIN_TOKEN: 'y'.repeat(32) }),
            detached: true,
          });
      let out = '';
      await new Promise<void>((resolve, reject) => {
        child.stdout!.on('data', (chunk: Buffer) => {
          out += chunk.toString();
          if (out.includes('cloudfn listening on')) resolve();
        });
        child.on('error', reject);
        child.on('close', () => reject(new Error(`serve ended early: ${out}`)));
      });
      process.kill(-child.pid!, 'SIGTERM');
      await new Promise((resolve) => child.once('close', resolve));
      return out;
    };
    const pretty = await serveIn(true);
    expect(pretty).toMatch(/INFO.*cloudfn listening on http:\/\/127\.0\.0\.1:\d+/);
    expect(pretty).not.toContain('{"level"');
    const json = await serveIn(false);
    expect(
      JSON.parse(json.split('\n').find((l) => l.includes('cloudfn listening'))!),
    ).toMatchObject({
      level: 30,
      msg: expect.stringContaining('cloudfn listening on'),
    });
  });
});
