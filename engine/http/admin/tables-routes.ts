/**
 * The admin REST API of data tables (SPEC §2), mounted under /api/v1 behind bearer auth and
 * errorMiddleware. Thin: parse and check input, call the TableStore, shape the answer.
 * Records keep MinCloud's unix-second times; table metadata shows ISO-8601.
 *
 * Longer than most files because each of its 17 routes carries its OpenAPI declaration
 * (summary, query, body and answer schemas) where it is registered.
 */
import type Router from '@koa/router';
import type { Context } from 'koa';
import { z } from 'zod';
import { readJsonBody } from '../body.ts';
import { iso, pageOf, pageParams, parseInput } from '../validate.ts';
import { exportStream } from '../../tables/export-stream.ts';
import { TableError, badOptions, badWhere } from '../../tables/errors.ts';
import type {
  FieldDef,
  FindOptions,
  RecordData,
  TableSchema,
  TableStore,
  Where,
} from '../../tables/table-store.ts';
import { USER_TABLE } from '../../tables/names.ts';
import { isPlainObject } from '../../tables/values.ts';
import { forceParam, type InUseCheck } from './delete-guard.ts';
import { route } from '../api-route.ts';
import { forceQuery, IN_USE, named, NO_CONTENT, pageQuery } from '../api-schemas.ts';
import {
  bulkAnswer,
  bulkQuery,
  exportQuery,
  findQuery,
  recordAnswer,
  recordInput,
  recordListAnswer,
  recordQuery,
  tableAnswer,
  tableListAnswer,
  userQuery,
  usersQuery,
  type TableAnswer,
} from './tables-answers.ts';

// Each field definition is checked by the store (engine/tables/schema.ts), field by field.
const fieldInputs = z.array(z.unknown()).describe('Field definitions: {name, type, …} (Field).');
const createTableBody = named(
  'TableInput',
  z.strictObject({
    name: z.string(), // the store checks the name itself (E_TABLE_BAD_NAME)
    fields: fieldInputs.max(256).default([]),
  }),
);
const addFieldsBody = z.union([
  z.strictObject({ fields: fieldInputs.min(1).max(256) }),
  fieldInputs.min(1).max(256),
]);
const NO_TABLE = { 404: 'No such table (E_TABLE_NOT_FOUND).' };
const NO_RECORD = { 404: 'No such table or record (E_TABLE_NOT_FOUND, E_TABLE_RECORD_NOT_FOUND).' };
const NO_USER = { 404: 'No such user (E_TABLE_RECORD_NOT_FOUND).' };

