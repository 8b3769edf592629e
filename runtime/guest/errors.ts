/** Guest-side error helpers: errors leave the isolate as data, never as objects. */
import { JSONStringify, NativeError, NativeString } from './intrinsics.ts';

export interface ErrorData {
  name: string;
  message: string;
  stack?: string;
  /** An `E_…` code, or a number where the API has its own (WeChat's errcode). */
  code?: string | number;
  /** A stable `E_…` code beside a numeric `code` (HError-like WeChat errors). */
  reason?: string;
  status?: number;
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
    const status = read(thrown, 'status');
    const reason = read(thrown, 'reason');
    const data: ErrorData = {
      name: typeof name === 'string' ? name : 'Error',
      message: typeof message === 'string' ? message : safeString(thrown),
    };
    if (typeof stack === 'string') data.stack = stack;
    if (typeof code === 'string') data.code = code;
    // HError-like errors (WeChat's): a numeric code; the job record keeps the stable reason.
    else if (typeof reason === 'string') data.code = reason;
    if (typeof status === 'number') data.status = status;
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

/** Rebuilds a guest Error from error data the host sent (a refused host call). */
export function fromErrorData(data: ErrorData): Error {
  const error = new NativeError(data.message) as Error & {
    code?: string | number;
    reason?: string;
    status?: number;
  };
  if (typeof data.name === 'string' && data.name !== 'Error') error.name = data.name;
  if (data.code !== undefined) error.code = data.code;
  if (data.reason !== undefined) error.reason = data.reason;
  if (data.status !== undefined) error.status = data.status;
  return error;
}
