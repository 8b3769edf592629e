/**
 * Record ACLs over a TableStore (engine/tables/tables-for-user.ts): what a run made for a
 * user may read and write. Enforcement composes `where` fragments on `read_perm` /
 * `write_perm`, so every TableStore must compile them as the pure check (acl.ts `admits`)
 * decides; this contract runs both over a real store and requires them to agree record by
 * record. Register it for each implementation (SQLite: test/integration/tables/
 * table-acl-contract.test.ts).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { admits } from '../../engine/tables/acl.ts';
import { USER_TABLE } from '../../engine/tables/names.ts';
import type { RecordData, StoredRecord, TableStore } from '../../engine/tables/table-store.ts';
import { tablesForUser } from '../../engine/tables/tables-for-user.ts';

export interface AclContractSubject {
  store: TableStore;
  close(): void | Promise<void>;
}

/** What a refused call threw: the stable code, its status, and the details. */
async function refusal(
  fn: () => unknown,
): Promise<{ code: string; status: number; details?: unknown }> {
  try {
    await fn();
  } catch (err) {
    return err as { code: string; status: number; details?: unknown };
  }
  throw new Error('expected a refusal, but the call succeeded');
}

// Every shape a record's list can take, including the ones that must admit nobody.
const PERMS: Array<string[] | undefined> = [
  undefined,
  [],
  ['user:anonymous'],
  ['user:*'],
  ['user:7'],
  ['user:8'],
  ['gid:1'],
  ['gid:1', 'user:8'],
];

