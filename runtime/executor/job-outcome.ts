/**
 * What a job's end means, as pure functions: the outcome the guest reported (checked again
 * here: size, readability, depth), and the failure an entry that threw at the isolated-vm
 * level stands for.
 */
import { checkJson, MAX_OUTPUT_DEPTH } from '../json-limits.ts';
import { RUNTIME_CODES } from '../errors.ts';
import type { SerializedError } from '../sandbox.ts';

/** Maps a guest stack from the bundle to the uploaded sources. */
export type StackMapper = (stack: string) => string;

export type ReportedOutcome =
  { status: 'fulfilled'; result: unknown } | { status: 'execution_failed'; error: SerializedError };

function failed(name: string, code: string, message: string): ReportedOutcome {
  return { status: 'execution_failed', error: { name, code, message } };
}

/** The guest's `done` report (`{ok: true, result}` or `{ok: false, error}`) as an outcome. */
export function readOutcome(
  json: string,
  maxResultBytes: number,
  mapStack: StackMapper,
): ReportedOutcome {
  if (json.length > maxResultBytes + 4096)
    return failed(
      'RangeError',
      RUNTIME_CODES.resultTooLarge,
      `The function's result is over the limit of ${maxResultBytes} bytes`,
    );
  let parsed: { ok?: unknown; result?: unknown; error?: Record<string, unknown> };
  try {
    parsed = JSON.parse(json) as typeof parsed;
  } catch {
    return failed(
      'Error',
      RUNTIME_CODES.resultInvalid,
      'The function reported an unreadable outcome',
    );
  }
  if (parsed.ok === true) {
    // Checked here, before the outcome crosses to the main process: V8's deserialiser there
    // recurses per level, and a result nested thousands deep would overflow its stack.
    const depth = checkJson(parsed.result, { maxDepth: MAX_OUTPUT_DEPTH });
    if (!depth.ok)
      return failed(
        'RangeError',
        RUNTIME_CODES.resultTooDeep,
        `The function's result is ${depth.message}`,
      );
    return { status: 'fulfilled', result: parsed.result };
  }
  return { status: 'execution_failed', error: guestError(parsed.error ?? {}, mapStack) };
}

/** An error the guest threw, as it crossed (data), with its stack mapped to the sources. */
export function guestError(data: Record<string, unknown>, mapStack: StackMapper): SerializedError {
  const error: SerializedError = {
    name: typeof data.name === 'string' ? data.name : 'Error',
    message: typeof data.message === 'string' ? data.message : 'The function failed',
  };
  if (typeof data.stack === 'string') error.stack = mapStack(data.stack);
  if (typeof data.code === 'string') error.code = data.code;
  return error;
}

/** What an entry that threw at the isolated-vm level means. */
export type EntryFailure =
  | { kind: 'timeout' }
  | { kind: 'memory'; error: SerializedError }
  | { kind: 'crashed'; error: SerializedError };

/** Classifies an isolated-vm failure: a timeout, the memory limit (or a dead isolate), or a crash. */
export function entryFailure(
  thrown: unknown,
  isolateDisposed: boolean,
  memoryMb: number,
  mapStack: StackMapper,
): EntryFailure {
  const message = thrown instanceof Error ? thrown.message : String(thrown);
  if (/timed out/i.test(message) && !isolateDisposed) return { kind: 'timeout' };
  if (isolateDisposed || /memory limit|allocation failed/i.test(message))
    return {
      kind: 'memory',
      error: {
        name: 'RangeError',
        code: RUNTIME_CODES.memory,
        message: `The function exceeded its memory limit of ${memoryMb} MB (${message})`,
      },
    };
  const stack =
    thrown instanceof Error && typeof thrown.stack === 'string'
      ? mapStack(thrown.stack)
      : undefined;
  return {
    kind: 'crashed',
    error: {
      name: thrown instanceof Error ? thrown.name : 'Error',
      code: RUNTIME_CODES.crashed,
      message,
      ...(stack ? { stack } : {}),
    },
  };
}
