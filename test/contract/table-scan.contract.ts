/**
 * The contract of TableStore.scan (exports' keyset paging), for every backend: insertion
 * order, pages that end exactly, no record twice when the table changes between pages, and
 * clear refusals. Run directly on each store (the export route over it is tested in
 * test/integration/tables/export-stream.test.ts).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ScanPage, StoredRecord, TableStore } from '../../engine/tables/table-store.ts';

type Awaitable<T> = T | Promise<T>;

/** The methods the scan contract uses, answered at once or later. */
export interface ScanSubject {
  store: {
    [K in 'createTable' | 'createRecord' | 'createMany' | 'deleteRecord' | 'find' | 'scan']: (
      ...args: Parameters<TableStore[K]>
    ) => Awaitable<Awaited<ReturnType<TableStore[K]>>>;
  };
  close(): Awaitable<void>;
}

export function tableScanContract(label: string, open: () => Promise<ScanSubject>): void {
  describe(`TableStore.scan contract: ${label}`, () => {
    let subject: ScanSubject;
    let s: ScanSubject['store'];

    beforeEach(async () => {
      subject = await open();
      s = subject.store;
      await s.createTable({ name: 'items', fields: [{ name: 'n', type: 'integer' }] });
    });

    afterEach(async () => {
      await subject.close();
    });

    async function fill(count: number): Promise<StoredRecord[]> {
      const out: StoredRecord[] = [];
      for (let n = 0; n < count; n++) out.push(await s.createRecord('items', { n }));
      return out;
    }

    /** Every page of a scan, following its cursors. */
    async function pages(limit: number): Promise<ScanPage[]> {
      const out: ScanPage[] = [];
      let after: string | undefined;
      do {
        const page = await s.scan('items', { after, limit });
        out.push(page);
        after = page.next ?? undefined;
      } while (after !== undefined && out.length < 100);
      return out;
    }

    it('an empty table is one empty page without a next', async () => {
      expect(await s.scan('items')).toEqual({ objects: [], next: null });
    });

    it('pages follow insertion order, the last one without a next; records as find shows them', async () => {
      const made = await fill(5);
      const got = await pages(2);
      expect(got.map((p) => p.objects.length)).toEqual([2, 2, 1]);
      expect(got.map((p) => p.next === null)).toEqual([false, false, true]);
      expect(got.flatMap((p) => p.objects)).toEqual(made);
      const found = await s.find('items', { limit: 10, withCount: false });
      expect(got.flatMap((p) => p.objects)).toEqual(found.objects);
    });

    it('a table of exactly one page answers no next (no empty page after it)', async () => {
      await fill(3);
      expect((await pages(3)).map((p) => [p.objects.length, p.next])).toEqual([[3, null]]);
    });

    it('1000 records a page by default', async () => {
      await s.createMany(
        'items',
        Array.from({ length: 1000 }, (_, n) => ({ n })),
      );
      await s.createRecord('items', { n: 1000 });
      const first = await s.scan('items');
      expect(first.objects.map((r) => r.n)).toEqual(Array.from({ length: 1000 }, (_, n) => n));
      const second = await s.scan('items', { after: first.next! });
      expect([second.objects.map((r) => r.n), second.next]).toEqual([[1000], null]);
    });

    it('records deleted and added between pages: none seen twice, the deleted ones not at all, new ones at the end', async () => {
      const made = await fill(6);
      const first = await s.scan('items', { limit: 2 });
      await s.deleteRecord('items', made[0]!.id); // already seen
      await s.deleteRecord('items', made[3]!.id); // not yet seen
      const late = await s.createRecord('items', { n: 99 });
      const rest: StoredRecord[] = [];
      for (let after = first.next; after !== null;) {
        const page = await s.scan('items', { after, limit: 2 });
        rest.push(...page.objects);
        after = page.next;
      }
      expect([...first.objects, ...rest].map((r) => r.n)).toEqual([0, 1, 2, 4, 5, 99]);
      expect(rest.at(-1)).toEqual(late);
    });

    it('a cursor that is not one a page answered, and a bad limit, are refused', async () => {
      for (const after of ['abc', '-1', '1.5', '9'.repeat(30)]) {
        await expect((async () => s.scan('items', { after }))(), after).rejects.toMatchObject({
          code: 'E_TABLE_BAD_OPTIONS',
          status: 400,
        });
      }
      await expect((async () => s.scan('items', { limit: 1001 }))()).rejects.toMatchObject({
        code: 'E_TABLE_BAD_OPTIONS',
      });
      await expect((async () => s.scan('nope'))()).rejects.toMatchObject({
        code: 'E_TABLE_NOT_FOUND',
        status: 404,
      });
    });

    it('scans the users table (integer ids) too', async () => {
      const user = await s.createRecord('_userprofile', { nickname: 'ann' });
      const page = await s.scan('_userprofile');
      expect(page.objects).toEqual([user]);
    });
  });
}