/** Table metadata for the admin API: ISO-8601 times (SPEC §2). */
function renderTable(t: TableSchema): TableAnswer {
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

/** A records query (findQuery): where, paging, order, keys and expand, with the count. */
function findOptions(ctx: Context): FindOptions {
  return {
    where: whereParam(ctx),
    limit: intParam(ctx, 'limit'),
    offset: intParam(ctx, 'offset'),
    orderBy: single(ctx, 'order_by')?.split(','),
    keys: single(ctx, 'keys')?.split(','),
    expand: single(ctx, 'expand')?.split(','),
    withCount: true,
  };
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

  route(
    router,
    {
      method: 'post',
      path: '/tables',
      tag: 'tables',
      summary: 'Create a table.',
      body: createTableBody,
      answers: { 201: { description: 'The table.', schema: tableAnswer } },
      refusals: { 409: 'A table of that name exists (E_TABLE_EXISTS).' },
    },
    async (ctx) => {
      const body = parseInput(createTableBody, await readJsonBody(ctx));
      ctx.status = 201;
      ctx.body = renderTable(
        await tables.createTable({ name: body.name, fields: body.fields as FieldDef[] }),
      );
    },
  );

  route(
    router,
    {
      method: 'get',
      path: '/tables',
      tag: 'tables',
      summary: 'Every table.',
      query: pageQuery,
      answers: { 200: { description: 'Tables.', schema: tableListAnswer } },
    },
    async (ctx) => {
      ctx.body = pageOf(await tables.listTables(), renderTable, pageParams(ctx.query));
    },
  );

  route(
    router,
    {
      method: 'get',
      path: '/tables/:t',
      tag: 'tables',
      summary: 'One table.',
      answers: { 200: { description: 'The table.', schema: tableAnswer } },
      refusals: NO_TABLE,
    },
    async (ctx) => {
      ctx.body = renderTable(await tables.getTable(ctx.params.t!));
    },
  );

  route(
    router,
    {
      method: 'delete',
      path: '/tables/:t',
      tag: 'tables',
      summary: 'Drop a table and its records.',
      query: forceQuery,
      answers: NO_CONTENT,
      refusals: { ...NO_TABLE, ...IN_USE },
    },
    async (ctx) => {
      const force = forceParam(ctx.query);
      // By id or name: the triggers name the table, so look its name up first.
      deps.assertUnused?.('table', (await tables.getTable(ctx.params.t!)).name, force);
      await tables.dropTable(ctx.params.t!);
      ctx.status = 204;
    },
  );

  route(
    router,
    {
      method: 'post',
      path: '/tables/:t/fields',
      tag: 'tables',
      summary: 'Add fields to a table.',
      body: addFieldsBody,
      answers: { 200: { description: 'The table.', schema: tableAnswer } },
      refusals: { ...NO_TABLE, 409: 'A field of that name exists (E_TABLE_FIELD_EXISTS).' },
    },
    async (ctx) => {
      const body = parseInput(addFieldsBody, await readJsonBody(ctx));
      const fields = (Array.isArray(body) ? body : body.fields) as FieldDef[];
      ctx.body = renderTable(await tables.addFields(ctx.params.t!, fields));
    },
  );

  route(
    router,
    {
      method: 'get',
      path: '/tables/:t/records',
      tag: 'tables',
      summary: 'Query records.',
      query: findQuery,
      answers: { 200: { description: 'Records.', schema: recordListAnswer } },
      refusals: NO_TABLE,
    },
    async (ctx) => {
      ctx.body = await tables.find(ctx.params.t!, findOptions(ctx));
    },
  );

  // An array body creates many records at once (all or nothing), like MinCloud's bulk create.
  // A record may bring its own `id` (24 hex): the admin's import of an export keeps its ids,
  // so a rerun matches them (`cloudfn tables import`); functions' writes never set ids.
  route(
    router,
    {
      method: 'post',
      path: '/tables/:t/records',
      tag: 'tables',
      summary: 'Create a record (an object) or many, all or nothing (an array).',
      description:
        "A record may bring its own id (24 hex, MinCloud's shape; a positive integer in _userprofile), as an import of an export does; without one the engine draws it.",
      body: z.union([recordInput, z.array(recordInput)]),
      answers: {
        201: {
          description: 'The record, or a BulkResult for an array.',
          schema: z.union([recordAnswer, bulkAnswer]),
        },
      },
      refusals: { ...NO_TABLE, 409: 'A unique value is taken (E_TABLE_UNIQUE).' },
    },
    async (ctx) => {
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
    },
  );

  // Bulk update and delete by query (MinCloud's PUT/DELETE on the record list): `where` is required.
  route(
    router,
    {
      method: 'put',
      path: '/tables/:t/records',
      tag: 'tables',
      summary: 'Update every record of a where query.',
      query: bulkQuery,
      body: recordInput,
      answers: { 200: { description: 'What was updated.', schema: bulkAnswer } },
      refusals: NO_TABLE,
    },
    async (ctx) => {
      const where = whereParam(ctx);
      if (!where) throw badWhere('a bulk update needs a where parameter (use {} for all records)');
      const update = await objectBody(ctx);
      ctx.body = await tables.updateWhere(ctx.params.t!, where, update, {
        limit: intParam(ctx, 'limit'),
        offset: intParam(ctx, 'offset'),
      });
    },
  );

  route(
    router,
    {
      method: 'delete',
      path: '/tables/:t/records',
      tag: 'tables',
      summary: 'Delete every record of a where query.',
      query: bulkQuery,
      answers: { 200: { description: 'What was deleted.', schema: bulkAnswer } },
      refusals: NO_TABLE,
    },
    async (ctx) => {
      const where = whereParam(ctx);
      if (!where) throw badWhere('a bulk delete needs a where parameter (use {} for all records)');
      ctx.body = await tables.deleteWhere(ctx.params.t!, where, {
        limit: intParam(ctx, 'limit'),
        offset: intParam(ctx, 'offset'),
      });
    },
  );

  route(
    router,
    {
      method: 'get',
      path: '/tables/:t/records/:id',
      tag: 'tables',
      summary: 'One record.',
      params: { id: 'The record id.' },
      query: recordQuery,
      answers: { 200: { description: 'The record.', schema: recordAnswer } },
      refusals: NO_RECORD,
    },
    async (ctx) => {
      ctx.body = await tables.getRecord(ctx.params.t!, ctx.params.id!, {
        keys: single(ctx, 'keys')?.split(','),
        expand: single(ctx, 'expand')?.split(','),
      });
    },
  );

  route(
    router,
    {
      method: 'put',
      path: '/tables/:t/records/:id',
      tag: 'tables',
      summary: 'Update one record (field values or update operators).',
      params: { id: 'The record id.' },
      body: recordInput,
      answers: { 200: { description: 'The record.', schema: recordAnswer } },
      refusals: NO_RECORD,
    },
    async (ctx) => {
      const update = await objectBody(ctx);
      ctx.body = await tables.updateRecord(ctx.params.t!, ctx.params.id!, update);
    },
  );

  route(
    router,
    {
      method: 'delete',
      path: '/tables/:t/records/:id',
      tag: 'tables',
      summary: 'Delete one record.',
      params: { id: 'The record id.' },
      answers: NO_CONTENT,
      refusals: NO_RECORD,
    },
    async (ctx) => {
      await tables.deleteRecord(ctx.params.t!, ctx.params.id!);
      ctx.status = 204;
    },
  );

  route(
    router,
    {
      method: 'get',
      path: '/tables/:t/export',
      tag: 'tables',
      summary: 'Every record as CSV or a JSON array.',
      description:
        'Streamed in insertion order, a page of 1000 records at a time as the client reads (chunked, no Content-Length). A failure after the answer has started cuts the connection: an incomplete download, never a short file that looks whole.',
      query: exportQuery,
      answers: {
        200: {
          description: 'The records.',
          schema: z.array(recordAnswer),
          media: { 'text/csv': z.string() },
        },
      },
      refusals: NO_TABLE,
    },
    async (ctx) => {
      const format = single(ctx, 'format') ?? 'json';
      if (format !== 'csv' && format !== 'json') throw badOptions('format must be csv or json.');
      const table = await tables.getTable(ctx.params.t!);
      ctx.body = await exportStream(tables, table, format);
      ctx.set('Content-Disposition', `attachment; filename="${table.name}.${format}"`);
      ctx.type = format === 'csv' ? 'text/csv; charset=utf-8' : 'application/json; charset=utf-8';
    },
  );

  registerUserRoutes(router, tables);
}

/**
 * `/users`: MinCloud's users (the built-in `_userprofile` table, integer ids), for the admin
 * to list, look at, create (say from a WeChat login) and update. Custom fields are added
 * with `POST /tables/_userprofile/fields`.
 */
function registerUserRoutes(router: Router, tables: TableStore): void {
  route(
    router,
    {
      method: 'get',
      path: '/users',
      tag: 'users',
      summary: "Query users (MinCloud's _userprofile, integer ids).",
      query: usersQuery,
      answers: { 200: { description: 'Users.', schema: recordListAnswer } },
    },
    async (ctx) => {
      // Users are not expanded (findQuery's expand is not among usersQuery's parameters).
      const { expand: _notForUsers, ...options } = findOptions(ctx);
      ctx.body = await tables.find(USER_TABLE, options);
    },
  );
  route(
    router,
    {
      method: 'post',
      path: '/users',
      tag: 'users',
      summary: 'Create a user (openid and unionid are unique).',
      body: recordInput,
      answers: { 201: { description: 'The user.', schema: recordAnswer } },
      refusals: { 409: 'The openid or unionid is taken (E_TABLE_UNIQUE).' },
    },
    async (ctx) => {
      const body = await objectBody(ctx);
      ctx.status = 201;
      ctx.body = await tables.createRecord(USER_TABLE, body);
    },
  );
  route(
    router,
    {
      method: 'get',
      path: '/users/:id',
      tag: 'users',
      summary: 'One user.',
      params: { id: 'The user id.' },
      query: userQuery,
      answers: { 200: { description: 'The user.', schema: recordAnswer } },
      refusals: NO_USER,
    },
    async (ctx) => {
      ctx.body = await tables.getRecord(USER_TABLE, ctx.params.id!, {
        keys: single(ctx, 'keys')?.split(','),
      });
    },
  );
  route(
    router,
    {
      method: 'put',
      path: '/users/:id',
      tag: 'users',
      summary: 'Update a user (field values or update operators).',
      params: { id: 'The user id.' },
      body: recordInput,
      answers: { 200: { description: 'The user.', schema: recordAnswer } },
      refusals: NO_USER,
    },
    async (ctx) => {
      ctx.body = await tables.updateRecord(USER_TABLE, ctx.params.id!, await objectBody(ctx));
    },
  );
}
