import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { envDigest } from '../../../engine/functions/env-digest.ts';
import { loadProject, findProjectRoot } from '../../../engine/cli/project/load.ts';
import { formatPlan, planProject, type BuiltFunction } from '../../../engine/cli/project/plan.ts';
import { pulledFiles } from '../../../engine/cli/project/pull.ts';
import type { EngineState, RemoteFunction } from '../../../engine/cli/project/state.ts';
import { CliError } from '../../../engine/cli/errors.ts';

// cloudfn.json as the CLI reads it, and the plan it makes against an engine's state: the
// loader reports every problem at once, the plan compares code, limits, env, fields and
// trigger definitions, and a pulled project plans as unchanged.
let root: string;

beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'cloudfn-project-'));
  fs.mkdirSync(path.join(root, 'functions'));
  fs.mkdirSync(path.join(root, 'triggers'));
  fs.writeFileSync(path.join(root, 'functions/hello.js'), 'exports.main = async () => 1;\n');
});
afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

const write = (file: string, value: unknown) =>
  fs.writeFileSync(path.join(root, file), JSON.stringify(value));

const TRIGGER = {
  name: 'on_card',
  type: 'wechat_message',
  condition: {
    appId: 'wx2c2769f8efd9abc2',
    match: 'all',
    rules: [{ field: 'Event', op: '=', value: 'user_consume_card' }],
  },
  actions: [{ type: 'function', function: 'hello' }],
};

const PROJECT = {
  accounts: {
    wx2c2769f8efd9abc2: { token: { env: 'WX_TOKEN' }, encodingAESKey: { env: 'WX_AES_KEY' } },
  },
  tables: { cards: { fields: [{ name: 'Code', type: 'string' }] } },
  functions: {
    hello: {
      path: 'functions/hello.js',
      timeoutMs: 3000,
      env: { GREETING: 'Hi', KEY: { env: 'API_KEY' } },
    },
  },
  triggers: ['triggers/on_card.json'],
};

const ENV = {
  WX_TOKEN: 'spamtest',
  WX_AES_KEY: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG',
  API_KEY: 'k-1',
};

function caught(fn: () => unknown): CliError {
  try {
    fn();
  } catch (err) {
    if (err instanceof CliError) return err;
    throw err;
  }
  throw new Error('did not throw');
}

describe('loadProject', () => {
  it('reads the file, the trigger files and the secrets from the environment', () => {
    write('cloudfn.json', PROJECT);
    write('triggers/on_card.json', TRIGGER);
    const project = loadProject(root, ENV);
    expect(project.accounts).toEqual([
      {
        appId: 'wx2c2769f8efd9abc2',
        token: 'spamtest',
        encodingAESKey: ENV.WX_AES_KEY,
        mode: 'safe',
      },
    ]);
    expect(project.functions[0]).toMatchObject({
      name: 'hello',
      path: path.join(root, 'functions/hello.js'),
      timeoutMs: 3000,
      env: { GREETING: 'Hi', KEY: 'k-1' },
    });
    expect(project.triggers[0]).toMatchObject({ name: 'on_card', source: 'triggers/on_card.json' });
    fs.mkdirSync(path.join(root, 'sub'));
    expect(findProjectRoot(path.join(root, 'sub'))).toBe(root);
  });

  it("takes secrets from the project's .env, the environment winning", () => {
    write('cloudfn.json', PROJECT);
    write('triggers/on_card.json', TRIGGER);
    fs.writeFileSync(
      path.join(root, '.env'),
      `# sample\nWX_TOKEN=from-file\nWX_AES_KEY=${ENV.WX_AES_KEY}\nAPI_KEY=file-key\n`,
    );
    const project = loadProject(root, { API_KEY: 'env-key' });
    expect(project.accounts[0]!.token).toBe('from-file');
    expect(project.functions[0]!.env).toEqual({ GREETING: 'Hi', KEY: 'env-key' });
  });

  it('lists every missing environment variable at once', () => {
    write('cloudfn.json', PROJECT);
    write('triggers/on_card.json', TRIGGER);
    const err = caught(() => loadProject(root, {}));
    expect(err.code).toBe('E_CLI_PROJECT_ENV');
    expect(err.message).toContain('API_KEY, WX_AES_KEY, WX_TOKEN');
    expect(err.hint).toContain('.env');
  });

  it('lists every problem of an invalid file with its place', () => {
    write('cloudfn.json', {
      functions: { hello: { path: 'functions/hello.js', timeoutMs: 'soon' }, '1bad': 'x.js' },
      tables: { cards: {} },
      triggers: ['triggers/missing.json'],
      extra: true,
    });
    const err = caught(() => loadProject(root, {}));
    expect(err.code).toBe('E_CLI_PROJECT_INVALID');
    expect(err.detail).toContain('functions.hello.timeoutMs');
    expect(err.detail).toContain('tables.cards.fields');
    expect(err.detail).toContain('extra');
    expect(err.detail).toContain('1bad');
    expect(err.message).toMatch(/\d+ problems/);
  });

  it('names missing function paths and trigger files', () => {
    write('cloudfn.json', {
      functions: { gone: 'functions/gone.js' },
      triggers: ['triggers/x.json'],
    });
    const err = caught(() => loadProject(root, {}));
    expect(err.detail).toContain('functions.gone: functions/gone.js does not exist');
    expect(err.detail).toContain('triggers[0]: triggers/x.json does not exist');
  });
});

