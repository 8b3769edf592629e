/**
 * Attack class: reaching the admin API without the token by spelling its path another way
 * (case, percent-encoding, "//", "/./", "/../", trailing slashes, a doubled prefix, an
 * absolute-form request target). Every admin route, as the routers themselves list it, is
 * tried in every spelling with no token and with a wrong one: none may answer 2xx/3xx, and
 * afterwards nothing has changed (docs/security.md, "Paths").
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pathFault } from '../../engine/http/canonical-path.ts';
import { startTestEngine, type TestEngine } from '../helpers/engine.ts';
import { rawRequest } from './helpers/raw-http.ts';

const APP_ID = 'wx2c2769f8efd9abc2';
const TOKEN = 'spamtest';

const PARAMS: Record<string, string> = {
  appId: APP_ID,
  name: 'keep',
  t: 'keep_table',
  id: 'x1',
};

/** A body each route would accept from the token holder: the attack is the path, not the body. */
function bodyFor(method: string, path: string): unknown {
  if (method === 'GET' || method === 'DELETE') return undefined;
  if (path.endsWith('/sign')) return { body: '<xml><MsgType>text</MsgType></xml>' };
  if (path === '/wechat/accounts/:appId') return { token: 'attacker-token' };
  if (path === '/functions/:name') return { code: 'exports.main = async () => "pwned"' };
  if (path.endsWith('/env')) return { set: { PWNED: '1' } };
  if (path.endsWith('/rollback')) return { version: 1 };
  if (path.endsWith('/invoke')) return { data: {} };
  if (path === '/tables') return { name: 'pwned', fields: [{ name: 'a', type: 'string' }] };
  if (path === '/tables/:t/fields') return { fields: [{ name: 'pwned', type: 'string' }] };
  if (path.includes('/records')) return { a: 'pwned' };
  if (path === '/triggers' || path === '/triggers/:name')
    return {
      name: 'pwned',
      type: 'timer',
      condition: { cron: '@daily' },
      actions: [{ type: 'function', function: 'keep' }],
    };
  if (path.endsWith('/test')) return { data: {} };
  return {};
}

/** The spellings of `/api/v1/<rest>` an attacker would try; `rest` has no leading "/". */
function spellings(rest: string): string[] {
  const [first, ...others] = rest.split('/');
  const tail = others.length ? `/${others.join('/')}` : '';
  const hexOf = (c: string) => `%${c.charCodeAt(0).toString(16)}`;
  return [
    `/API/v1/${rest}`,
    `/Api/V1/${rest}`,
    `/API/V1/${rest.toUpperCase()}`,
    `/aPi/v1/${rest}`,
    `/api/V1/${rest}`,
    `/%61pi/v1/${rest}`,
    `/%41PI/v1/${rest}`,
    `/a%70i/v1/${rest}`,
    `/api/%761/${rest}`,
    `/api/v1/${hexOf(first![0]!)}${first!.slice(1)}${tail}`,
    `/api%2Fv1/${rest}`,
    `/api%2fv1/${rest}`,
    `//api/v1/${rest}`,
    `/api//v1/${rest}`,
    `/api/v1//${rest}`,
    `/./api/v1/${rest}`,
    `/api/./v1/${rest}`,
    `/x/../api/v1/${rest}`,
    `/api/v1/../v1/${rest}`,
    `/api/v1/%2e/${rest}`,
    `/api/v1/${rest}/`,
    `/api/v1/${rest}//`,
    `/API/v1/${rest}/`,
    `/api/v1/api/v1/${rest}`,
    `/API/v1/api/v1/${rest}`,
    `/api/v1/${rest};x=1`,
    `/API/v1/${rest}%3Fx`,
    `/api\\v1/${rest}`,
    `http://127.0.0.1/API/v1/${rest}`,
    `http://127.0.0.1//api/v1/${rest}`,
    `/api/v1/${rest}`, // the canonical spelling, without the token: 401 like every other
  ];
}

