/**
 * How a function's `BaaS.invoke` reaches other functions in the engine: through the function
 * service (so each call is a job with its row), with the engine's fan-out limit. The runtime
 * limits the depth of chains and the calls one run makes (runtime/limits.ts); here, the
 * invocations of one function started by `BaaS.invoke` and not finished yet (asynchronous
 * ones included) are capped, and a call past the cap is refused before any job row is written.
 */
import type { Logger } from 'pino';
import type { NestedInvoke } from '../../runtime/sandbox.ts';
import { EngineError } from '../errors.ts';
import type { FunctionService } from './function-service.ts';

/** The callee already has its maximum of `BaaS.invoke` runs in flight; nothing ran. */
export class InvokeInFlightError extends EngineError {
  constructor(name: string, max: number) {
    super(
      'E_FUNCTION_INVOKE_IN_FLIGHT',
      `Function ${name} already has ${max} BaaS.invoke runs in flight, the limit; this call was not made`,
      { details: { function: name, limit: max } },
    );
    this.name = 'InvokeInFlightError';
  }
}

export function createNestedInvoke(deps: {
  functions: () => FunctionService;
  log: Pick<Logger, 'warn'>;
  /** config.invokeMaxInFlight (CLOUDFN_INVOKE_MAX_IN_FLIGHT, 100 by default). */
  maxInFlightPerFunction: number;
  /** The user with this id (throws when none): whom `BaaS.invoke(…, {userId})` names. */
  userOf: (id: number) => Promise<Record<string, unknown>>;
}): NestedInvoke {
  const max = deps.maxInFlightPerFunction;
  const inFlight = new Map<string, number>();

  return async (name, data, { sync, depth, userId, user }) => {
    // A nested run is made for the user the caller named, else for the caller's own user.
    let runUser = user;
    if (userId !== undefined) {
      try {
        runUser = await deps.userOf(userId);
      } catch (err) {
        return { code: 1, data: null, error: { message: (err as Error).message, status: 404 } };
      }
    }
    const running = inFlight.get(name) ?? 0;
    if (running >= max) throw new InvokeInFlightError(name, max);
    inFlight.set(name, running + 1);
    const run = deps
      .functions()
      .run(name, data, {
        source: 'cloud_function',
        eventType: 'cloud_function',
        depth,
        ...(runUser ? { user: runUser } : {}),
      })
      .finally(() => {
        const left = (inFlight.get(name) ?? 1) - 1;
        if (left > 0) inFlight.set(name, left);
        else inFlight.delete(name);
      });
    if (!sync) {
      run.catch((err: unknown) =>
        deps.log.warn({ err, function: name }, 'asynchronous BaaS.invoke failed'),
      );
      return { code: 0, data: null, error: {} };
    }
    try {
      const { outcome } = await run;
      return outcome.status === 'fulfilled'
        ? { code: 0, data: outcome.result ?? null, error: {} }
        : { code: 1, data: null, error: { ...outcome.error, status: outcome.status } };
    } catch (err) {
      return {
        code: 1,
        data: null,
        error: {
          code: (err as { code?: string }).code ?? 'E_INTERNAL',
          message: (err as Error).message,
        },
      };
    }
  };
}
