import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestSchema, postgresAvailable, type TestSchema } from '../../helpers/postgres.ts';

const pgUp = await postgresAvailable();

describe.skipIf(!pgUp)('the PostgreSQL test harness', () => {
  let schema: TestSchema;
  beforeAll(async () => {
    schema = await createTestSchema('harness');
  });
  afterAll(() => schema?.drop());

  it('gives each suite a schema of its own that a connection URL selects', async () => {
    const client = new pg.Client({ connectionString: schema.url });
    await client.connect();
    try {
      await client.query('CREATE TABLE probe (id int PRIMARY KEY)');
      await client.query('INSERT INTO probe VALUES (1)');
      const where = await client.query<{ schemaname: string }>(
        "SELECT schemaname FROM pg_tables WHERE tablename = 'probe'",
      );
      expect(where.rows.map((r) => r.schemaname)).toContain(schema.name);
      const path = await client.query<{ search_path: string }>('SHOW search_path');
      expect(path.rows[0]!.search_path).toBe(schema.name);
    } finally {
      await client.end();
    }
  });
});
