/**
 * The `BaaS` global: a plain object with `invoke`, `TableObject` and `Query` (SPEC §5), the
 * WeChat calls (`wxAccessToken`, `wechat.*`, MinCloud's `sendTemplateMessage`) and `request`.
 */
import { createTableApi } from './tables/index.ts';
import { createRequest } from './request.ts';
import { createWechatApi } from './wechat.ts';
import { type ErrorData, fromErrorData } from './errors.ts';
import type { HostCaller } from './host-call.ts';
import {
  DateNow,
  DatePrototypeToISOString,
  JSONParse,
  JSONStringify,
  MapPrototypeDelete,
  MapPrototypeGet,
  MapPrototypeSet,
  MapPrototypeClear,
  MapPrototypeSize,
  NativeMap,
  NativeDate,
  NativePromise,
  NativeString,
  PromisePrototypeThenValue,
  PromiseResolve,
} from './intrinsics.ts';

type Settle = { resolve: (value: unknown) => void; reject: (error: unknown) => void };

export interface NestedCalls {
  /** Settles nested call `id` with the host's JSON answer (`{ok}` or `{error}`). */
  settle(id: number, replyJson: string): void;
  reset(): void;
  /** How many nested calls are in flight (a callback-style run waits for none). */
  pending(): number;
}

/** An asynchronous host request: `op` with JSON-able `args`, answered through `nested`. */
export type HostRequest = (op: string, args: unknown) => Promise<unknown>;

/** Builds `BaaS` and the table of its in-flight asynchronous host requests. */
export function createBaaS(
  call: HostCaller,
  nested: (id: number, requestJson: string) => void,
  currentUserId: () => number | null = () => null,
): { BaaS: Record<string, unknown>; nestedCalls: NestedCalls; hostRequest: HostRequest } {
  const pending = new NativeMap<number, Settle>();
  let nextId = 1;

  function send(request: unknown): Promise<unknown> {
    return new NativePromise((resolve, reject) => {
      const requestJson = JSONStringify(request);
      const id = nextId++;
      MapPrototypeSet(pending, id, { resolve, reject });
      nested(id, requestJson);
    });
  }

  // The fourth argument is cloudfn's: `{userId}` runs the function for that user (by
  // default a nested run is made for the caller's user, if any).
  function invoke(
    name: unknown,
    data?: unknown,
    sync: unknown = true,
    options?: unknown,
  ): Promise<unknown> {
    const userId =
      options !== null && typeof options === 'object'
        ? (options as { userId?: unknown }).userId
        : undefined;
    return send({
      op: 'invoke',
      name: NativeString(name),
      data: data === undefined ? null : data,
      sync: Boolean(sync),
      ...(typeof userId === 'number' ? { userId } : {}),
    });
  }

  // MinCloud's older name: resolves the whole response, the invoke result in `data`.
  function invokeFunction(name: unknown, data?: unknown, sync: unknown = true): Promise<unknown> {
    return PromisePrototypeThenValue(invoke(name, data, sync, undefined), (result) => ({
      status: 200,
      statusText: 'OK',
      data: result,
    }));
  }

  // The engine's clock, as an ISO-8601 time with its zone (MinCloud: `res.data.time`).
  function getServerDate(): Promise<unknown> {
    return PromiseResolve({
      status: 200,
      statusText: 'OK',
      data: { time: DatePrototypeToISOString(new NativeDate(DateNow())) },
    });
  }

  const hostRequest: HostRequest = (op, args) =>
    send({ op: NativeString(op), args: args === undefined ? null : args });

  const tables = createTableApi(call, currentUserId);
  const wechat = createWechatApi(hostRequest);
  const BaaS: Record<string, unknown> = {
    invoke,
    invokeFunction,
    getServerDate,
    TableObject: tables.TableObject,
    Query: tables.Query,
    User: tables.User,
    GeoPoint: tables.GeoPoint,
    GeoPolygon: tables.GeoPolygon,
    Content: tables.Content,
    ContentCategory: tables.ContentCategory,
    ContentGroup: tables.ContentGroup,
    wxAccessToken: wechat.wxAccessToken,
    wxCensorText: wechat.wxCensorText,
    sendTemplateMessage: wechat.api.sendTemplateMessage,
    wechat: wechat.api,
    request: createRequest(hostRequest),
  };
  return {
    BaaS,
    hostRequest,
    nestedCalls: {
      settle(id, replyJson) {
        const entry = MapPrototypeGet(pending, id);
        if (entry === undefined) return;
        MapPrototypeDelete(pending, id);
        const reply = JSONParse(replyJson) as { ok?: unknown; error?: ErrorData };
        if (reply.error !== undefined) entry.reject(fromErrorData(reply.error));
        else entry.resolve(reply.ok);
      },
      reset() {
        MapPrototypeClear(pending);
      },
      pending: () => MapPrototypeSize(pending),
    },
  };
}
