import crypto from 'node:crypto';
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
