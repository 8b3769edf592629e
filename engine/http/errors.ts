import type { Middleware } from 'koa';
import { EngineError } from '../errors.ts';

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

/**
 * Turns every thrown error into SPEC §2's `{error: {code, message, …details}}`.
 * EngineErrors keep their code and status; anything else is a bug: logged, and answered
 * 500 E_INTERNAL without leaking its message.
 */
export function errorMiddleware(log?: ErrorLogger): Middleware {
  return async (ctx, next) => {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined) {
        throw new HttpError('E_ROUTE_NOT_FOUND', `No route for ${ctx.method} ${ctx.path}.`, 404);
      }
    } catch (err) {
      if (err instanceof EngineError) {
        ctx.status = err.status;
        ctx.body = err.toJSON();
        return;
      }
      log?.error({ err, method: ctx.method, path: ctx.path }, 'unhandled error in request');
      ctx.status = 500;
      ctx.body = { error: { code: 'E_INTERNAL', message: 'Internal error; see the engine log.' } };
    }
  };
}
