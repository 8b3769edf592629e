/**
 * The shapes the whole admin API shares (errors, list pages, times, paging), and how OpenAPI
 * components are named: a schema given an id with `named` is written once under
 * #/components/schemas and referred to everywhere else.
 */
import { z } from 'zod';
import { ERROR_STATUS, type ErrorCode } from '../error-catalogue.ts';

/**
 * Names `schema` the component `id` of the OpenAPI document and returns it. The id goes in
 * zod's global registry, next to the descriptions `.describe()` keeps there, so that one
 * `z.toJSONSchema` call sees both.
 */
export function named<T extends z.ZodType>(id: string, schema: T): T {
  z.globalRegistry.add(schema, { ...z.globalRegistry.get(schema), id });
  return schema;
}

/** A time as the admin API shows it: ISO-8601 (UTC), or null when there is none. */
export const isoTime = z.iso.datetime().nullable();

/** When a thing was made and last changed. */
export const timestamps = { created_at: isoTime, updated_at: isoTime };

/** The answer of a DELETE. */
export const NO_CONTENT = { 204: { description: 'Done; no body.' } };

/** The refusal of a DELETE of something triggers name (E_IN_USE, delete-guard.ts). */
export const IN_USE = {
  409: 'Triggers name it (E_IN_USE, details.triggers); ?force=true deletes anyway.',
};

/** SPEC §2's error answer; the details besides code and message depend on the code. */
export const errorAnswer = named(
  'Error',
  z.strictObject({
    error: z.looseObject({
      code: z
        .enum(Object.keys(ERROR_STATUS) as [ErrorCode, ...ErrorCode[]])
        .describe('Stable E_… code, listed in docs/errors.md.'),
      message: z.string(),
    }),
  }),
);

export const listMeta = named(
  'ListMeta',
  z.strictObject({
    limit: z.number().int(),
    offset: z.number().int(),
    total_count: z.number().int(),
  }),
);

/** A page of `item`s: `{meta: {limit, offset, total_count}, objects}`. */
export const listOf = <T extends z.ZodType>(item: T) =>
  z.strictObject({ meta: listMeta, objects: z.array(item) });

/** Page size when `limit` is left out, and the largest one allowed (validate.ts pageParams). */
export const PAGE = { limit: 20, max: 1000 } as const;

export const pageQuery = z.object({
  limit: z.coerce
    .number()
    .int()
    .min(0)
    .max(PAGE.max)
    .optional()
    .describe(`Page size (default ${PAGE.limit}, at most ${PAGE.max}).`),
  offset: z.coerce.number().int().min(0).optional().describe('Rows to skip.'),
});

/** `?force=true` on the DELETE of something triggers may name (delete-guard.ts). */
export const forceQuery = z.object({
  force: z
    .enum(['true', 'false', '1', '0', ''])
    .optional()
    .describe('true: delete even if triggers name it (their firings then dead-letter).'),
});