function remoteFunction(over: Partial<RemoteFunction> = {}): RemoteFunction {
  return {
    name: 'hello',
    version: 1,
    sha256: 'aaa',
    timeoutMs: 3000,
    memoryMb: 128,
    env: ['GREETING', 'KEY'],
    env_sha256: envDigest({ GREETING: 'Hi', KEY: 'k-1' }),
    code: 'exports.main = async () => 1;\n',
    ...over,
  };
}

function emptyState(): EngineState {
  return { accounts: new Map(), tables: new Map(), functions: new Map(), triggers: new Map() };
}

const built = (sha = 'aaa') =>
  new Map<string, BuiltFunction>([
    ['hello', { name: 'hello', code: 'x', filename: 'hello.js', sha256s: [sha, 'raw'] }],
  ]);

describe('planProject', () => {
  beforeEach(() => {
    write('cloudfn.json', PROJECT);
    write('triggers/on_card.json', TRIGGER);
  });

  it('creates everything on an empty engine, in dependency order', () => {
    const steps = planProject(loadProject(root, ENV), built(), emptyState());
    expect(steps.map((s) => `${s.action} ${s.kind} ${s.name}`)).toEqual([
      'create account wx2c2769f8efd9abc2',
      'create table cards',
      'create function hello',
      'create trigger on_card',
    ]);
    expect(steps[2]!.request).toMatchObject({
      method: 'PUT',
      route: '/functions/hello',
      body: { timeoutMs: 3000, memoryMb: 128, env: { GREETING: 'Hi', KEY: 'k-1' } },
    });
    expect(formatPlan(steps).at(-1)).toBe('Plan: 4 to create, 0 to update, 0 unchanged.');
    expect(formatPlan(steps)[0]).toMatch(/^\+ create\s+account\s+wx2c2769f8efd9abc2/);
  });

  it('is all unchanged when the engine holds the same things', () => {
    const state = emptyState();
    state.accounts.set('wx2c2769f8efd9abc2', {
      appId: 'wx2c2769f8efd9abc2',
      mode: 'safe',
      hasEncodingAESKey: true,
      secretsMatch: true,
    });
    state.tables.set('cards', [
      { name: 'Code', type: 'string' },
      { name: 'Other', type: 'integer' },
    ]);
    state.functions.set('hello', remoteFunction());
    // As the engine stores it: defaults applied, plus its own fields.
    state.triggers.set('on_card', {
      ...TRIGGER,
      enabled: true,
      retry: { attempts: 3, backoff: '1s' },
      actions: [{ type: 'function', function: 'hello', frequency: 'always' }],
      created_at: '2026-01-01T00:00:00.000Z',
      updated_at: '2026-01-01T00:00:00.000Z',
    });
    const steps = planProject(loadProject(root, ENV), built(), state);
    expect(steps.map((s) => s.action)).toEqual([
      'unchanged',
      'unchanged',
      'unchanged',
      'unchanged',
    ]);
    expect(steps.every((s) => s.request === undefined)).toBe(true);
    expect(formatPlan(steps)[0]).toMatch(/^= unchanged\s+account/);
  });

  it('says what differs: secrets, fields, code, limits, env values and names, trigger keys', () => {
    const state = emptyState();
    state.accounts.set('wx2c2769f8efd9abc2', {
      appId: 'wx2c2769f8efd9abc2',
      mode: 'plain',
      hasEncodingAESKey: false,
      secretsMatch: false,
    });
    state.tables.set('cards', [{ name: 'Other', type: 'integer' }]);
    state.functions.set(
      'hello',
      remoteFunction({
        sha256: 'old',
        memoryMb: 256,
        env_sha256: envDigest({ GREETING: 'Yo', KEY: 'k-1' }),
      }),
    );
    state.triggers.set('on_card', { ...TRIGGER, enabled: false });
    const steps = planProject(loadProject(root, ENV), built(), state);
    expect(steps.map((s) => [s.action, s.changes])).toEqual([
      ['update', ['mode plain → safe', 'token / EncodingAESKey']],
      ['update', ['add fields Code']],
      ['update', ['code', 'memory 256 → 128 MB', 'env values']],
      ['update', expect.arrayContaining(['enabled'])],
    ]);
    expect(steps[1]!.request).toEqual({
      method: 'POST',
      route: '/tables/cards/fields',
      body: { fields: [{ name: 'Code', type: 'string' }] },
    });

    state.functions.set(
      'hello',
      remoteFunction({ env: ['GREETING'], env_sha256: envDigest({ GREETING: 'Hi' }) }),
    );
    expect(planProject(loadProject(root, ENV), built(), state)[2]!.changes).toEqual([
      'env [GREETING] → [GREETING KEY]',
    ]);
  });

  it('counts a pulled bundle (the upload itself is what runs) as unchanged code', () => {
    const state = emptyState();
    state.functions.set('hello', remoteFunction({ sha256: 'raw' }));
    const steps = planProject(loadProject(root, ENV), built('other'), state);
    expect(steps.find((s) => s.kind === 'function')!.action).toBe('unchanged');
  });

  it('warns about a field whose type differs instead of changing it', () => {
    const state = emptyState();
    state.tables.set('cards', [{ name: 'Code', type: 'integer' }]);
    const [, table] = planProject(loadProject(root, ENV), built(), state);
    expect(table!.action).toBe('unchanged');
    expect(table!.warnings[0]).toContain('field Code is integer on the engine, string here');
  });

  it('refuses a trigger the engine would refuse, listing its problems', () => {
    write('triggers/on_card.json', { ...TRIGGER, type: 'wechat_message', condition: {} });
    const err = caught(() => planProject(loadProject(root, ENV), built(), emptyState()));
    expect(err.code).toBe('E_CLI_PROJECT_INVALID');
    expect(err.detail).toContain('trigger on_card (triggers/on_card.json)');
  });

  it('ignores the webhook secret the engine generated when the file gives none', () => {
    const hook = {
      name: 'on_card',
      type: 'wechat_message',
      condition: TRIGGER.condition,
      actions: [{ type: 'webhook', url: 'https://example.com/hook' }],
    };
    write('triggers/on_card.json', hook);
    const state = emptyState();
    const stored = planProject(loadProject(root, ENV), built(), emptyState())[3]!;
    expect(stored.action).toBe('create');
    state.triggers.set('on_card', {
      ...hook,
      enabled: true,
      retry: { attempts: 3, backoff: '1s' },
      actions: [
        {
          type: 'webhook',
          url: 'https://example.com/hook',
          frequency: 'always',
          secret: 'generated-secret',
        },
      ],
    });
    const again = planProject(loadProject(root, ENV), built(), state)[3]!;
    expect([again.action, again.changes]).toEqual(['unchanged', []]);
  });
});

