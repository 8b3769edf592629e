import type { z } from 'zod';
import { ValidationError } from '../errors.ts';
import type { CodeWithStatus } from '../error-catalogue.ts';
import { PAGE, pageQuery } from './api-schemas.ts';

/**
 * Validates admin input against a zod schema at the edge; the first issue becomes a 400
 * with the code given, the path of the fault and a message that says what to fix.
 */
export function parseInput<T extends z.ZodType>(
  schema: T,
  input: unknown,
  code: CodeWithStatus<400> = 'E_INVALID_BODY',
): z.infer<T> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const path = issue.path.map(String).join('.');
  throw new ValidationError(code, path ? `${path}: ${issue.message}` : issue.message, {
    path,
    issues: result.error.issues.map((i) => ({
      path: i.path.map(String).join('.'),
      message: i.message,
    })),
  });
}

/** Reads `limit`/`offset` query parameters with pageQuery's bounds (400 E_INVALID_QUERY otherwise). */
export function pageParams(query: Record<string, unknown>): { limit: number; offset: number } {
  const read = (name: 'limit' | 'offset', fallback: number): number => {
    const raw = query[name];
    if (raw === undefined || raw === '') return fallback;
    const parsed = typeof raw === 'string' ? pageQuery.shape[name].safeParse(raw) : undefined;
    if (parsed?.success && parsed.data !== undefined) return parsed.data;
    throw new ValidationError(
      'E_INVALID_QUERY',
      `Query parameter "${name}" must be an integer from 0 to ${name === 'limit' ? PAGE.max : Number.MAX_SAFE_INTEGER}.`,
      { parameter: name },
    );
  };
  return { limit: read('limit', PAGE.limit), offset: read('offset', 0) };
}

/**
 * A list answer, `{meta, objects}`, from a list held whole: the page asked for (the whole
 * list without one), only its items rendered.
 */
export function pageOf<T, R>(
  all: readonly T[],
  render: (item: T) => R,
  page: { limit: number; offset: number } = { limit: all.length, offset: 0 },
): { meta: { limit: number; offset: number; total_count: number }; objects: R[] } {
  const { limit, offset } = page;
  return {
    meta: { limit, offset, total_count: all.length },
    objects: all.slice(offset, offset + limit).map((item) => render(item)),
  };
}

/** Renders unix milliseconds as ISO-8601 for the admin API (null stays null). */
export function iso(ms: number | null | undefined): string | null {
  return ms === null || ms === undefined ? null : new Date(ms).toISOString();
}
