import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asyncTableStore } from '../../../engine/tables/async-adapter.ts';
import { SqliteTableStore } from '../../../engine/tables/sqlite/table-store.ts';
import { startRestServer, type RestServer } from './helpers/rest-server.ts';

describe('tables REST API', () => {
  let dir: string;
  let store: SqliteTableStore;
  let rest: RestServer;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'cloudfn-rest-'));
    store = new SqliteTableStore({ path: path.join(dir, 'tables.db') });
    rest = await startRestServer(asyncTableStore(store));
  });

  afterAll(async () => {
    await rest.close();
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('creates a table (201, integer id, ISO times) and finds it by id and by name', async () => {
    const created = await rest.request('POST', '/tables', {
      name: 'books',
      fields: [
        { name: 'title', type: 'string', required: true },
        { name: 'pages', type: 'integer' },
      ],
    });
    expect(created.status).toBe(201);
    const body = created.body as { id: number; name: string; created_at: string };
    expect(Number.isInteger(body.id)).toBe(true);
    expect(body.created_at).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    expect((await rest.request('GET', `/tables/${body.id}`)).body).toMatchObject({ name: 'books' });
    expect((await rest.request('GET', '/tables/books')).body).toMatchObject({ id: body.id });
    const list = await rest.request('GET', '/tables');
    expect(list.body).toMatchObject({ meta: { limit: 20, offset: 0, total_count: 1 } });
  });

  it('creates, reads, updates, lists and deletes records', async () => {
    const created = await rest.request('POST', '/tables/books/records', {
      title: 'Dune',
      pages: '412',
    });
    expect(created.status).toBe(201);
    const rec = created.body as { id: string; pages: number };
    expect(rec.pages).toBe(412);
    expect((await rest.request('GET', `/tables/books/records/${rec.id}`)).body).toMatchObject({
      title: 'Dune',
    });
    expect(
      (await rest.request('PUT', `/tables/books/records/${rec.id}`, { pages: { $incr_by: 1 } }))
        .body,
    ).toMatchObject({ pages: 413 });
    const where = encodeURIComponent(JSON.stringify({ title: { $contains: 'un' } }));
    const list = await rest.request('GET', `/tables/books/records?where=${where}&keys=title`);
    expect(list.body).toMatchObject({
      meta: { total_count: 1 },
      objects: [{ id: rec.id, title: 'Dune' }],
    });
    expect((await rest.request('DELETE', `/tables/books/records/${rec.id}`)).status).toBe(204);
    const gone = await rest.request('GET', `/tables/books/records/${rec.id}`);
    expect(gone.status).toBe(404);
    expect(gone.body).toMatchObject({ error: { code: 'E_TABLE_RECORD_NOT_FOUND' } });
  });

  it('refuses a bad record with 400 naming each field', async () => {
    const res = await rest.request('POST', '/tables/books/records', {
      pages: 'many',
      color: 'red',
    });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({
      error: { code: 'E_TABLE_INVALID_RECORD', fields: ['color', 'pages', 'title'] },
    });
  });
});
