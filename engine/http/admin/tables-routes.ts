/**
 * The admin REST API of data tables (SPEC §2), mounted under /api/v1 behind bearer auth and
 * errorMiddleware. Thin: parse and check input, call the TableStore, shape the answer.
 * Records keep MinCloud's unix-second times; table metadata shows ISO-8601.
 */
import type Router from '@koa/router';
import type { Context } from 'koa';
import { z } from 'zod';
import { readJsonBody } from '../body.ts';
import { iso, pageParams, parseInput } from '../validate.ts';
import { csvHeader, csvRows } from '../../tables/csv.ts';
import { TableError, badOptions, badWhere } from '../../tables/errors.ts';
import type {
  FieldDef,
  RecordData,
  TableSchema,
  TableStore,
  Where,
} from '../../tables/table-store.ts';
import { USER_TABLE } from '../../tables/names.ts';
import { isPlainObject } from '../../tables/values.ts';
import { forceParam, type InUseCheck } from './delete-guard.ts';

const createTableBody = z.strictObject({
  name: z.string(), // the store checks the name itself (E_TABLE_BAD_NAME)
  fields: z.array(z.unknown()).max(256).default([]),
});
const addFieldsBody = z.union([
  z.strictObject({ fields: z.array(z.unknown()).min(1).max(256) }),
  z.array(z.unknown()).min(1).max(256),
]);

/** Table metadata for the admin API: ISO-8601 times (SPEC §2). */
function renderTable(t: TableSchema) {
  return {
    id: t.id,
    name: t.name,
    fields: t.fields,
    created_at: iso(t.created_at * 1000),
    updated_at: iso(t.updated_at * 1000),
  };
}

function single(ctx: Context, name: string): string | undefined {
  const raw = ctx.query[name];
  if (Array.isArray(raw)) throw badOptions(`Query parameter "${name}" is given more than once.`);
  return raw === undefined || raw === '' ? undefined : raw;
}

function intParam(ctx: Context, name: string): number | undefined {
  const raw = single(ctx, name);
  if (raw === undefined) return undefined;
  if (!/^\d{1,10}$/.test(raw))
    throw badOptions(`Query parameter "${name}" must be a non-negative integer.`);
  return Number(raw);
}

function whereParam(ctx: Context): Where | undefined {
  const raw = single(ctx, 'where');
  if (raw === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw badWhere('the where parameter is not valid JSON');
  }
  if (!isPlainObject(parsed)) throw badWhere('where must be a JSON object');
  return parsed;
}

async function objectBody(ctx: Context): Promise<RecordData> {
  const body = await readJsonBody(ctx);
  if (!isPlainObject(body))
    throw new TableError('E_TABLE_BAD_UPDATE', 'The body must be a JSON object of field values.');
  return body;
}

