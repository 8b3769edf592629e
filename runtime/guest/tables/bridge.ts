/**
 * The SDK's one way out of the isolate: a synchronous `call(op, args)` supplied by the
 * prelude. Results are wrapped in MinCloud's response shape and delivered as promises, so
 * user code is written exactly as for MinCloud (`const res = await record.save()`).
 */
import { fromHostError } from './errors.ts';

export type HostCall = (op: string, args: unknown) => unknown;

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
    try {
      return Promise.resolve(this.call(op, args));
    } catch (err) {
      return Promise.reject(fromHostError(err));
    }
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