export function tableAclContract(label: string, open: () => Promise<AclContractSubject>): void {
  describe(`record ACLs for a user: ${label}`, () => {
    let subject: AclContractSubject;
    let store: TableStore;
    let users: number[];

    beforeEach(async () => {
      subject = await open();
      store = subject.store;
      await store.createTable({ name: 'notes', fields: [{ name: 'text', type: 'string' }] });
      await store.createTable({
        name: 'posts',
        fields: [
          { name: 'title', type: 'string' },
          { name: 'note', type: 'pointer', to: 'notes' },
        ],
      });
      // Two users whose ids the lists above name (user ids count up from 1).
      users = [];
      for (let i = 1; i <= 8; i++)
        users.push((await store.createRecord(USER_TABLE, { openid: `o${i}` })).id as number);
      expect(users.slice(6)).toEqual([7, 8]);
    });

    afterEach(async () => {
      await subject.close();
    });

    /** One note per combination of read and write list. */
    async function seed(): Promise<StoredRecord[]> {
      const out: StoredRecord[] = [];
      for (const read of PERMS)
        for (const write of PERMS) {
          const data: RecordData = { text: `${String(read)}|${String(write)}` };
          if (read) data.read_perm = read;
          if (write) data.write_perm = write;
          out.push(await store.createRecord('notes', data));
        }
      return out;
    }

    const sorted = (ids: Array<string | number>) => ids.map(String).sort();

    it('reads return exactly the records whose read_perm admits the user', async () => {
      const all = await seed();
      for (const user of [7, 8]) {
        const expected = sorted(
          all.filter((r) => admits('notes', r, 'read', user)).map((r) => r.id),
        );
        const tables = tablesForUser(store, user);
        const found = await tables.find('notes', { limit: 1000 });
        expect(sorted(found.objects.map((r) => r.id))).toEqual(expected);
        expect(found.meta.total_count).toBe(expected.length);
        expect(await tables.count('notes')).toBe(expected.length);
        // The caller's own where still applies, composed with the ACL.
        const mine = await tables.find('notes', { where: { text: { $regex: '^user:\\*' } } });
        expect(mine.objects).toHaveLength(PERMS.length);
        expect(mine.objects.every((r) => String(r.text).startsWith('user:*'))).toBe(true);
      }
      // Sanity of the vocabulary: unset and everyone admit; [] and gid: admit nobody.
      const byText = new Map(all.map((r) => [r.text, r]));
      expect(admits('notes', byText.get('undefined|undefined')!, 'read', 7)).toBe(true);
      expect(admits('notes', byText.get('user:*|undefined')!, 'read', 7)).toBe(true);
      expect(admits('notes', byText.get('|undefined')!, 'read', 7)).toBe(false);
      expect(admits('notes', byText.get('gid:1|undefined')!, 'read', 7)).toBe(false);
      expect(admits('notes', byText.get('user:8|undefined')!, 'read', 7)).toBe(false);
    });

    it('a record the user may not read is absent to get (404); one it may read comes back', async () => {
      const hidden = await store.createRecord('notes', { text: 'h', read_perm: ['user:8'] });
      const shown = await store.createRecord('notes', { text: 's', read_perm: ['user:7'] });
      const as7 = tablesForUser(store, 7);
      expect(await refusal(() => as7.getRecord('notes', hidden.id))).toMatchObject({
        code: 'E_TABLE_RECORD_NOT_FOUND',
        status: 404,
      });
      expect(await as7.getRecord('notes', shown.id)).toEqual(shown);
      expect(await as7.getRecord('notes', shown.id, { keys: ['text'] })).toEqual({
        id: shown.id,
        text: 's',
      });
    });

    it('single writes to a record whose write_perm refuses the user fail with 403 and change nothing', async () => {
      const locked = await store.createRecord('notes', {
        text: 'keep',
        write_perm: ['user:8', 'gid:1'],
      });
      const as7 = tablesForUser(store, 7);
      const err = await refusal(() => as7.updateRecord('notes', locked.id, { text: 'changed' }));
      expect(err).toMatchObject({ code: 'E_TABLE_ACL_DENIED', status: 403 });
      expect(err.details).toEqual({ table: 'notes', id: locked.id, user_id: 7 });
      expect(await refusal(() => as7.deleteRecord('notes', locked.id))).toMatchObject({
        code: 'E_TABLE_ACL_DENIED',
        status: 403,
      });
      expect(await store.getRecord('notes', locked.id)).toEqual(locked);
      // User 8 is listed: it may.
      const as8 = tablesForUser(store, 8);
      expect((await as8.updateRecord('notes', locked.id, { text: 'by 8' })).text).toBe('by 8');
      await as8.deleteRecord('notes', locked.id);
      expect(await store.count('notes')).toBe(0);
    });

    it('bulk writes by query skip what the user may not write: total_count counts them, succeed does not', async () => {
      const all = await seed();
      for (const user of [7, 8]) {
        const writable = all.filter((r) => admits('notes', r, 'write', user));
        const res = await tablesForUser(store, user).updateWhere(
          'notes',
          { text: { $ne: 'none' } },
          { text: `touched by ${user}` },
        );
        expect(res.total_count).toBe(all.length);
        expect(res.succeed).toBe(writable.length);
        expect(res.operation_result).toHaveLength(all.length);
        const skipped = res.operation_result.filter((e) => e.error);
        expect(skipped).toHaveLength(all.length - writable.length);
        expect(skipped[0]!.error!.code).toBe(403);
        // In the store's order: the success entries are the writable records.
        expect(
          sorted(res.operation_result.flatMap((e) => (e.success ? [e.success.id] : []))),
        ).toEqual(sorted(writable.map((r) => r.id)));
        for (const r of all) {
          const now = await store.getRecord('notes', r.id);
          if (writable.includes(r)) expect(now.text).toBe(`touched by ${user}`);
          else expect(now.text).not.toBe(`touched by ${user}`);
        }
      }
    });

    it('bulk paging counts every matched record; deleteWhere deletes only the writable ones', async () => {
      const all = await seed();
      const as7 = tablesForUser(store, 7);
      const first = await as7.deleteWhere('notes', { text: { $ne: 'none' } }, { limit: 10 });
      expect(first).toMatchObject({ total_count: all.length, limit: 10, offset: 0 });
      expect(first.next).toBe('?limit=10&offset=10');
      expect(first.operation_result).toHaveLength(10);
      const firstPage = all.slice(0, 10);
      expect(first.succeed).toBe(firstPage.filter((r) => admits('notes', r, 'write', 7)).length);
      const left = (await store.find('notes', { limit: 1000 })).objects.map((r) => r.id);
      for (const r of firstPage) expect(left.includes(r.id)).toBe(!admits('notes', r, 'write', 7));
      // Nothing matched: an empty answer, not an error.
      expect(await as7.deleteWhere('notes', { text: 'none' })).toMatchObject({
        succeed: 0,
        total_count: 0,
        operation_result: [],
      });
    });

    it('user records: everyone reads them, only their own user writes one without write_perm', async () => {
      const as7 = tablesForUser(store, 7);
      expect(await as7.count(USER_TABLE)).toBe(8);
      expect((await as7.updateRecord(USER_TABLE, 7, { nickname: 'me' })).nickname).toBe('me');
      expect(
        await refusal(() => as7.updateRecord(USER_TABLE, 8, { nickname: 'not me' })),
      ).toMatchObject({
        code: 'E_TABLE_ACL_DENIED',
        status: 403,
      });
      const bulk = await as7.updateWhere(USER_TABLE, { id: { $gte: 1 } }, { nickname: 'all' });
      expect(bulk).toMatchObject({ succeed: 1, total_count: 8 });
      expect((await store.getRecord(USER_TABLE, 7)).nickname).toBe('all');
      expect((await store.getRecord(USER_TABLE, 8)).nickname).toBeNull();
      for (const r of (await store.find(USER_TABLE, { limit: 100 })).objects)
        expect(admits(USER_TABLE, r, 'write', 7)).toBe(r.id === 7);
    });

    it('an expanded pointer to a record the user may not read collapses to {id, _table}', async () => {
      const secret = await store.createRecord('notes', { text: 'secret', read_perm: ['user:8'] });
      const open = await store.createRecord('notes', { text: 'open' });
      await store.createRecord('posts', { title: 'a', note: secret.id });
      await store.createRecord('posts', { title: 'b', note: open.id });
      const as7 = tablesForUser(store, 7);
      const whole = (await as7.find('posts', { expand: ['note'], orderBy: ['title'] })).objects;
      expect(whole.map((p) => p.note)).toEqual([
        { id: secret.id, _table: 'notes' },
        { ...open, _table: 'notes' },
      ]);
      // Picking sub-fields must not let the record's read_perm escape the check.
      const picked = (
        await as7.find('posts', {
          expand: ['note'],
          keys: ['title', 'note.text'],
          orderBy: ['title'],
        })
      ).objects;
      expect(picked.map((p) => p.note)).toEqual([
        { id: secret.id, _table: 'notes' },
        { id: open.id, _table: 'notes', text: 'open' },
      ]);
      const one = await as7.getRecord('posts', picked[0]!.id, {
        expand: ['note'],
        keys: ['note.text'],
      });
      expect(one.note).toEqual({ id: secret.id, _table: 'notes' });
      // User 8 may read it.
      const as8 = tablesForUser(store, 8);
      expect(
        (await as8.find('posts', { expand: ['note'], orderBy: ['title'] })).objects[0]!.note,
      ).toEqual({
        ...secret,
        _table: 'notes',
      });
    });

    it('the ACL fields can be queried like lists of strings (what enforcement composes)', async () => {
      await seed();
      expect(await store.count('notes', { read_perm: { $isnull: true } })).toBe(PERMS.length);
      expect(await store.count('notes', { read_perm: { $in: ['user:7'] } })).toBe(PERMS.length);
      expect(await store.count('notes', { write_perm: 'user:8' })).toBe(PERMS.length * 2);
    });
  });
}
