/**
 * The tables' PostgreSQL unreachable: reached through a TCP proxy of ours (the machine's
 * server is shared, so it is not stopped), which the test cuts and restores. Meanwhile the
 * admin tables API answers 503 E_DATABASE_UNAVAILABLE (never a 500), and a function's table
 * call rejects with that code and a message naming the server; after it, both work again,
 * including an executor that started while the database was away.
 */
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresTableStore } from '../../../engine/tables/postgres/table-store.ts';
import { createSandbox, type SupervisedSandbox } from '../../../runtime/index.ts';
import { startTestEngine, type TestEngine } from '../../helpers/engine.ts';
import { createTestSchema, postgresAvailable, type TestSchema } from '../../helpers/postgres.ts';
import { startTcpProxy, type TcpProxy } from '../../helpers/tcp-proxy.ts';
import { deploy, run } from '../runtime/harness.ts';

const pgUp = await postgresAvailable();
const MODULE = fileURLToPath(
  new URL('../../../engine/tables/postgres/sandbox-host-ops.ts', import.meta.url),
);

/** `url` with its host and port those of the proxy. */
function through(proxy: TcpProxy, url: string): string {
  const proxied = new URL(url);
  proxied.hostname = '127.0.0.1';
  proxied.port = String(proxy.port);
  return proxied.toString();
}

async function proxyTo(url: string): Promise<TcpProxy> {
  const target = new URL(url);
  return startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
}

describe.skipIf(!pgUp)('the tables database unreachable', () => {
  let schema: TestSchema;

  beforeAll(async () => {
    schema = await createTestSchema('tables_down');
  });

  afterAll(async () => {
    await schema?.drop();
  });

  describe('through the admin tables API', () => {
    let proxy: TcpProxy;
    let t: TestEngine;

    beforeAll(async () => {
      proxy = await proxyTo(schema.url);
      t = await startTestEngine({ env: { CLOUDFN_DATABASE_URL: through(proxy, schema.url) } });
    });

    afterAll(async () => {
      await proxy?.restore().catch(() => {});
      await t?.close();
      await proxy?.close();
    });

    const api = (method: string, route: string, body?: unknown) => t.api(method, route, body);

    it('answers 503 E_DATABASE_UNAVAILABLE while cut, and works again once restored', async () => {
      expect(
        (
          await api('POST', '/tables', {
            name: 'notes',
            fields: [{ name: 'text', type: 'string' }],
          })
        ).status,
      ).toBe(201);
      const kept = (await api('POST', '/tables/notes/records', { text: 'before' })).body;

      await proxy.cut();
      const calls: Array<[string, string, unknown?]> = [
        ['GET', '/tables/notes/records'],
        ['GET', `/tables/notes/records/${kept.id}`],
        ['POST', '/tables/notes/records', { text: 'during' }],
        ['POST', '/tables/notes/records', [{ text: 'during' }]],
        ['PUT', `/tables/notes/records/${kept.id}`, { text: 'during' }],
        ['DELETE', `/tables/notes/records/${kept.id}`],
        ['GET', '/tables/notes/export'],
        ['GET', '/tables/notes/export?format=csv'],
        ['POST', '/tables', { name: 'more', fields: [] }],
        ['GET', '/users'],
        ['POST', '/users', { openid: 'oDown' }],
      ];
      for (const [method, route, body] of calls) {
        const answer = await api(method, route, body);
        expect([method, route, answer.status, answer.body?.error?.code]).toEqual([
          method,
          route,
          503,
          'E_DATABASE_UNAVAILABLE',
        ]);
        expect(answer.body.error.message).toMatch(
          /^PostgreSQL at 127\.0\.0\.1:\d+\/test is not available/,
        );
      }

      await proxy.restore();
      await expect
        .poll(async () => (await api('GET', `/tables/notes/records/${kept.id}`)).status, {
          timeout: 10_000,
        })
        .toBe(200);
      const list = await api('GET', '/tables/notes/records');
      expect(list.body.objects.map((r: { text: string }) => r.text)).toEqual(['before']);
    });
  });

  describe("through a function's table call", () => {
    let proxy: TcpProxy;
    const sandboxes: SupervisedSandbox[] = [];

    beforeAll(async () => {
      proxy = await proxyTo(schema.url);
      const store = await PostgresTableStore.open({ url: schema.url, poolSize: 1 });
      try {
        await store.createTable({ name: 'visits', fields: [{ name: 'page', type: 'string' }] });
      } finally {
        await store.close();
      }
    });

    afterAll(async () => {
      for (const sandbox of sandboxes) await sandbox.close();
      await proxy?.close();
    });

    async function startSandbox(): Promise<SupervisedSandbox> {
      const sandbox = createSandbox({
        hostOps: { module: MODULE, options: { url: through(proxy, schema.url), poolSize: 2 } },
      });
      sandboxes.push(sandbox);
      await sandbox.ready();
      return sandbox;
    }

    const SOURCE = `exports.main = async () => {
      const T = new BaaS.TableObject('visits');
      try {
        const saved = (await T.create().set({ page: 'home' }).save()).data;
        return { saved: saved.page };
      } catch (e) {
        return { code: e.code, status: e.status, reason: e.reason, message: e.message };
      }
    }`;

    it('rejects with an HError E_DATABASE_UNAVAILABLE (status 503) while cut, and succeeds once restored', async () => {
      const sandbox = await startSandbox();
      const fn = await deploy('visit_down', SOURCE);
      expect((await run(sandbox, fn)).result).toEqual({ saved: 'home' });

      await proxy.cut();
      const during = await run(sandbox, fn);
      expect(during.status).toBe('fulfilled');
      // MinCloud's HError: its code one of the integers MinCloud lists (500), the status 503.
      expect(during.result).toMatchObject({
        code: 500,
        status: 503,
        reason: 'E_DATABASE_UNAVAILABLE',
      });
      expect((during.result as { message: string }).message).toMatch(
        /^PostgreSQL at 127\.0\.0\.1:\d+\/test is not available/,
      );

      await proxy.restore();
      await expect
        .poll(async () => (await run(sandbox, fn)).result, { timeout: 10_000 })
        .toEqual({
          saved: 'home',
        });
    });

    it('an executor that started while the database was away recovers with it', async () => {
      await proxy.cut();
      const sandbox = await startSandbox();
      const fn = await deploy('visit_late', SOURCE);
      expect((await run(sandbox, fn)).result).toMatchObject({ reason: 'E_DATABASE_UNAVAILABLE' });
      await proxy.restore();
      await expect
        .poll(async () => (await run(sandbox, fn)).result, { timeout: 10_000 })
        .toEqual({
          saved: 'home',
        });
    });
  });
});