describe('admin routes in every path spelling', () => {
  let t: TestEngine;
  let routes: Array<{ method: string; path: string }>;

  beforeAll(async () => {
    t = await startTestEngine();
    routes = [...t.engine.adminRoutes];
    const ok = (r: { status: number }) => expect(r.status).toBeLessThan(300);
    ok(await t.api('PUT', `/wechat/accounts/${APP_ID}`, { token: TOKEN }));
    ok(await t.api('PUT', '/functions/keep', { code: 'exports.main = async () => "kept"' }));
    ok(
      await t.api('POST', '/tables', {
        name: 'keep_table',
        fields: [{ name: 'a', type: 'string' }],
      }),
    );
    ok(
      await t.api('POST', '/triggers', {
        name: 'keep',
        type: 'timer',
        condition: { cron: '@yearly' },
        actions: [{ type: 'function', function: 'keep' }],
      }),
    );
  });

  afterAll(async () => {
    await t?.close();
  });

  it('lists every admin route, the signing route and every documented admin path included', async () => {
    const paths = new Set(routes.map((r) => r.path));
    expect(
      routes.some((r) => r.method === 'POST' && r.path === '/wechat/accounts/:appId/sign'),
    ).toBe(true);
    const document = (await t.api('GET', '/openapi.json')).body as { paths: object };
    const documented = Object.keys(document.paths)
      .filter((p) => p.startsWith('/api/v1/'))
      .map((p) => p.slice('/api/v1'.length).replace(/\{(\w+)\}/g, ':$1'));
    for (const p of documented) expect(paths).toContain(p);
    expect(routes.length).toBeGreaterThanOrEqual(30);
  });

  it('answers no spelling of any admin route without the token, and changes nothing', async () => {
    const passed: string[] = [];
    const statuses = new Set<number>();
    for (const route of routes) {
      const rest = route.path.slice(1).replace(/:(\w+)/g, (_, p: string) => PARAMS[p]!);
      const body = bodyFor(route.method, route.path);
      for (const target of spellings(rest)) {
        for (const auth of [undefined, 'Bearer wrong-token', 'bearer  ']) {
          const answer = await rawRequest(t.engine.url, route.method, target, {
            headers: {
              'content-type': 'application/json',
              ...(auth ? { authorization: auth } : {}),
            },
            ...(body === undefined ? {} : { body: JSON.stringify(body) }),
          });
          statuses.add(answer.status);
          if (answer.status < 400) passed.push(`${route.method} ${target} → ${answer.status}`);
          else expect(answer.headers['content-type']).toMatch(/json/);
        }
      }
    }
    expect(passed).toEqual([]);
    // Refused as unauthenticated or as no route, never by accident (a 5xx, a 400 from a body check).
    expect([...statuses].sort()).toEqual([401, 404]);

    const store = t.engine.store;
    expect((await store.accounts.get(APP_ID))?.token).toBe(TOKEN);
    expect((await store.functions.list()).map((f) => f.name)).toEqual(['keep']);
    expect(await store.functions.listVersions('keep')).toHaveLength(1);
    expect((await store.functions.getActive('keep'))?.env).toEqual({});
    expect((await store.triggers.list()).map((tr) => tr.name)).toEqual(['keep']);
    expect((await t.engine.tables.listTables()).map((tb) => tb.name)).toEqual(['keep_table']);
    expect((await t.engine.tables.getTable('keep_table')).fields.map((f) => f.name)).not.toContain(
      'pwned',
    );
    expect(await t.engine.tables.count('keep_table')).toBe(0);
    expect((await store.jobs.list({ function: 'keep', limit: 10, offset: 0 })).total).toBe(0);
  });

  it('routes only the canonical spelling: with the token, a non-canonical path is 404', async () => {
    const auth = { authorization: `Bearer ${t.engine.adminToken}` };
    for (const target of spellings('functions').slice(0, -1)) {
      const answer = await rawRequest(t.engine.url, 'GET', target, { headers: auth });
      expect([target, answer.status]).toEqual([target, 404]);
    }
    const canonical = await rawRequest(t.engine.url, 'GET', '/api/v1/functions', { headers: auth });
    expect(canonical.status).toBe(200);
  });

  it('refuses public paths in other spellings too, and keeps encoded names that need it', async () => {
    for (const target of ['/HEALTHZ', '/healthz/', '//healthz', '/%68ealthz', '/./healthz']) {
      expect([target, (await rawRequest(t.engine.url, 'GET', target)).status]).toEqual([
        target,
        404,
      ]);
    }
    expect((await rawRequest(t.engine.url, 'GET', '/healthz')).status).toBe(200);
    expect(pathFault('/api/v1/tables/%E7%94%A8%E6%88%B7/records')).toBeUndefined();
    expect(pathFault('/hooks/aZ09-_')).toBeUndefined();
    expect(pathFault('/api/v1/functions/a%25b')).toBeUndefined();
    expect(pathFault('/api/v1/functions/%zz')).toMatch(/hex/);
    expect(pathFault('/api/v1/functions/%00')).toMatch(/control/);
  });
});
