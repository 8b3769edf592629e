import type { IncomingMessage } from 'node:http';
import { finished } from 'node:stream';
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
  return readWithin(ctx.req, limit);
}

/**
 * The stream's bytes from 'data' events, its end from `finished`: what iterating it with
 * `for await` gave (its error, or a premature close; over the limit, the request destroyed
 * and the rest never read), without an async iterator and a promise per chunk on every
 * request.
 */
function readWithin(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.off('data', onData);
        stopReading(req);
        reject(tooLarge(limit));
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    const stopWatching = finished(req, { writable: false }, (err) => {
      stopWatching();
      req.off('data', onData);
      if (err) reject(err);
      else resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
    });
  });
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

/**
 * Ends a request whose rest is not to be read, as leaving a `for await` loop over it early
 * does (Node's stream destroyer): the request is detached from its socket and then destroyed,
 * so its rest is dropped, and the socket is left to carry the refusal, then closed
 * (`Connection: close`, set by the caller).
 */
function stopReading(req: IncomingMessage): void {
  (req as { socket: IncomingMessage['socket'] | null }).socket = null;
  req.destroy();
}

function tooLarge(limit: number): HttpError {
  return new HttpError('E_BODY_TOO_LARGE', `The request body is over ${limit} bytes.`, {
    limit,
  });
}
