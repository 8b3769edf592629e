/**
 * The export streams, on both backends: `GET /tables/:t/export` answers a chunked body
 * (no Content-Length: nothing built whole first) whose JSON or CSV is every record in
 * insertion order, and the stream under it reads the table a keyset page at a time, only as
 * its consumer takes more.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseImportFile } from '../../../engine/cli/import-records.ts';
import { exportStream } from '../../../engine/tables/export-stream.ts';
import type { StoredRecord, TableStore } from '../../../engine/tables/table-store.ts';
import { onEachBackend, startEngineOn } from '../../helpers/backends.ts';
import type { TestEngine } from '../../helpers/engine.ts';

const RECORDS = 5000; // five pages of 1000
const FIELDS = [
  { name: 'name', type: 'string' },
  { name: 'n', type: 'integer' },
  { name: 'tags', type: 'array', items: 'string' },
  { name: 'meta', type: 'object' },
];

onEachBackend((backend) => {
  let t: TestEngine;
  /** Every record, in the order it was created. */
  let made: StoredRecord[] = [];

  beforeAll(async () => {
    t = await startEngineOn(backend);
    expect((await t.api('POST', '/tables', { name: 'big', fields: FIELDS })).status).toBe(201);
    for (let at = 0; at < RECORDS; at += 1000) {
      const batch = Array.from({ length: 1000 }, (_, i) => ({
        name: i % 7 === 0 ? `=formula, "quoted"\nline ${at + i}` : `item ${at + i}`,
        n: at + i,
        tags: ['a', String(i % 3)],
        meta: { at, i },
      }));
      const answer = await t.api('POST', '/tables/big/records', batch);
      expect(answer.status, JSON.stringify(answer.body).slice(0, 300)).toBe(201);
    }
    made = [];
    for (let offset = 0; offset < RECORDS; offset += 1000)
      made.push(...(await t.engine.tables.find('big', { limit: 1000, offset })).objects);
    expect(made.map((r) => r.n)).toEqual(Array.from({ length: RECORDS }, (_, i) => i));
  }, 120_000);

  afterAll(async () => {
    await t?.close();
  });

  async function download(format: string): Promise<Response> {
    return fetch(`${t.engine.url}/api/v1/tables/big/export?format=${format}`, {
      headers: { authorization: `Bearer ${t.engine.adminToken}` },
    });
  }

  it('JSON: a chunked body, every record in insertion order, as the records API shows them', async () => {
    const response = await download('json');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-length')).toBeNull();
    expect(response.headers.get('transfer-encoding')).toBe('chunked');
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(JSON.parse(await response.text())).toEqual(made);
  });

  it('CSV: a chunked body, a header and one line a record, which reads back as the records', async () => {
    const response = await download('csv');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-length')).toBeNull();
    const text = await response.text();
    expect(text.slice(0, text.indexOf('\r\n'))).toBe(
      'id,name,n,tags,meta,created_at,updated_at,created_by',
    );
    const columns = new Map(FIELDS.map((f) => [f.name, f.type]));
    const back = parseImportFile(text, 'big.csv', { columns });
    expect(back.map((r) => r.id)).toEqual(made.map((r) => r.id));
    expect(back.map((r) => r.data)).toEqual(
      made.map(({ name, n, tags, meta }) => ({ name, n, tags, meta })),
    );
  });

  it('an empty table exports as [] and as the header alone', async () => {
    await t.api('POST', '/tables', { name: 'empty', fields: FIELDS });
    const get = (format: string) =>
      fetch(`${t.engine.url}/api/v1/tables/empty/export?format=${format}`, {
        headers: { authorization: `Bearer ${t.engine.adminToken}` },
      }).then((r) => r.text());
    expect(await get('json')).toBe('[]');
    expect(await get('csv')).toBe('id,name,n,tags,meta,created_at,updated_at,created_by\r\n');
  });

  it('a bad format and an unknown table are refused before any body', async () => {
    const bad = await download('xml');
    expect([bad.status, ((await bad.json()) as { error: { code: string } }).error.code]).toEqual([
      400,
      'E_TABLE_BAD_OPTIONS',
    ]);
    const missing = await t.api('GET', '/tables/nope/export');
    expect([missing.status, missing.body.error.code]).toEqual([404, 'E_TABLE_NOT_FOUND']);
  });

  describe('the stream under the route', () => {
    /** The engine's own store, counting the pages it is asked for. */
    function counting(): { store: Pick<TableStore, 'scan'>; pages: () => number } {
      let pages = 0;
      return {
        store: {
          scan: (table, options) => {
            pages++;
            return t.engine.tables.scan(table, options);
          },
        },
        pages: () => pages,
      };
    }

    it('reads one keyset page ahead of its consumer, never the whole table', async () => {
      const table = await t.engine.tables.getTable('big');
      const { store, pages } = counting();
      const stream = await exportStream(store, table, 'json');
      // The first page is read before answering (its refusal would be a status).
      expect(pages()).toBe(1);
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(pages()).toBe(1); // nobody reads: nothing more is fetched
      const chunks: Buffer[] = [];
      for await (const chunk of stream) {
        chunks.push(chunk as Buffer);
        // Each chunk the consumer takes asked for at most one page more.
        expect(pages()).toBeLessThanOrEqual(chunks.length + 1);
      }
      expect(pages()).toBe(RECORDS / 1000); // the last page says it is the last: no empty one
      expect(chunks.length).toBeGreaterThanOrEqual(RECORDS / 1000);
      const whole = Buffer.concat(chunks).toString('utf8');
      expect(Math.max(...chunks.map((c) => c.length))).toBeLessThan(whole.length / 3);
      expect(JSON.parse(whole)).toEqual(made);
    });
  });
});
