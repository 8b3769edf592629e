/**
 * Fuzz: random values at the BaaS table API from inside a deployed function — random table
 * and field names, values, raw `where` documents (set as `queryObject`, as MinCloud allows),
 * compare operators, update operations, bulk writes. The function catches every refusal and
 * returns its code. Invariants: the invoke is answered (never 5xx) and the run itself never
 * fails (a refusal is the function's to catch, a crash of the host is not), no refusal is an
 * E_INTERNAL, the engine keeps answering, and a valid WeChat push sent every few runs is
 * answered `success`. `$regex` is left out: patterns are another defence's
 * (docs/security.md, "Regular expressions").
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestEngine, type TestEngine } from '../helpers/engine.ts';
import { FUZZ_ACCOUNTS, fuzzOptions, sendValidPush } from './helpers/fuzz-support.ts';

const FUNCTION = `
exports.main = async (event) => {
  const out = [];
  const where = (doc) => { const q = new BaaS.Query(); q.queryObject = doc; return q; };
  for (const op of event.data.ops) {
    try {
      const T = new BaaS.TableObject(op.table);
      switch (op.kind) {
        case 'create': await T.create().set(op.data).save(); break;
        case 'createMany': await T.createMany(op.items); break;
        case 'find': await T.setQuery(where(op.where)).limit(op.limit).offset(op.offset).orderBy(op.orderBy).find({ withCount: true }); break;
        case 'count': await T.setQuery(where(op.where)).count(); break;
        case 'compare': await T.setQuery(new BaaS.Query().compare(op.field, op.op, op.value)).find(); break;
        case 'select': await T.select(op.keys).setQuery(where(op.where)).find(); break;
        case 'update': {
          const rec = T.getWithoutData(op.id);
          for (const u of op.updates) rec[u.method](u.field, u.value);
          await rec.update();
          break;
        }
        case 'updateWhere': {
          const rec = T.limit(10).getWithoutData(where(op.where));
          for (const u of op.updates) rec[u.method](u.field, u.value);
          await rec.update();
          break;
        }
        case 'delete': await T.delete(where(op.where)); break;
        case 'get': await T.get(op.id); break;
      }
      out.push('ok');
    } catch (err) {
      // MinCloud's HError: \`code\` its integer, \`reason\` cloudfn's E_ code.
      out.push(String((err && (err.reason || err.code)) || 'thrown'));
    }
  }
  return out;
};
`;

const FIELDS = [
  's',
  'i',
  'n',
  'b',
  'd',
  'arr',
  'obj',
  'id',
  'created_at',
  '__proto__',
  'obj.x',
  'obj.__proto__',
  'nope',
  "a'; DROP TABLE x; --",
  '',
];
const OPERATORS = [
  '$eq',
  '$ne',
  '$lt',
  '$lte',
  '$gt',
  '$gte',
  '$in',
  '$nin',
  '$all',
  '$contains',
  '$isnull',
  '$exists',
  '$has_key',
  '$and',
  '$or',
  '$not',
  '$where',
  '__proto__',
  '$',
];

const field = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...FIELDS) },
  fc.string({ maxLength: 12 }),
);
const value = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.constantFrom(1e308, -0, 2 ** 53 + 2, '2024-06-30T12:00:00Z', 'not a date', '', [], {}),
  fc.string({ maxLength: 3000 }),
);
const whereDoc: fc.Arbitrary<unknown> = fc.letrec<{ doc: unknown }>((tie) => ({
  doc: fc.oneof(
    { depthSize: 'small' },
    fc.dictionary(
      field,
      fc.oneof(value, fc.dictionary(fc.constantFrom(...OPERATORS), value, { maxKeys: 2 })),
      { maxKeys: 3 },
    ),
    fc.record({ $and: fc.array(tie('doc'), { maxLength: 3 }) }),
    fc.record({ $or: fc.array(tie('doc'), { maxLength: 3 }) }),
    fc.jsonValue({ maxDepth: 2 }),
  ),
})).doc;
const updates = fc.array(
  fc.record({
    method: fc.constantFrom(
      'set',
      'incrementBy',
      'append',
      'uAppend',
      'remove',
      'unset',
      'patchObject',
      'pop',
      'shift',
    ),
    field,
    value,
  }),
  { maxLength: 4 },
);
const table = fc.oneof(
  { weight: 5, arbitrary: fc.constant('fz') },
  fc.constantFrom('nope', '', 'sqlite_master', '_cf_tables', 0, -1, 1e9),
);
const op = fc.oneof(
  fc.record({
    kind: fc.constant('create'),
    table,
    data: fc.oneof(fc.dictionary(field, value, { maxKeys: 5 }), value),
  }),
  fc.record({
    kind: fc.constant('createMany'),
    table,
    items: fc.oneof(fc.array(fc.dictionary(field, value, { maxKeys: 3 }), { maxLength: 5 }), value),
  }),
  fc.record({
    kind: fc.constant('find'),
    table,
    where: whereDoc,
    limit: fc.oneof(fc.integer({ min: -5, max: 2000 }), value),
    offset: fc.oneof(fc.integer({ min: -5, max: 50 }), value),
    orderBy: fc.oneof(field, fc.array(field, { maxLength: 3 })),
  }),
  fc.record({ kind: fc.constant('count'), table, where: whereDoc }),
  fc.record({
    kind: fc.constant('compare'),
    table,
    field,
    op: fc.constantFrom('=', '!=', '<', '<=', '>', '>=', '~', ''),
    value,
  }),
  fc.record({
    kind: fc.constant('select'),
    table,
    keys: fc.oneof(field, fc.array(field, { maxLength: 3 })),
    where: whereDoc,
  }),
  fc.record({
    kind: fc.constant('update'),
    table,
    id: fc.oneof(fc.string({ maxLength: 30 }), value),
    updates,
  }),
  fc.record({ kind: fc.constant('updateWhere'), table, where: whereDoc, updates }),
  fc.record({ kind: fc.constant('delete'), table, where: whereDoc }),
  fc.record({ kind: fc.constant('get'), table, id: value }),
);

describe('fuzz: the BaaS table API from inside a function', () => {
  let t: TestEngine;
  let runs = 0;
  const valid: string[] = [];
  /** What the operations came to: the fuzz must reach both accepted writes and refusals. */
  const outcomes = new Set<string>();

  beforeAll(async () => {
    t = await startTestEngine();
    const { appId, ...safe } = FUZZ_ACCOUNTS.safe;
    expect((await t.api('PUT', `/wechat/accounts/${appId}`, safe)).status).toBe(200);
    const created = await t.api('POST', '/tables', {
      name: 'fz',
      fields: [
        { name: 's', type: 'string' },
        { name: 'i', type: 'integer' },
        { name: 'n', type: 'number' },
        { name: 'b', type: 'boolean' },
        { name: 'd', type: 'date' },
        { name: 'arr', type: 'array' },
        { name: 'obj', type: 'object' },
      ],
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    for (const s of ['a', 'b', 'c'])
      await t.api('POST', '/tables/fz/records', {
        s,
        i: 1,
        n: 1.5,
        b: true,
        arr: [1, 'x'],
        obj: { x: 1 },
      });
    const deployed = await t.api('PUT', '/functions/fuzz', { code: FUNCTION, timeoutMs: 20_000 });
    expect(deployed.status, JSON.stringify(deployed.body)).toBe(201);
  });

  afterAll(async () => {
    await t?.close();
  });

  it('answers every run, refuses bad values with their codes, and never fails the run', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 6 }), async (ops) => {
        const answer = await t.api('POST', '/functions/fuzz/invoke', { data: { ops } });
        const shown = `${JSON.stringify(ops).slice(0, 400)} → ${JSON.stringify(answer.body).slice(0, 400)}`;
        expect(answer.status, shown).toBe(200);
        expect(answer.body.status, shown).toBe('fulfilled');
        expect(answer.body.data, shown).toHaveLength(ops.length);
        expect(answer.body.data, shown).not.toContain('E_INTERNAL');
        for (const outcome of answer.body.data as string[]) outcomes.add(outcome);
        if (++runs % 8 === 0) {
          const ok = await sendValidPush(t.engine.url, FUZZ_ACCOUNTS.safe);
          valid.push(`${ok.status} ${ok.text}`);
          expect(`${ok.status} ${ok.text}`).toBe('200 success');
        }
      }),
      fuzzOptions(120),
    );
  });

  it('is still up, and answered every valid push sent during the fuzz', async () => {
    const health = await fetch(`${t.engine.url}/healthz`);
    expect(health.status).toBe(200);
    expect(valid.length).toBeGreaterThan(0);
    expect(valid.every((v) => v === '200 success')).toBe(true);
    expect(outcomes).toContain('ok');
    expect([...outcomes].filter((o) => o.startsWith('E_')).length).toBeGreaterThan(3);
  });
});
