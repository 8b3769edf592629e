/** Guest-side error helpers: errors leave the isolate as data, never as objects. */
import { HError, hError } from './h-error.ts';
import { JSONStringify, NativeString } from './intrinsics.ts';

export interface ErrorData {
  name: string;
  message: string;
  stack?: string;
  /**
   * cloudfn's stable `E_…` code (an HError's `reason`), or a number where the API has its own
   * (WeChat's errcode), with the stable code in `reason`.
   */
  code?: string | number;
  /** A stable `E_…` code beside a numeric `code` (HError-like WeChat errors). */
  reason?: string;
  status?: number;
  details?: unknown;
}

function read(value: unknown, key: string): unknown {
  try {
    return (value as Record<string, unknown>)[key];
  } catch {
    return undefined;
  }
}

/** Turns anything a function threw (an Error, a string, an object) into error data. */
export function toErrorData(thrown: unknown): ErrorData {
  if (thrown !== null && (typeof thrown === 'object' || typeof thrown === 'function')) {
    const name = read(thrown, 'name');
    const message = read(thrown, 'message');
    const stack = read(thrown, 'stack');
    const code = read(thrown, 'code');
    const reason = read(thrown, 'reason');
    const status = read(thrown, 'status');
    const data: ErrorData = {
      name: typeof name === 'string' ? name : 'Error',
      message: typeof message === 'string' ? message : safeString(thrown),
    };
    if (typeof stack === 'string') data.stack = stack;
    // An HError's integer `code` is MinCloud's (or WeChat's errcode); the log keeps our
    // `E_…` code from `reason`.
    if (typeof reason === 'string') data.code = reason;
    else if (typeof code === 'string') data.code = code;
    if (typeof status === 'number') data.status = status;
    else if (typeof code === 'number') data.status = code;
    return data;
  }
  return { name: 'Error', message: safeString(thrown) };
}

function safeString(value: unknown): string {
  try {
    if (typeof value === 'string') return value;
    const json = JSONStringify(value);
    return typeof json === 'string' ? json : NativeString(value);
  } catch {
    return '[unprintable value]';
  }
}

/**
 * Rebuilds a refused host call as MinCloud's HError: `code` MinCloud's integer, `reason`
 * our `E_…` code, `status` the HTTP-like status.
 */
export function fromErrorData(data: ErrorData): Error {
  // WeChat's answers keep their own errcode as `code` (as MinCloud's SDK passes them on).
  if (typeof data.code === 'number')
    return new HError(
      data.code,
      data.message,
      data.reason ?? 'E_HOST_OP_FAILED',
      data.status ?? 400,
      data.details,
    );
  return hError(data.code ?? 'E_HOST_OP_FAILED', data.status ?? 500, data.message, data.details);
}