/** Registers the tables and records routes on `router` (mounted under /api/v1). */
export function registerTableRoutes(
  router: Router,
  deps: { tables: TableStore; assertUnused?: InUseCheck },
): void {
  const { tables } = deps;

  router.post('/tables', async (ctx) => {
    const body = parseInput(createTableBody, await readJsonBody(ctx));
    ctx.status = 201;
    ctx.body = renderTable(
      await tables.createTable({ name: body.name, fields: body.fields as FieldDef[] }),
    );
  });

  router.get('/tables', async (ctx) => {
    const { limit, offset } = pageParams(ctx.query);
    const all = await tables.listTables();
    ctx.body = {
      meta: { limit, offset, total_count: all.length },
      objects: all.slice(offset, offset + limit).map(renderTable),
    };
  });

  router.get('/tables/:t', async (ctx) => {
    ctx.body = renderTable(await tables.getTable(ctx.params.t!));
  });

  router.delete('/tables/:t', async (ctx) => {
    const force = forceParam(ctx.query);
    // By id or name: the triggers name the table, so look its name up first.
    deps.assertUnused?.('table', (await tables.getTable(ctx.params.t!)).name, force);
    await tables.dropTable(ctx.params.t!);
    ctx.status = 204;
  });

  router.post('/tables/:t/fields', async (ctx) => {
    const body = parseInput(addFieldsBody, await readJsonBody(ctx));
    const fields = (Array.isArray(body) ? body : body.fields) as FieldDef[];
    ctx.body = renderTable(await tables.addFields(ctx.params.t!, fields));
  });

  router.get('/tables/:t/records', async (ctx) => {
    ctx.body = await tables.find(ctx.params.t!, {
      where: whereParam(ctx),
      limit: intParam(ctx, 'limit'),
      offset: intParam(ctx, 'offset'),
      orderBy: single(ctx, 'order_by')?.split(','),
      keys: single(ctx, 'keys')?.split(','),
      expand: single(ctx, 'expand')?.split(','),
      withCount: true,
    });
  });

  // An array body creates many records at once (all or nothing), like MinCloud's bulk create.
  // A record may bring its own `id` (24 hex): the admin's import of an export keeps its ids,
  // so a rerun matches them (`cloudfn tables import`); functions' writes never set ids.
  router.post('/tables/:t/records', async (ctx) => {
    const body = await readJsonBody(ctx);
    const options = { keepIds: true };
    ctx.status = 201;
    if (Array.isArray(body))
      ctx.body = await tables.createMany(ctx.params.t!, body as RecordData[], options);
    else if (isPlainObject(body))
      ctx.body = await tables.createRecord(ctx.params.t!, body, options);
    else
      throw new TableError(
        'E_TABLE_BAD_UPDATE',
        'The body must be a record object (or an array of them).',
      );
  });

  // Bulk update and delete by query (MinCloud's PUT/DELETE on the record list): `where` is required.
  router.put('/tables/:t/records', async (ctx) => {
    const where = whereParam(ctx);
    if (!where) throw badWhere('a bulk update needs a where parameter (use {} for all records)');
    const update = await objectBody(ctx);
    ctx.body = await tables.updateWhere(ctx.params.t!, where, update, {
      limit: intParam(ctx, 'limit'),
      offset: intParam(ctx, 'offset'),
    });
  });

  router.delete('/tables/:t/records', async (ctx) => {
    const where = whereParam(ctx);
    if (!where) throw badWhere('a bulk delete needs a where parameter (use {} for all records)');
    ctx.body = await tables.deleteWhere(ctx.params.t!, where, {
      limit: intParam(ctx, 'limit'),
      offset: intParam(ctx, 'offset'),
    });
  });

  router.get('/tables/:t/records/:id', async (ctx) => {
    ctx.body = await tables.getRecord(ctx.params.t!, ctx.params.id!, {
      keys: single(ctx, 'keys')?.split(','),
      expand: single(ctx, 'expand')?.split(','),
    });
  });

  router.put('/tables/:t/records/:id', async (ctx) => {
    const update = await objectBody(ctx);
    ctx.body = await tables.updateRecord(ctx.params.t!, ctx.params.id!, update);
  });

  router.delete('/tables/:t/records/:id', async (ctx) => {
    await tables.deleteRecord(ctx.params.t!, ctx.params.id!);
    ctx.status = 204;
  });

  router.get('/tables/:t/export', async (ctx) => {
    const format = single(ctx, 'format') ?? 'json';
    if (format !== 'csv' && format !== 'json') throw badOptions('format must be csv or json.');
    const table = await tables.getTable(ctx.params.t!);
    const columns = [
      'id',
      ...table.fields.map((f) => f.name),
      'created_at',
      'updated_at',
      'created_by',
    ];
    const parts: string[] = [];
    // Insertion order, a page at a time: only the rendered text accumulates, not the records.
    for (let offset = 0; ; offset += 1000) {
      const page = await tables.find(table.id, { limit: 1000, offset, withCount: false });
      if (format === 'csv') parts.push(csvRows(columns, page.objects));
      else parts.push(...page.objects.map((r) => JSON.stringify(r)));
      if (!page.meta.next) break;
    }
    ctx.body = format === 'csv' ? csvHeader(columns) + parts.join('') : `[${parts.join(',')}]`;
    ctx.set('Content-Disposition', `attachment; filename="${table.name}.${format}"`);
    ctx.type = format === 'csv' ? 'text/csv; charset=utf-8' : 'application/json; charset=utf-8';
  });

  registerUserRoutes(router, tables);
}

/**
 * `/users`: MinCloud's users (the built-in `_userprofile` table, integer ids), for the admin
 * to list, look at, create (say from a WeChat login) and update. Custom fields are added
 * with `POST /tables/_userprofile/fields`.
 */
function registerUserRoutes(router: Router, tables: TableStore): void {
  router.get('/users', async (ctx) => {
    ctx.body = await tables.find(USER_TABLE, {
      where: whereParam(ctx),
      limit: intParam(ctx, 'limit'),
      offset: intParam(ctx, 'offset'),
      orderBy: single(ctx, 'order_by')?.split(','),
      keys: single(ctx, 'keys')?.split(','),
      withCount: true,
    });
  });
  router.post('/users', async (ctx) => {
    const body = await objectBody(ctx);
    ctx.status = 201;
    ctx.body = await tables.createRecord(USER_TABLE, body);
  });
  router.get('/users/:id', async (ctx) => {
    ctx.body = await tables.getRecord(USER_TABLE, ctx.params.id!, {
      keys: single(ctx, 'keys')?.split(','),
    });
  });
  router.put('/users/:id', async (ctx) => {
    ctx.body = await tables.updateRecord(USER_TABLE, ctx.params.id!, await objectBody(ctx));
  });
}
