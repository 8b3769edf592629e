import type { Context } from 'koa';
import { HttpError } from './errors.ts';
import { assertJsonWithin } from '../limits/errors.ts';

/** Default cap for admin JSON bodies; function uploads may be larger than WeChat pushes. */
export const DEFAULT_JSON_LIMIT = 8 * 1024 * 1024;

/**
 * Reads the raw request body, refusing (413 E_BODY_TOO_LARGE) as soon as it passes `limit`
 * bytes, so a hostile client cannot make the engine buffer more than that.
 */
export async function readRawBody(ctx: Context, limit: number): Promise<Buffer> {
  const declared = Number(ctx.get('content-length') || NaN);
  if (Number.isFinite(declared) && declared > limit) throw tooLarge(limit);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw tooLarge(limit);
    chunks.push(chunk);
  }
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size);
}

/**
 * Reads and parses a JSON body; an empty body is `{}`; bad JSON is 400 E_BAD_JSON, a body
 * nested deeper than MAX_INPUT_DEPTH is 400 E_JSON_TOO_DEEP.
 */
export async function readJsonBody(ctx: Context, limit = DEFAULT_JSON_LIMIT): Promise<unknown> {
  const raw = await readRawBody(ctx, limit);
  if (raw.length === 0) return {};
  let body: unknown;
  try {
    body = JSON.parse(raw.toString('utf8')) as unknown;
  } catch (err) {
    throw new HttpError(
      'E_BAD_JSON',
      `The request body is not valid JSON: ${(err as Error).message}`,
    );
  }
  // JSON.parse is iterative, but what comes after (serialisers, IPC, recursive walks) is not.
  assertJsonWithin(body, 'The request body');
  return body;
}

function tooLarge(limit: number): HttpError {
  return new HttpError('E_BODY_TOO_LARGE', `The request body is over ${limit} bytes.`, {
    limit,
  });
}
