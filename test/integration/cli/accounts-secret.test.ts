import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestEngine, type TestEngine } from '../../helpers/engine.ts';
import { runCli } from './run-cli.ts';

// `cloudfn accounts set --app-secret / --app-secret-env / --remove-app-secret`: the AppSecret
// reaches the engine (which keeps it to call WeChat) and is never printed.
describe('cloudfn accounts set with an AppSecret', { timeout: 60_000 }, () => {
  let t: TestEngine;
  let env: Record<string, string>;
  const APP_ID = 'wxsecret0000000001';
  const SECRET = 'f0e1d2c3b4a5968778695a4b3c2d1e0f';
  const cli = (args: string[], extra: Record<string, string> = {}) =>
    runCli(args, { env: { ...env, ...extra } });
  const secretOf = async () => (await t.engine.store.accounts.get(APP_ID))?.appSecret ?? null;

  beforeAll(async () => {
    t = await startTestEngine();
    env = { CLOUDFN_URL: t.engine.url, CLOUDFN_ADMIN_TOKEN: t.engine.adminToken };
  });
  afterAll(async () => {
    await t?.close();
  });

  it('sends --app-secret, keeps it on a later set without it, and never echoes it', async () => {
    const set = await cli(['accounts', 'set', APP_ID, '--token', 'tok', '--app-secret', SECRET]);
    expect(set.code, set.stderr).toBe(0);
    expect(set.stdout).toContain('AppSecret set');
    expect(await secretOf()).toBe(SECRET);

    const json = await cli(['accounts', 'set', APP_ID, '--token', 'tok2', '--json']);
    expect(JSON.parse(json.stdout)).toMatchObject({ appId: APP_ID, hasAppSecret: true });
    expect(await secretOf()).toBe(SECRET);

    const list = await cli(['accounts', 'list']);
    expect(list.stdout).toMatch(/APP SECRET/);
    expect(list.stdout).toMatch(new RegExp(`^${APP_ID}\\s+plain\\s+-\\s+set\\s`, 'm'));
    for (const run of [set, json, list]) expect(run.stdout + run.stderr).not.toContain(SECRET);
  });

  it('reads --app-secret-env from the environment; a missing variable is a usage error', async () => {
    const other = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';
    const set = await cli(
      ['accounts', 'set', APP_ID, '--token', 'tok', '--app-secret-env', 'WX_APP_SECRET'],
      { WX_APP_SECRET: other },
    );
    expect(set.code, set.stderr).toBe(0);
    expect(set.stdout + set.stderr).not.toContain(other);
    expect(await secretOf()).toBe(other);

    const missing = await cli([
      'accounts',
      'set',
      APP_ID,
      '--token',
      'tok',
      '--app-secret-env',
      'CLOUDFN_TEST_NO_SUCH_VAR',
    ]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('CLOUDFN_TEST_NO_SUCH_VAR (--app-secret-env) is not set');
    const both = await cli([
      'accounts',
      'set',
      APP_ID,
      '--token',
      'tok',
      '--app-secret',
      SECRET,
      '--remove-app-secret',
    ]);
    expect(both.code).toBe(2);
    expect(both.stderr).not.toContain(SECRET);
    expect(await secretOf()).toBe(other);

    const removed = await cli(['accounts', 'set', APP_ID, '--token', 'tok', '--remove-app-secret']);
    expect(removed.code, removed.stderr).toBe(0);
    expect(removed.stdout).not.toContain('AppSecret set');
    expect(await secretOf()).toBeNull();
  });
});
