import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteTableStore } from '../../../engine/tables/sqlite/table-store.ts';
import { createGuestIsolate, type GuestIsolate } from './helpers/guest-isolate.ts';

describe('guest SDK in a real isolate: the tutorial path', () => {
  let dir: string;
  let store: SqliteTableStore;
  let guest: GuestIsolate;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'cloudfn-guest-'));
    store = new SqliteTableStore({ path: path.join(dir, 'tables.db') });
    store.createTable({
      name: 'card_events',
      fields: [
        { name: 'ToUserName', type: 'string' },
        { name: 'FromUserName', type: 'string' },
        { name: 'CreateTime', type: 'integer' },
        { name: 'Event', type: 'string', required: true },
        { name: '_AppId', type: 'string' },
      ],
    });
    guest = await createGuestIsolate(store);
  });

  afterAll(() => {
    guest.dispose();
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('create().set(event.data).save() stores the push and resolves {data: record}', async () => {
    const res = await guest.run<{ status: number; data: Record<string, unknown> }>(
      `const T = new BaaS.TableObject('card_events');
       const r = T.create();
       r.set($args);
       return await r.save();`,
      {
        ToUserName: 'gh_1',
        FromUserName: 'o1',
        CreateTime: '1700000000',
        Event: 'user_consume_card',
        _AppId: 'wx1',
      },
    );
    expect(res.status).toBe(201);
    expect(res.data).toMatchObject({
      Event: 'user_consume_card',
      CreateTime: 1700000000,
      _AppId: 'wx1',
      created_by: null,
    });
    expect(res.data.id).toMatch(/^[0-9a-f]{24}$/);
    expect(store.getRecord('card_events', res.data.id as string).FromUserName).toBe('o1');
  });

  it('an unknown field rejects the save with the field named, and nothing is written', async () => {
    const before = store.count('card_events');
    const err = (await guest
      .run(
        `return await BaaS.TableObject('card_events').create().set({ Event: 'x', Nope: 1 }).save();`,
      )
      .then(
        () => null,
        (e: unknown) => e,
      )) as Record<string, unknown> | null;
    expect(err).toMatchObject({ code: 400, reason: 'E_TABLE_UNKNOWN_FIELD', status: 400 });
    expect(String(err?.message)).toContain('Nope');
    expect(store.count('card_events')).toBe(before);
  });
});
