/** What the tables REST routes take in queries and answer (http-routes.ts). */
import { z } from 'zod';
import { listOf, named, timestamps } from '../api-schemas.ts';
import { FIELD_TYPES } from '../../tables/schema.ts';
import type { FieldType } from '../../tables/table-store.ts';

const fieldType = z.enum(FIELD_TYPES as [FieldType, ...FieldType[]]);

export const fieldAnswer = named(
  'Field',
  z.strictObject({
    name: z.string(),
    type: fieldType,
    required: z.boolean().optional(),
    default: z.unknown().optional(),
    items: fieldType.optional().describe('Element type of an array field.'),
    maxLength: z.number().int().optional(),
    index: z.boolean().optional(),
    to: z
      .string()
      .optional()
      .describe('For a pointer field: the table it points at (or _userprofile).'),
  }),
);

export const tableAnswer = named(
  'Table',
  z.strictObject({
    id: z.number().int(),
    name: z.string(),
    fields: z.array(fieldAnswer),
    ...timestamps,
  }),
);
export type TableAnswer = z.infer<typeof tableAnswer>;
export const tableListAnswer = listOf(tableAnswer);

/** A record: its own fields besides the system ones (`keys` may leave any of those out). */
export const recordAnswer = named(
  'Record',
  z.looseObject({
    id: z
      .union([z.string(), z.number().int()])
      .describe('24 hex characters; a positive integer in _userprofile.'),
    created_at: z.number().int().optional().describe('Unix seconds.'),
    updated_at: z.number().int().optional().describe('Unix seconds.'),
    created_by: z.unknown().optional().describe('A user id, or the user with ?expand=created_by.'),
  }),
);

export const recordListAnswer = named(
  'RecordList',
  z.strictObject({
    meta: z.strictObject({
      limit: z.number().int(),
      offset: z.number().int(),
      next: z.string().nullable(),
      previous: z.string().nullable(),
      total_count: z.number().int().optional(),
    }),
    objects: z.array(recordAnswer),
  }),
);

export const bulkAnswer = named(
  'BulkResult',
  z.strictObject({
    succeed: z.number().int(),
    total_count: z.number().int(),
    offset: z.number().int().optional(),
    limit: z.number().int().optional(),
    next: z.string().nullable().optional(),
    operation_result: z.array(
      z.strictObject({
        success: z
          .strictObject({
            id: z.union([z.string(), z.number().int()]),
            created_at: z.number().int().optional(),
            updated_at: z.number().int().optional(),
          })
          .optional(),
      }),
    ),
  }),
);

/** A record's field values or update operators ($set, $inc, …). */
export const recordInput = z.record(z.string(), z.unknown());

const csv = (what: string) => z.string().optional().describe(what);
const where = z
  .string()
  .optional()
  .describe("A JSON where document in MinCloud's operators ($eq, $in, $and, …).");
const page = {
  limit: z.coerce
    .number()
    .int()
    .min(0)
    .optional()
    .describe('Page size (default 20, at most 1000).'),
  offset: z.coerce.number().int().min(0).optional().describe('Rows to skip.'),
};
const keys = csv('Comma-separated fields to return ("-a" drops a).');
const expand = csv('Comma-separated pointer fields to replace with their records.');

export const findQuery = z.object({
  where,
  ...page,
  order_by: csv('Comma-separated fields, "-" for descending.'),
  keys,
  expand,
});
export const usersQuery = findQuery.omit({ expand: true });
export const bulkQuery = z.object({
  where: z.string().describe('Required; {} for all records.'),
  ...page,
});
export const recordQuery = z.object({ keys, expand });
export const userQuery = z.object({ keys });
export const exportQuery = z.object({
  format: z.enum(['csv', 'json']).optional().describe('csv or json (default).'),
});
