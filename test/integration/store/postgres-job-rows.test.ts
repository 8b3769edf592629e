import crypto from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  openPostgresEngineStore,
  type PostgresEngineStore,
} from '../../../engine/store/postgres/index.ts';
import { createSecretBox } from '../../../engine/secrets/secret-box.ts';
import type { NewJob } from '../../../engine/store/ports.ts';
import { createTestSchema, postgresAvailable, type TestSchema } from '../../helpers/postgres.ts';

const pgUp = await postgresAvailable();

const job = (id: string, source = 'invoke'): NewJob => ({
  id,
  function: 'f',
  version: 1,
  source,
  status: 'executing',
  createdAt: 1,
  data: { id },
  inboxId: null,
  triggerName: null,
  triggerLogId: null,
});
const done = {
  status: 'fulfilled' as const,
  finishedAt: 2,
  durationMs: 1,
  cpuMs: 1,
  memoryBytes: 1,
  result: 'ok',
  error: null,
  log: [],
};

// The job rows of one turn are one statement on PostgreSQL: what a batch does when the
// database refuses one of its rows.
describe.skipIf(!pgUp)('PostgreSQL job rows in batches', () => {
  let schema: TestSchema;
  let store: PostgresEngineStore;
  beforeAll(async () => {
    schema = await createTestSchema('jobrows');
    store = await openPostgresEngineStore(schema.url, {
      secrets: createSecretBox(crypto.randomBytes(32)),
      poolSize: 2,
    });
  });
  afterAll(async () => {
    await store?.close();
    await schema?.drop();
  });

  it('a row the database refuses fails its own start, with the database’s reason; the rest of its batch is written', async () => {
    // PostgreSQL text cannot hold a NUL character: the statement of the batch fails, and its
    // rows are tried one by one.
    const starts = ['good-1', 'bad', 'good-2'].map((id) =>
      store.jobs.create(job(id, id === 'bad' ? 'in\u0000voke' : 'invoke')),
    );
    const settled = await Promise.allSettled(starts);
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(String((settled[1] as PromiseRejectedResult).reason)).toMatch(/0x00/);
    await Promise.all([store.jobs.finish('good-1', done), store.jobs.finish('good-2', done)]);
    expect((await store.jobs.get('good-2'))?.status).toBe('fulfilled');
    expect(await store.jobs.get('bad')).toBeUndefined();
    expect((await store.jobs.list({ function: 'f', limit: 10, offset: 0 })).total).toBe(2);
  });
});

// A created job's row is held until its run ends (up to HOLD_MS): what reaches the table.
// A row trigger of the test's own counts the writes each job row gets.
describe.skipIf(!pgUp)('PostgreSQL job rows held until the run ends', () => {
  let schema: TestSchema;
  let store: PostgresEngineStore;
  /** One whose hold outlasts any test: what it writes does not depend on how fast a run is. */
  let holding: PostgresEngineStore;
  let holdingClosed = false;
  let admin: pg.Client;
  beforeAll(async () => {
    schema = await createTestSchema('jobhold');
    const secrets = createSecretBox(crypto.randomBytes(32));
    store = await openPostgresEngineStore(schema.url, { secrets, poolSize: 2 });
    holding = await openPostgresEngineStore(schema.url, {
      secrets,
      poolSize: 2,
      jobHoldMs: 600_000,
    });
    admin = new pg.Client({ connectionString: schema.url });
    await admin.connect();
    await admin.query(`
      CREATE TABLE job_writes (op text NOT NULL, id text NOT NULL, status text NOT NULL);
      CREATE FUNCTION count_job_write() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO job_writes VALUES (TG_OP, NEW.id, NEW.status);
        RETURN NEW;
      END $$;
      CREATE TRIGGER count_job_writes AFTER INSERT OR UPDATE ON jobs
        FOR EACH ROW EXECUTE FUNCTION count_job_write();`);
  });
  afterAll(async () => {
    await admin?.end();
    await store?.close();
    if (!holdingClosed) await holding?.close();
    await schema?.drop();
  });

  const writesOf = async (id: string) =>
    (
      await admin.query<{ op: string; status: string }>(
        'SELECT op, status FROM job_writes WHERE id = $1 ORDER BY ctid',
        [id],
      )
    ).rows.map((r) => `${r.op} ${r.status}`);

  it('a run that ends within the hold writes one row, finished; its create settles with it', async () => {
    const creating = holding.jobs.create(job('short'));
    // Turns and round trips go by meanwhile: a start written at once would have landed.
    await admin.query('SELECT pg_sleep(0.05)');
    expect(await writesOf('short')).toEqual([]);
    await holding.jobs.finish('short', done);
    await creating;
    expect(await writesOf('short')).toEqual(['INSERT fulfilled']);
  });

  it('a run still going when the hold ends has its start written then, and its end after', async () => {
    // `create` settles once the start is written: at the hold's end, the run still going.
    await store.jobs.create(job('long'));
    expect(await writesOf('long')).toEqual(['INSERT executing']);
    await store.jobs.finish('long', done);
    expect(await writesOf('long')).toEqual(['INSERT executing', 'UPDATE fulfilled']);
  });

  it('a read by this store writes the held start first; close writes what is still held', async () => {
    const creating = holding.jobs.create(job('read'));
    expect((await holding.jobs.get('read'))?.status).toBe('executing');
    await creating;
    await holding.jobs.finish('read', done);
    expect(await writesOf('read')).toEqual(['INSERT executing', 'UPDATE fulfilled']);
    const closing = holding.jobs.create(job('closing'));
    await holding.close();
    holdingClosed = true;
    await closing;
    expect(await writesOf('closing')).toEqual(['INSERT executing']);
  });
});
