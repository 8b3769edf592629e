import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestEngine, type TestEngine } from '../../helpers/engine.ts';
import { wechatVectors } from '../../helpers/fixtures.ts';
import { runCli, type CliRun } from './run-cli.ts';

// The walk-through with the real CLI binary against a real engine:
// init → accounts set → tables create --from-push → deploy → triggers create → push --encrypt
// → logs shows the fulfilled run.
const B = wechatVectors().B_wxbizmsgcrypt_sample;

describe('cloudfn from init to a fired trigger', () => {
  let t: TestEngine;
  let dir: string;
  let env: Record<string, string>;
  const cli = (...args: string[]): Promise<CliRun> => runCli(args, { env, cwd: dir });

  beforeAll(async () => {
    t = await startTestEngine();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cloudfn-cli-'));
    env = { CLOUDFN_URL: t.engine.url, CLOUDFN_ADMIN_TOKEN: t.engine.adminToken };
  });

  afterAll(async () => {
    await t?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('runs every step with exit code 0 and the push reaches the table through the trigger', async () => {
    const init = await cli('init', 'app', '--app-id', B.appid);
    expect(init.code, init.stderr).toBe(0);
    const app = path.join(dir, 'app');
    for (const file of [
      'functions/user_consume_card.js',
      'triggers/user_consume_card.json',
      'pushes/user_consume_card.xml',
      'types/baas.d.ts',
      'tsconfig.json',
    ]) {
      expect(fs.existsSync(path.join(app, file)), file).toBe(true);
    }
    const inApp = (...args: string[]) => runCli(args, { env, cwd: app });

    const account = await inApp(
      'accounts',
      'set',
      B.appid,
      '--token',
      B.token,
      '--aes-key',
      B.encodingAESKey,
    );
    expect(account.code, account.stderr).toBe(0);
    expect(account.stdout).toContain('mode safe');
    expect(account.stdout).not.toContain(B.encodingAESKey);

    const table = await inApp(
      'tables',
      'create',
      'user_consume_card',
      '--from-push',
      'pushes/user_consume_card.xml',
    );
    expect(table.code, table.stderr).toBe(0);
    const created = await t.api('GET', '/tables/user_consume_card');
    const types = Object.fromEntries(
      created.body.fields.map((f: { name: string; type: string }) => [f.name, f.type]),
    );
    expect(types).toMatchObject({
      CreateTime: 'integer',
      UserCardCode: 'string',
      Event: 'string',
      _AppId: 'string',
    });
    expect(Object.keys(types)).toHaveLength(14);

    const deploy = await inApp('deploy', 'functions/user_consume_card.js');
    expect(deploy.code, deploy.stderr).toBe(0);
    expect(deploy.stdout).toMatch(/Deployed user_consume_card v1/);

    const trigger = await inApp('triggers', 'create', 'triggers/user_consume_card.json');
    expect(trigger.code, trigger.stderr).toBe(0);
    expect(trigger.stdout).toContain('Created trigger user_consume_card (wechat_message)');

    const push = await inApp('push', B.appid, 'pushes/user_consume_card.xml', '--encrypt');
    expect(push.code, push.stderr).toBe(0);
    expect(push.stderr).toContain('encrypted');
    expect(push.stdout).toContain('← 200 success');
    expect(push.stdout).toMatch(/user_consume_card\s+\S+ \S+\s+succeeded/);
    expect(push.stdout).toContain('saved card 452998530302');

    const logs = await inApp('logs', 'user_consume_card');
    expect(logs.code, logs.stderr).toBe(0);
    expect(logs.stdout).toMatch(/fulfilled .* trigger user_consume_card/);
    expect(logs.stdout).toContain('[log] saved card 452998530302');

    const records = await t.api('GET', '/tables/user_consume_card/records');
    expect(records.body.objects).toHaveLength(1);
    expect(records.body.objects[0]).toMatchObject({
      UserCardCode: '452998530302',
      CreateTime: 1472549042,
      _AppId: B.appid,
    });

    // The same push again is WeChat's retry: nothing runs twice; --fresh makes it a new event.
    const again = await inApp('push', B.appid, 'pushes/user_consume_card.xml', '--wait', '1');
    expect(again.code).toBe(0);
    expect(again.stderr).toContain('--fresh');
    const fresh = await inApp('push', B.appid, 'pushes/user_consume_card.xml', '--fresh', '--json');
    expect(fresh.code, fresh.stderr).toBe(0);
    const answer = JSON.parse(fresh.stdout);
    expect(answer).toMatchObject({ status: 200, answer: 'success' });
    expect(answer.runs).toHaveLength(1);
    expect(answer.runs[0].job.status).toBe('fulfilled');
    expect((await t.api('GET', '/tables/user_consume_card/records')).body.objects).toHaveLength(2);
  }, 120_000);
});
