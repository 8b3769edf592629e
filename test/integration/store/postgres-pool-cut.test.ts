/**
 * The engine store's pools when the connection drops inside a transaction: pg emits 'error'
 * on the checked-out client (where the pool's idle listener is not), which unheard ends the
 * process. The transaction must reject with E_DATABASE_UNAVAILABLE and the pool work again
 * once the server is back. Reached through a TCP proxy of ours that is cut mid-transaction.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestSchema, postgresAvailable, type TestSchema } from '../../helpers/postgres.ts';
import { startTcpProxy, type TcpProxy } from '../../helpers/tcp-proxy.ts';
import { openPools, transaction, type PgPools } from '../../../engine/store/postgres/pool.ts';
import { DatabaseUnavailableError } from '../../../engine/store/postgres/errors.ts';

const pgUp = await postgresAvailable();

describe.skipIf(!pgUp)('the engine store pool, its connection cut inside a transaction', () => {
  let schema: TestSchema;
  let proxy: TcpProxy;
  let pools: PgPools;
  const idleErrors: Error[] = [];

  beforeAll(async () => {
    schema = await createTestSchema('pool_cut');
    const target = new URL(schema.url);
    proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
    const proxied = new URL(schema.url);
    proxied.hostname = '127.0.0.1';
    proxied.port = String(proxy.port);
    pools = await openPools(proxied.toString(), {
      poolSize: 2,
      connectTimeoutMs: 2000,
      onIdleError: (err) => idleErrors.push(err),
    });
  });

  afterAll(async () => {
    await pools?.end();
    await proxy?.close();
    await schema?.drop();
  });

  it('rejects with E_DATABASE_UNAVAILABLE, hears the client error, and works once restored', async () => {
    let entered!: () => void;
    const inside = new Promise<void>((resolve) => (entered = resolve));
    const cutMidway = transaction(pools.relaxed, 'test', async (client) => {
      await client.query('SELECT 1');
      entered();
      await client.query('SELECT pg_sleep(5)');
    });
    await inside;
    await proxy.cut();
    const err = await cutMidway.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(DatabaseUnavailableError);
    expect((err as DatabaseUnavailableError).code).toBe('E_DATABASE_UNAVAILABLE');

    await proxy.restore();
    const after = await transaction(pools.relaxed, 'test', (client) =>
      client.query<{ n: number }>('SELECT 41 + 1 AS n'),
    );
    expect(after.rows[0]!.n).toBe(42);
  });
});
