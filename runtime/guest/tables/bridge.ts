/**
 * The SDK's one way out of the isolate: `call(op, args)` supplied by the prelude, which
 * answers the value itself (a store that answers at once, SQLite) or a promise of it (a store
 * that must wait, PostgreSQL). Results are wrapped in MinCloud's response shape and delivered
 * as promises either way, so user code is written exactly as for MinCloud
 * (`const res = await record.save()`).
 */
import { fromHostError } from './errors.ts';

export type HostCall = (op: string, args: unknown) => unknown;

// Captured before user code runs: a function replacing `Promise` breaks only its own calls.
const NativePromise = Promise;
const promiseThen = Promise.prototype.then;

export interface SdkResponse {
  status: number;
  statusText: string;
  data: unknown;
}

const STATUS_TEXT: Record<number, string> = { 200: 'OK', 201: 'Created', 204: 'No Content' };

export class Bridge {
  private readonly call: HostCall;

  constructor(call: HostCall) {
    this.call = call;
  }

  /** Runs `op` now; the promise carries the result or the refusal. */
  invoke(op: string, args: unknown): Promise<unknown> {
    let answer: unknown;
    try {
      answer = this.call(op, args);
    } catch (err) {
      return NativePromise.reject(fromHostError(err));
    }
    if (!(answer instanceof NativePromise)) return NativePromise.resolve(answer);
    return Reflect.apply(promiseThen, answer, [
      undefined,
      (err: unknown) => NativePromise.reject(fromHostError(err)),
    ]) as Promise<unknown>;
  }

  /** Like invoke, with the result as `{status, statusText, data}`. */
  request(
    op: string,
    args: unknown,
    status: number,
    data?: (result: unknown) => unknown,
  ): Promise<SdkResponse> {
    return this.invoke(op, args).then((result) => ({
      status,
      statusText: STATUS_TEXT[status] ?? '',
      data: data ? data(result) : result,
    }));
  }
}