describe('pulledFiles', () => {
  it('writes code, definitions and env placeholders, never a secret', () => {
    const state = emptyState();
    state.accounts.set('wx2c2769f8efd9abc2', {
      appId: 'wx2c2769f8efd9abc2',
      mode: 'safe',
      hasEncodingAESKey: true,
      secretsMatch: false,
    });
    state.tables.set('cards', [{ name: 'Code', type: 'string' }]);
    state.functions.set('hello', remoteFunction());
    state.triggers.set('on_card', {
      ...TRIGGER,
      actions: [{ type: 'webhook', url: 'https://example.com/h', secret: 'generated-secret' }],
      key: 'hook-key',
      created_at: 'x',
    });
    const files = pulledFiles(state);
    const project = JSON.parse(files['cloudfn.json']!);
    expect(project).toEqual({
      accounts: {
        wx2c2769f8efd9abc2: {
          token: { env: 'WX2C2769F8EFD9ABC2_TOKEN' },
          encodingAESKey: { env: 'WX2C2769F8EFD9ABC2_AES_KEY' },
          mode: 'safe',
        },
      },
      tables: { cards: { fields: [{ name: 'Code', type: 'string' }] } },
      functions: {
        hello: {
          path: 'functions/hello.js',
          timeoutMs: 3000,
          memoryMb: 128,
          env: { GREETING: { env: 'HELLO_GREETING' }, KEY: { env: 'HELLO_KEY' } },
        },
      },
      triggers: ['triggers/on_card.json'],
    });
    expect(files['functions/hello.js']).toBe('exports.main = async () => 1;\n');
    const trigger = JSON.parse(files['triggers/on_card.json']!);
    expect(trigger.actions[0]).toEqual({ type: 'webhook', url: 'https://example.com/h' });
    expect(trigger).not.toHaveProperty('key');
    expect(trigger).not.toHaveProperty('created_at');
    expect(files['.env.example']).toMatch(/^HELLO_GREETING=$/m);
    expect(Object.values(files).join('\n')).not.toContain('generated-secret');
  });
});
