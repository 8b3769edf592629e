/**
 * Arrays and objects are `json` columns on PostgreSQL (jsonb would sort an object's keys: the
 * contract checks they come back as written), each with a generated jsonb twin that queries
 * read; GeoJSON stays jsonb (always {type, coordinates}). Tables and catalogs made before,
 * with jsonb and no twins, keep working: the catalog's column becomes json when opened, the
 * same queries read their jsonb columns, and a field added to such a table is jsonb too.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresTableStore } from '../../../engine/tables/postgres/table-store.ts';
import { createTestSchema, postgresAvailable, type TestSchema } from '../../helpers/postgres.ts';

const pgUp = await postgresAvailable();

describe.skipIf(!pgUp)('JSON columns on PostgreSQL', () => {
  let schema: TestSchema;
  let sql: pg.Client;

  beforeAll(async () => {
    schema = await createTestSchema('tables_json');
    sql = new pg.Client({ connectionString: schema.url });
    await sql.connect();
  });

  afterAll(async () => {
    await sql?.end();
    await schema?.drop();
  });

  const columnType = async (table: string, column: string) =>
    (
      await sql.query(
        `SELECT data_type FROM information_schema.columns
          WHERE table_schema = current_schema() AND table_name = $1 AND column_name = $2`,
        [table, column],
      )
    ).rows[0]?.data_type;

  it('a JSON field added to a table with records gets its twin, its default, its key order', async () => {
    const store = await PostgresTableStore.open({ url: schema.url, poolSize: 2 });
    try {
      await store.createTable({ name: 'later', fields: [{ name: 'n', type: 'integer' }] });
      await store.createMany('later', [{ n: 1 }, { n: 2 }]);
      await store.addFields('later', [{ name: 'obj', type: 'object', default: { zz: 1, aa: 2 } }]);
      const found = await store.find('later', { where: { 'obj.zz': { $eq: 1 } }, orderBy: ['n'] });
      expect(found.objects.map((r) => JSON.stringify(r.obj))).toEqual([
        '{"zz":1,"aa":2}',
        '{"zz":1,"aa":2}',
      ]);
      await store.updateWhere('later', { n: { $eq: 2 } }, { obj: { zz: 3, bb: 4 } });
      const three = await store.find('later', { where: { 'obj.zz': { $gt: 2 } } });
      expect(three.objects.map((r) => JSON.stringify(r.obj))).toEqual(['{"zz":3,"bb":4}']);
    } finally {
      await store.close();
    }
  });

  it('new tables keep JSON as json; a table and catalog from before (jsonb) keep answering', async () => {
    let store = await PostgresTableStore.open({ url: schema.url, poolSize: 2 });
    const table = await store.createTable({
      name: 'places',
      fields: [
        { name: 'name', type: 'string' },
        { name: 'meta', type: 'object' },
        { name: 'spot', type: 'geojson' },
      ],
    });
    const ident = `t${table.id}_places`;
    expect([
      await columnType(ident, 'meta'),
      await columnType(ident, 'meta$q'),
      await columnType(ident, 'spot'),
      await columnType('cf_tables', 'fields'),
    ]).toEqual(['json', 'jsonb', 'jsonb', 'json']);
    await store.close();

    // Make them as they were made before: jsonb for objects and the catalog's fields.
    await sql.query(`ALTER TABLE cf_tables ALTER COLUMN fields TYPE jsonb USING fields::jsonb`);
    await sql.query(`ALTER TABLE ${ident} DROP COLUMN "meta$q"`);
    await sql.query(`ALTER TABLE ${ident} ALTER COLUMN meta TYPE jsonb USING meta::jsonb`);
    await sql.query(`ALTER TABLE cf_tables DROP COLUMN json_text`);

    store = await PostgresTableStore.open({ url: schema.url, poolSize: 2 });
    try {
      expect(await columnType('cf_tables', 'fields')).toBe('json');
      const near = await store.createRecord('places', {
        name: 'near',
        meta: { kind: 'cafe', tags: ['a'] },
        spot: { type: 'Point', coordinates: [113.32, 23.12] },
      });
      await store.createRecord('places', {
        name: 'far',
        meta: { kind: 'bar' },
        spot: { type: 'Point', coordinates: [116.4, 39.9] },
      });
      expect(await store.getRecord('places', near.id)).toEqual(near);
      const byPath = await store.find('places', { where: { 'meta.kind': { $eq: 'cafe' } } });
      expect(byPath.objects.map((r) => r.name)).toEqual(['near']);
      await store.addFields('places', [{ name: 'extra', type: 'object' }]);
      expect(await columnType(ident, 'extra')).toBe('jsonb');
      await store.updateRecord('places', near.id, { extra: { b: 1 } });
      const byExtra = await store.find('places', { where: { 'extra.b': { $eq: 1 } } });
      expect(byExtra.objects.map((r) => r.name)).toEqual(['near']);
      const circle = await store.find('places', {
        where: { spot: { $center: { coordinates: [113.3, 23.1], radius: 10 } } },
      });
      expect(circle.objects.map((r) => r.name)).toEqual(['near']);
    } finally {
      await store.close();
    }
  });
});
