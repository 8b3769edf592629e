/**
 * The engine store's parameterised statements run named, prepared once per connection
 * (engine/store/postgres/statement-names.ts): parsed once, and the second run of a statement
 * on a connection reuses it. A statement whose result changed shape under it (a column added,
 * as a newer process's migration would) is run again unnamed instead of failing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestSchema, postgresAvailable, type TestSchema } from '../../helpers/postgres.ts';
import { openPools, query, type PgPools } from '../../../engine/store/postgres/pool.ts';
import {
  isStalePreparedStatement,
  StatementNames,
} from '../../../engine/store/postgres/statement-names.ts';

describe('statement names', () => {
  it('names a text once, the same name each time, and stops at the bound', () => {
    const names = new StatementNames(2);
    const a = names.nameOf('SELECT $1::int');
    expect(a).toMatch(/^cloudfn_\d+$/);
    expect(names.nameOf('SELECT $1::int')).toBe(a);
    const b = names.nameOf('SELECT $1::text');
    expect(b).not.toBe(a);
    expect(names.nameOf('SELECT $1::bigint')).toBeUndefined(); // past the bound: unnamed
  });

  it('never names a refused text again, and never reuses its name', () => {
    const names = new StatementNames();
    const a = names.nameOf('SELECT * FROM t WHERE id = $1')!;
    names.refuse('SELECT * FROM t WHERE id = $1');
    expect(names.nameOf('SELECT * FROM t WHERE id = $1')).toBeUndefined();
    expect(names.nameOf('SELECT $1::int')).not.toBe(a);
  });

  it('tells a stale prepared statement from other refusals', () => {
    expect(
      isStalePreparedStatement({
        code: '0A000',
        message: 'cached plan must not change result type',
      }),
    ).toBe(true);
    expect(isStalePreparedStatement({ code: '0A000', message: 'something else' })).toBe(false);
    expect(isStalePreparedStatement({ code: '23505', message: 'duplicate key' })).toBe(false);
    expect(isStalePreparedStatement(undefined)).toBe(false);
  });
});

const pgUp = await postgresAvailable();

describe.skipIf(!pgUp)('named statements on a real PostgreSQL', () => {
  let schema: TestSchema;
  let pools: PgPools;

  beforeAll(async () => {
    schema = await createTestSchema('named_statements');
    pools = await openPools(schema.url, { poolSize: 2 });
    await query(pools.durable, 'test', 'CREATE TABLE shapes (id int PRIMARY KEY, a text)');
    await query(pools.durable, 'test', "INSERT INTO shapes VALUES (1, 'one')");
  });

  afterAll(async () => {
    await pools?.end();
    await schema?.drop();
  });

  const prepared = async () =>
    (
      await query<{ name: string }>(
        pools.relaxed,
        'test',
        'SELECT name FROM pg_prepared_statements WHERE name LIKE $1',
        ['cloudfn_%'],
      )
    ).rows.map((r) => r.name);

  it('prepares a parameterised statement on its connection and runs it again', async () => {
    // One connection in the relaxed pool (pool size 2: one each), so both runs share it.
    const text = 'SELECT a FROM shapes WHERE id = $1';
    expect((await query(pools.relaxed, 'test', text, [1])).rows).toEqual([{ a: 'one' }]);
    expect((await query(pools.relaxed, 'test', text, [1])).rows).toEqual([{ a: 'one' }]);
    expect((await prepared()).length).toBeGreaterThanOrEqual(2); // this one and the lookup
  });

  it('runs a statement unnamed once its result changed shape under it', async () => {
    const text = 'SELECT * FROM shapes WHERE id = $1';
    expect((await query(pools.relaxed, 'test', text, [1])).rows).toEqual([{ id: 1, a: 'one' }]);
    await query(pools.durable, 'test', 'ALTER TABLE shapes ADD COLUMN b text');
    // Prepared, this would fail: cached plan must not change result type.
    expect((await query(pools.relaxed, 'test', text, [1])).rows).toEqual([
      { id: 1, a: 'one', b: null },
    ]);
    expect((await query(pools.relaxed, 'test', text, [1])).rows).toEqual([
      { id: 1, a: 'one', b: null },
    ]);
  });
});
