import type { Middleware } from 'koa';
import { RuntimeError } from '../../runtime/index.ts';
import { EngineError } from '../errors.ts';
import { redactPath } from './redact.ts';

/** Codes of the HTTP layer itself (docs/errors.md, "Admin API and engine"). */
export class HttpError extends EngineError {
  constructor(code: string, message: string, status: number, details?: Record<string, unknown>) {
    super(code, message, { status, details });
    this.name = 'HttpError';
  }
}

interface ErrorLogger {
  error(obj: object, msg: string): void;
}

/** The errors that carry their own code and status: the engine's, and the runtime's (same shape). */
type CodedError = EngineError | RuntimeError;

function isCodedError(err: unknown): err is CodedError {
  return err instanceof EngineError || err instanceof RuntimeError;
}

/**
 * Turns every thrown error into SPEC §2's `{error: {code, message, …details}}`.
 * EngineErrors and RuntimeErrors keep their code and status; anything else is a bug: logged
 * (the path redacted), and answered 500 E_INTERNAL without leaking its message.
 *
 * A JSON answer is serialised here, not by koa after every middleware has returned: a value
 * JSON.stringify cannot write (nested too deeply, a BigInt, a cycle) would otherwise become
 * koa's plain-text 500, past any error handling (issue 12, item 9).
 */
export function errorMiddleware(log?: ErrorLogger): Middleware {
  return async (ctx, next) => {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined) {
        throw new HttpError('E_ROUTE_NOT_FOUND', `No route for ${ctx.method} ${ctx.path}.`, 404);
      }
      // The routers' bare answers to a method a path does not take (405), or that no route
      // takes at all (501, e.g. PROPFIND): one JSON 405, since bad input is never a 5xx.
      if ((ctx.status === 405 || ctx.status === 501) && ctx.body === undefined) {
        throw new HttpError(
          'E_METHOD_NOT_ALLOWED',
          `${ctx.method} is not taken here; the Allow header lists the methods that are.`,
          405,
        );
      }
      serialiseJsonBody(ctx);
    } catch (err) {
      if (isCodedError(err)) {
        ctx.status = err.status;
        ctx.type = 'application/json';
        ctx.body = errorJson(err);
        return;
      }
      log?.error(
        { err, method: ctx.method, path: redactPath(ctx.path) },
        'unhandled error in request',
      );
      ctx.status = 500;
      ctx.body = { error: { code: 'E_INTERNAL', message: 'Internal error; see the engine log.' } };
    }
  };
}

/** Writes an object body as JSON text now, so a failure is still ours to answer. */
function serialiseJsonBody(ctx: Parameters<Middleware>[0]): void {
  const body: unknown = ctx.body;
  if (body === null || typeof body !== 'object') return;
  if (Buffer.isBuffer(body) || typeof (body as { pipe?: unknown }).pipe === 'function') return;
  let text: string | undefined;
  try {
    text = JSON.stringify(body);
  } catch (err) {
    throw new HttpError(
      'E_RESPONSE_NOT_JSON',
      `The answer holds a value that cannot be written as JSON (${err instanceof RangeError ? 'nested too deeply' : (err as Error).message}). Ask for less of it (a page, fewer keys) or delete the value.`,
      422,
    );
  }
  const status = ctx.status;
  ctx.type = 'application/json';
  ctx.body = text ?? 'null';
  ctx.status = status; // assigning a body would reset a 204/201 set by the route otherwise
}

/** A coded error as JSON text; details JSON cannot write (a value echoed back) are dropped. */
function errorJson(err: CodedError): string {
  try {
    return JSON.stringify(err.toJSON());
  } catch {
    return JSON.stringify({ error: { code: err.code, message: err.message } });
  }
}
