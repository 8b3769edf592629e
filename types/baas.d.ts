/**
 * Typings for cloudfn functions: the `BaaS` global (MinCloud's TableObject, Query and invoke),
 * the `event` a function receives, `console`, `process.env`, timers, and the WeChat push
 * payloads that arrive as `event.data`. `cloudfn init` copies this file (and
 * sandbox-globals.d.ts: URL, TextEncoder, crypto, …) into a project and wires them up in
 * tsconfig.json; see docs/functions.md.
 *
 * In JavaScript:  /** @param {CloudFn.Event<WeChat.UserConsumeCardEvent>} event *\/
 *                 exports.main = async function (event) { … }
 * In TypeScript:  export async function main(event: CloudFn.Event<WeChat.TextMessage>) { … }
 *
 * Declarations that Node's own typings also make (console, process, setTimeout) are written
 * to merge with @types/node, so this file type-checks beside it too.
 */

// ---------------------------------------------------------------------------------------
// The function model (SPEC §5)
// ---------------------------------------------------------------------------------------

declare namespace CloudFn {
  /** How the run was started. */
  type EventType = 'trigger' | 'invoke' | 'cloud_function' | 'timer' | 'webhook' | 'table';
  type TriggerType = 'wechat_message' | 'table' | 'timer' | 'webhook';

  /** The `event` argument of `exports.main`. */
  interface Event<TData = unknown> {
    /** The push, the table change, the timer tick, the webhook body or the invoke data. */
    data: TData;
    eventType: EventType;
    /** Set when a trigger fired the run. */
    trigger?: { name: string; type: TriggerType };
    /** For a table trigger: the write that fired it (`event.data` is the record). */
    change?: TableChange;
    /** When the run is made for a user (invoke with `user_id`, or a nested invoke). */
    request?: { user: BaaS.UserProfile };
    jobId: string;
    /** The run's time limit (the function's timeoutMs). */
    timeLimitInMS: number;
    /** The run's memory limit (the function's memoryMb). */
    memoryLimitInMB: number;
  }

  /** The Node-style callback of `exports.main = function (event, callback)`. */
  type Callback<TResult = unknown> = (error: unknown, result?: TResult) => void;

  /** `exports.main`: async (return or resolve the result) or with a callback. */
  type Handler<TData = unknown, TResult = unknown> =
    | ((event: Event<TData>) => TResult | Promise<TResult>)
    | ((event: Event<TData>, callback: Callback<TResult>) => void);

  /** `event.change` of a `table` trigger (`event.data` is the record itself). */
  interface TableChange<T = Record<string, unknown>> {
    event: 'create' | 'update' | 'delete';
    before: SavedRecord<T> | null;
    after: SavedRecord<T> | null;
    table: string;
  }

  /** `event.data` of a `timer` trigger. */
  interface TimerTick {
    scheduledAt: string | number;
    firedAt: string | number;
  }

  /**
   * What `BaaS.invoke` resolves. A failure of the invoked function (or a `{userId}` naming no
   * user: `error.status` 404) resolves with `code` 1; a call refused before it ran rejects
   * with an HError instead (`BaaS.invoke`).
   */
  interface InvokeResult<TData = unknown> {
    /** 0 when the invoked function succeeded, 1 when it failed. */
    code: number;
    data: TData;
    error: {
      message?: string;
      /** The failure's stable code (E_FUNCTION_TIMEOUT, …; docs/errors.md). */
      code?: ErrorReason;
      stack?: string;
      /** How the run ended (`rejected`, `timeout`, …), or 404 for an unknown `userId`. */
      status?: string | number;
    };
  }

  /**
   * A table trigger's event: `event.data` is the record (after a create or update, the
   * deleted one for a delete), `event.change` the write with both sides.
   */
  type TableEvent<T = Record<string, unknown>> = Omit<
    Event<SavedRecord<T>>,
    'eventType' | 'trigger' | 'change'
  > & {
    eventType: 'table';
    trigger: { name: string; type: 'table' };
    change: TableChange<T>;
  };

  /**
   * Stable `E_…` codes (docs/errors.md) a function meets in `err.reason` of a rejected BaaS
   * call, `err.code` of a RangeError from setTimeout/setInterval, or `error.code` of an
   * InvokeResult. Any other code may come too, hence the open string.
   */
  type ErrorReason =
    | 'E_FUNCTION_INVOKE_LIMIT'
    | 'E_FUNCTION_INVOKE_IN_FLIGHT'
    | 'E_FUNCTION_INVOKE_DEPTH'
    | 'E_FUNCTION_ARGUMENT_TOO_LARGE'
    | 'E_FUNCTION_NOT_FOUND'
    | 'E_FUNCTION_TIMEOUT'
    | 'E_FUNCTION_MEMORY'
    | 'E_TOO_MANY_TIMERS'
    | 'E_HOST_OP_FAILED'
    | 'E_USER_NO_CURRENT'
    | 'E_OUTBOUND_FORBIDDEN'
    | 'E_OUTBOUND_LIMIT'
    | 'E_OUTBOUND_TIMEOUT'
    | 'E_WECHAT_API_NO_SECRET'
    | (string & {});

  /**
   * What setTimeout/setInterval throw when the run already has its maximum of pending timers
   * (100): a RangeError with `code` E_TOO_MANY_TIMERS. The run fails unless it is caught.
   */
  interface TooManyTimersError extends RangeError {
    code: 'E_TOO_MANY_TIMERS';
  }

  /** What a passive-reply trigger's function returns to answer WeChat (SPEC §4). */
  interface ReplyResult {
    reply: WeChat.Reply;
  }

  /** The system fields every record has. */
  interface SystemFields {
    /** 24 hex characters (an integer for users: `_userprofile`). */
    id: string;
    /** Unix seconds. */
    created_at: number;
    /** Unix seconds. */
    updated_at: number;
    /** The creating user's id (a function may set it), or that user after expand('created_by'). */
    created_by?: number | { id: number; nickname: string | null; avatar: string | null } | null;
  }

  /** A stored record: your fields plus the system fields. */
  type SavedRecord<T = Record<string, unknown>> = T & SystemFields;

  /** The response wrapper of MinCloud's SDK calls. */
  interface Response<TData> {
    status: number;
    statusText: string;
    data: TData;
  }

  interface ListResult<T> {
    meta: {
      limit: number;
      offset: number;
      next: string | null;
      previous: string | null;
      total_count?: number;
    };
    objects: T[];
  }

  /** The answer of `createMany` and of update/delete by query. */
  interface BulkResult {
    succeed: number;
    total_count: number;
    offset?: number;
    limit?: number;
    next?: string | null;
    operation_result: Array<{ success?: Record<string, unknown>; error?: Record<string, unknown> }>;
  }

  /**
   * A rejected BaaS call: MinCloud's HError. `code` is MinCloud's integer (400, 401, 403,
   * 404, 500; 605 for a bad SDK argument), `reason` the engine's stable `E_…` code
   * (docs/errors.md), `status` the HTTP-like status.
   */
  interface BaaSError extends Error {
    name: 'HError';
    code: number;
    /** E_FUNCTION_INVOKE_LIMIT (status 429), E_TABLE_NOT_FOUND (404), … */
    reason: ErrorReason;
    status: number;
    /** For a refused write: `{fields, errors}`. */
    details?: unknown;
  }
  type HError = BaaSError;

  type CompareOperator = '=' | '!=' | '<' | '<=' | '>' | '>=';
}

// ---------------------------------------------------------------------------------------
// BaaS (MinCloud's SDK inside the sandbox)
// ---------------------------------------------------------------------------------------

declare namespace BaaS {
  /** One data table, by name or integer id. Query settings reset after each operation. */
  class TableObject<T extends object = Record<string, unknown>> {
    constructor(tableNameOrId: string | number);
    /** A new, empty record; `save()` creates it. */
    create(): TableRecord<T>;
    /** Up to 1000 records, all or nothing. */
    createMany(
      items: Array<Partial<T>>,
      options?: { enableTrigger?: boolean },
    ): Promise<CloudFn.Response<CloudFn.BulkResult>>;
    /** One record; a missing id rejects (status 404). */
    get(recordId: string | number): Promise<CloudFn.Response<CloudFn.SavedRecord<T>>>;
    /** A record to update by id without fetching it (also a pointer value, e.g. created_by). */
    getWithoutData(recordId: string | number): TableRecord<T>;
    /** Every record of a query, to update at once. */
    getWithoutData(query: Query): BulkRecord<T>;
    delete(
      recordId: string | number,
      options?: { enableTrigger?: boolean },
    ): Promise<CloudFn.Response<''>>;
    delete(
      query: Query,
      options?: { enableTrigger?: boolean; withCount?: boolean },
    ): Promise<CloudFn.Response<CloudFn.BulkResult>>;
    /** The records of the query set with setQuery (20 by default; limit() up to 1000). */
    find(options?: {
      withCount?: boolean;
    }): Promise<CloudFn.Response<CloudFn.ListResult<CloudFn.SavedRecord<T>>>>;
    /** How many records the query matches. */
    count(): Promise<number>;
    setQuery(query: Query): this;
    /** `select('a')`, `select(['a', 'b'])` keeps fields; `select('-a')` drops them. */
    select(keys: string | string[]): this;
    /** `expand('created_by')`: the creator as the user `{id, nickname, avatar}`. */
    expand(keys: string | string[]): this;
    limit(value: number): this;
    offset(value: number): this;
    /** `orderBy('-created_at')`, `orderBy(['a', '-b'])`. */
    orderBy(keys: string | string[]): this;
  }

  /** Field operations on one record; when one field gets several, the last one counts. */
  interface RecordOperations<T> {
    set<K extends keyof T & string>(key: K, value: T[K]): this;
    set(key: string, value: unknown): this;
    set(values: Partial<T> | Record<string, unknown>): this;
    unset(key: string | Record<string, unknown>): this;
    /** Atomic add to a number field. */
    incrementBy(key: string, value: number): this;
    append(key: string, value: unknown): this;
    /** Appends the values not already in the array. */
    uAppend(key: string, value: unknown): this;
    remove(key: string, value: unknown): this;
    pop(key: string): this;
    shift(key: string): this;
    /** Shallow-merges into an object field. */
    patchObject(key: string, value: Record<string, unknown>): this;
  }

  interface TableRecord<T = Record<string, unknown>> extends RecordOperations<T> {
    /** Creates the record (status 201). */
    save(): Promise<CloudFn.Response<CloudFn.SavedRecord<T>>>;
    /** Updates the record (from getWithoutData(id)). */
    update(options?: {
      enableTrigger?: boolean;
    }): Promise<CloudFn.Response<CloudFn.SavedRecord<T>>>;
  }

  interface BulkRecord<T = Record<string, unknown>> extends RecordOperations<T> {
    /** Updates every record of the query (up to limit(), 1000 by default). */
    update(options?: {
      enableTrigger?: boolean;
      withCount?: boolean;
    }): Promise<CloudFn.Response<CloudFn.BulkResult>>;
  }

  /** A `where` condition in MinCloud's wire format; combine with Query.and / Query.or. */
  class Query {
    constructor();
    /** The wire-format document (`{$and: [{field: {$op: value}}]}`). */
    queryObject: Record<string, unknown>;
    static and(...queries: Query[]): Query;
    static or(...queries: Query[]): Query;
    compare(key: string, operator: CloudFn.CompareOperator, value: unknown): this;
    /** Case-sensitive substring test (matches(key, /x/i) ignores case). */
    contains(key: string, text: string): this;
    /**
     * The field matches the regex (flags i, m, s, u), run in linear time: back-references and
     * lookaround are refused (err.reason E_TABLE_BAD_REGEX; docs/tables.md).
     */
    matches(key: string, regExp: RegExp): this;
    in(key: string, values: unknown[]): this;
    notIn(key: string, values: unknown[]): this;
    /** The array field holds all of the values. */
    arrayContains(key: string, values: unknown[]): this;
    isNull(key: string | string[]): this;
    isNotNull(key: string | string[]): this;
    exists(key: string | string[]): this;
    notExists(key: string | string[]): this;
    /** The object field has this top-level key. */
    hasKey(key: string, fieldName: string): this;
    /** geojson polygons that contain the point. */
    include(key: string, point: GeoPoint): this;
    /** geojson points inside the polygon. */
    within(key: string, polygon: GeoPolygon): this;
    /** geojson points within `radius` km of the point (on the sphere). */
    withinCircle(key: string, point: GeoPoint, radius: number): this;
    /** geojson points between `minDistance` and `maxDistance` metres of the point, nearest first. */
    withinRegion(key: string, point: GeoPoint, maxDistance?: number, minDistance?: number): this;
  }

  /**
   * Runs another function: `sync` (default) waits for its result; `false` starts it and
   * resolves at once with `{code: 0, data: null}`. A call refused before anything runs
   * rejects with an HError (`CloudFn.HError`): `reason` E_FUNCTION_INVOKE_LIMIT (status 429:
   * this run made its 50 calls), E_FUNCTION_INVOKE_IN_FLIGHT (429: the callee has its maximum
   * of invoked runs unfinished), E_FUNCTION_INVOKE_DEPTH (a chain too deep) or
   * E_FUNCTION_ARGUMENT_TOO_LARGE (413).
   * @throws {CloudFn.HError}
   */
  function invoke<TResult = unknown>(
    name: string,
    data?: unknown,
    sync?: boolean,
    /** cloudfn's: run it for this user (by default, for the caller's user). */
    options?: { userId?: number },
  ): Promise<CloudFn.InvokeResult<TResult>>;

  // MinCloud compatibility (docs/mincloud.md) ------------------------------------------

  /** MinCloud's user fields (`_userprofile`); custom fields are added like any table's. */
  interface UserProfile {
    id: number;
    openid: string | null;
    unionid: string | null;
    nickname: string | null;
    avatar: string | null;
    /** 0 unknown, 1 male, 2 female. */
    gender: number | null;
    city: string | null;
    province: string | null;
    country: string | null;
    language: string | null;
    is_authorized: boolean | null;
    created_at: number;
    updated_at: number;
    created_by: number | null;
    [custom: string]: unknown;
  }

  /** A point of a geojson field: longitude first, then latitude. */
  class GeoPoint {
    constructor(longitude: number, latitude: number);
    longitude: number;
    latitude: number;
    toGeoJSON(): { type: 'Point'; coordinates: [number, number] };
  }

  /** A polygon of a geojson field: a closed ring (the last point equals the first). */
  class GeoPolygon {
    constructor(points: Array<[number, number] | GeoPoint>);
    toGeoJSON(): { type: 'Polygon'; coordinates: Array<Array<[number, number]>> };
  }

  /** `new BaaS.Content(groupID)`: one content library's contents (the table API, scoped). */
  class Content extends TableObject {
    constructor(contentGroupID: number);
  }

  /** `new BaaS.ContentCategory(groupID)`: one library's categories. */
  class ContentCategory {
    constructor(contentGroupID: number);
    /** The category with `parent: {id, name} | null` and `subcategories`. */
    get(categoryID: number): Promise<CloudFn.Response<Record<string, unknown>>>;
    find(options?: {
      withCount?: boolean;
    }): Promise<CloudFn.Response<CloudFn.ListResult<Record<string, unknown>>>>;
    count(): Promise<number>;
    setQuery(query: Query): this;
    limit(value: number): this;
    offset(value: number): this;
    orderBy(keys: string | string[]): this;
    create(data: {
      name: string;
      parent?: number | null;
    }): Promise<CloudFn.Response<Record<string, unknown>>>;
    update(
      categoryID: number,
      data: { name?: string; parent?: number | null },
    ): Promise<CloudFn.Response<Record<string, unknown>>>;
  }

  /** The content libraries; `new BaaS.ContentGroup(id)` is MinCloud's deprecated form of Content. */
  class ContentGroup extends Content {
    static get(contentGroupID: number): Promise<CloudFn.Response<Record<string, unknown>>>;
    static find(options?: {
      withCount?: boolean;
      offset?: number;
      limit?: number;
    }): Promise<CloudFn.Response<CloudFn.ListResult<Record<string, unknown>>>>;
    getContent(richTextID: number): Promise<CloudFn.Response<Record<string, unknown>>>;
    getCategory(categoryID: number): Promise<CloudFn.Response<Record<string, unknown>>>;
    getCategoryList(options?: {
      withCount?: boolean;
    }): Promise<CloudFn.Response<CloudFn.ListResult<Record<string, unknown>>>>;
  }

  /** `new BaaS.User()`: the users, with the table API (get, setQuery, find, count, …). */
  class User extends TableObject<UserProfile> {
    constructor();
    /** The user the run is made for (`event.request.user`); HError 604 when there is none. */
    getCurrentUserWithoutData(): TableRecord<UserProfile>;
  }

  /** MinCloud's deprecated form of `invoke`: the invoke result comes in `data`. */
  function invokeFunction<TResult = unknown>(
    name: string,
    data?: unknown,
    sync?: boolean,
  ): Promise<CloudFn.Response<CloudFn.InvokeResult<TResult>>>;

  /** The engine's current time: `res.data.time` is ISO-8601 with its zone. */
  function getServerDate(): Promise<CloudFn.Response<{ time: string }>>;
}

// ---------------------------------------------------------------------------------------
// Globals a function has besides BaaS (merge-compatible with @types/node)
// ---------------------------------------------------------------------------------------

/** Captured into the job's log (`cloudfn logs <function>`). */
interface Console {
  log(...data: unknown[]): void;
  info(...data: unknown[]): void;
  warn(...data: unknown[]): void;
  error(...data: unknown[]): void;
  /** Logged as `log`. */
  debug(...data: unknown[]): void;
  /** Logged as `log`. */
  trace(...data: unknown[]): void;
}
// `var`, not const: it must merge with the same declaration in @types/node.
// eslint-disable-next-line no-var
declare var console: Console;

declare namespace NodeJS {
  /** The function's own env (cloudfn deploy --env, cloudfn env set), frozen. */
  interface ProcessEnv {
    [key: string]: string | undefined;
  }
  /** Only `env`: nothing else of Node's process exists in a function. */
  interface Process {
    env: ProcessEnv;
  }
}
// eslint-disable-next-line no-var
declare var process: NodeJS.Process;

/**
 * Runs `handler` once after `timeout` ms (never past the run's end: timers still pending then
 * are dropped). Throws a RangeError with `code` E_TOO_MANY_TIMERS
 * (`CloudFn.TooManyTimersError`) when the run already has 100 pending timers.
 * @throws {CloudFn.TooManyTimersError}
 */
declare function setTimeout<TArgs extends unknown[]>(
  handler: (...args: TArgs) => void,
  timeout?: number,
  ...args: TArgs
): number;
declare function clearTimeout(id: number | undefined): void;

// Globals added for issue 13 (the documented ones of docs/functions.md); URL,
// URLSearchParams, TextEncoder, TextDecoder and crypto are in sandbox-globals.d.ts.
/**
 * Runs `handler` every `timeout` ms until cleared or the run ends. Throws a RangeError with
 * `code` E_TOO_MANY_TIMERS (`CloudFn.TooManyTimersError`) past 100 pending timers.
 * @throws {CloudFn.TooManyTimersError}
 */
declare function setInterval<TArgs extends unknown[]>(
  handler: (...args: TArgs) => void,
  timeout?: number,
  ...args: TArgs
): number;
declare function clearInterval(id: number | undefined): void;
declare function queueMicrotask(callback: () => void): void;
/** Base64 → a Latin-1 string; throws on bad input. */
declare function atob(data: string): string;
/** A Latin-1 string → base64; throws on characters above U+00FF. */
declare function btoa(data: string): string;

// ---------------------------------------------------------------------------------------
// WeChat pushes (event.data of wechat_message triggers; SPEC §3)
// Every field is a string, except CreateTime (a number): ids may exceed 2^53 and codes
// may have leading zeros. `_AppId` is added by cloudfn.
// ---------------------------------------------------------------------------------------

declare namespace WeChat {
  /** Fields of every push. */
  interface Common {
    /** The official account's original id (gh_…). */
    ToUserName: string;
    /** The user's openid. */
    FromUserName: string;
    /** Unix seconds. */
    CreateTime: number;
    MsgType: string;
    /** The AppID the push came in for (added by cloudfn). */
    _AppId: string;
    /** Any other element of the push, as pushed. */
    [field: string]: unknown;
  }

  /** Ordinary messages carry a 64-bit MsgId (a string) and, from an article, MsgDataId/Idx. */
  interface MessageBase extends Common {
    MsgId: string;
    MsgDataId?: string;
    Idx?: string;
  }

  interface TextMessage extends MessageBase {
    MsgType: 'text';
    Content: string;
  }
  interface ImageMessage extends MessageBase {
    MsgType: 'image';
    PicUrl: string;
    MediaId: string;
  }
  interface VoiceMessage extends MessageBase {
    MsgType: 'voice';
    MediaId: string;
    /** amr or speex. */
    Format: string;
    MediaId16K?: string;
    /** Legacy speech recognition; now reported empty. */
    Recognition?: string;
  }
  interface VideoMessage extends MessageBase {
    MsgType: 'video' | 'shortvideo';
    MediaId: string;
    ThumbMediaId: string;
  }
  interface LocationMessage extends MessageBase {
    MsgType: 'location';
    Location_X: string;
    Location_Y: string;
    Scale: string;
    Label: string;
  }
  interface LinkMessage extends MessageBase {
    MsgType: 'link';
    Title: string;
    Description: string;
    Url: string;
  }

  type Message =
    TextMessage | ImageMessage | VoiceMessage | VideoMessage | LocationMessage | LinkMessage;

  interface EventBase extends Common {
    MsgType: 'event';
    Event: string;
  }

  /** A follow. Through a parametric QR code: EventKey `qrscene_<scene>` and a Ticket. */
  interface SubscribeEvent extends EventBase {
    Event: 'subscribe';
    EventKey?: string;
    Ticket?: string;
  }
  interface UnsubscribeEvent extends EventBase {
    Event: 'unsubscribe';
    EventKey?: string;
  }
  /** A follower scanned a parametric QR code; EventKey is the scene (keep it a string). */
  interface ScanEvent extends EventBase {
    Event: 'SCAN';
    EventKey: string;
    Ticket: string;
  }
  interface LocationEvent extends EventBase {
    Event: 'LOCATION';
    Latitude: string;
    Longitude: string;
    Precision: string;
  }
  interface ClickEvent extends EventBase {
    Event: 'CLICK';
    EventKey: string;
  }
  interface ViewEvent extends EventBase {
    Event: 'VIEW';
    /** The URL opened. */
    EventKey: string;
    MenuId?: string;
  }
  /** A template message was delivered, or not. Note MsgID with a capital D. */
  interface TemplateSendJobFinishEvent extends EventBase {
    Event: 'TEMPLATESENDJOBFINISH';
    MsgID: string;
    /** `success`, `failed:user block`, `failed: system failed`, … */
    Status: string;
  }

  // Card (卡券) events.
  interface CardPassCheckEvent extends EventBase {
    Event: 'card_pass_check' | 'card_not_pass_check';
    CardId: string;
    RefuseReason?: string;
  }
  interface UserGetCardEvent extends EventBase {
    Event: 'user_get_card';
    CardId: string;
    IsGiveByFriend: string;
    UserCardCode: string;
    FriendUserName?: string;
    OuterId?: string;
    OldUserCardCode?: string;
    OuterStr?: string;
    IsRestoreMemberCard?: string;
    IsRecommendByFriend?: string;
    UnionId?: string;
  }
  interface UserGiftingCardEvent extends EventBase {
    Event: 'user_gifting_card';
    CardId: string;
    UserCardCode: string;
    IsReturnBack: string;
    FriendUserName: string;
    IsChatRoom: string;
  }
  interface UserDelCardEvent extends EventBase {
    Event: 'user_del_card';
    CardId: string;
    UserCardCode: string;
  }
  /** A coupon was redeemed (核销). */
  interface UserConsumeCardEvent extends EventBase {
    Event: 'user_consume_card';
    CardId: string;
    UserCardCode: string;
    /** FROM_API, FROM_MP, FROM_MOBILE_HELPER, … */
    ConsumeSource: string;
    LocationName: string;
    StaffOpenId: string;
    VerifyCode: string;
    RemarkAmount: string;
    OuterStr: string;
  }
  interface UserPayFromPayCellEvent extends EventBase {
    Event: 'user_pay_from_pay_cell';
    CardId: string;
    UserCardCode: string;
    TransId: string;
    LocationId: string;
    /** In fen. */
    Fee: string;
    OriginalFee: string;
  }
  interface UserViewCardEvent extends EventBase {
    Event: 'user_view_card';
    CardId: string;
    UserCardCode: string;
    OuterStr?: string;
  }
  interface UserEnterSessionFromCardEvent extends EventBase {
    Event: 'user_enter_session_from_card';
    CardId: string;
    UserCardCode: string;
  }
  interface UpdateMemberCardEvent extends EventBase {
    Event: 'update_member_card';
    CardId: string;
    UserCardCode: string;
    ModifyBonus: string;
    ModifyBalance: string;
  }
  interface CardSkuRemindEvent extends EventBase {
    Event: 'card_sku_remind';
    CardId: string;
    Detail: string;
  }
  interface CardPayOrderEvent extends EventBase {
    Event: 'card_pay_order';
    OrderId: string;
    Status: string;
    CreateOrderTime: string;
    PayFinishTime: string;
    Desc: string;
    FreeCoinCount: string;
    PayCoinCount: string;
    RefundFreeCoinCount: string;
    RefundPayCoinCount: string;
    OrderType: string;
    Memo: string;
    ReceiptInfo: string;
  }
  interface SubmitMembercardUserInfoEvent extends EventBase {
    Event: 'submit_membercard_user_info';
    CardId: string;
    /** May have leading zeros. */
    UserCardCode: string;
  }

  type CardEvent =
    | CardPassCheckEvent
    | UserGetCardEvent
    | UserGiftingCardEvent
    | UserDelCardEvent
    | UserConsumeCardEvent
    | UserPayFromPayCellEvent
    | UserViewCardEvent
    | UserEnterSessionFromCardEvent
    | UpdateMemberCardEvent
    | CardSkuRemindEvent
    | CardPayOrderEvent
    | SubmitMembercardUserInfoEvent;

  type Event =
    | SubscribeEvent
    | UnsubscribeEvent
    | ScanEvent
    | LocationEvent
    | ClickEvent
    | ViewEvent
    | TemplateSendJobFinishEvent
    | CardEvent;

  /** Any push: narrow on MsgType, then Event. */
  type Push = Message | Event;

  // Passive replies: return `{reply: …}` from a `"reply": true` trigger's function.
  // cloudfn fills ToUserName, FromUserName and CreateTime. Media fields may also sit at the
  // top level (`{MsgType: 'image', MediaId}`).
  interface TextReply {
    MsgType: 'text';
    Content: string;
  }
  type ImageReply =
    { MsgType: 'image'; Image: { MediaId: string } } | { MsgType: 'image'; MediaId: string };
  type VoiceReply =
    { MsgType: 'voice'; Voice: { MediaId: string } } | { MsgType: 'voice'; MediaId: string };
  interface VideoFields {
    MediaId: string;
    Title?: string;
    Description?: string;
  }
  type VideoReply = { MsgType: 'video'; Video: VideoFields } | ({ MsgType: 'video' } & VideoFields);
  interface MusicFields {
    Title?: string;
    Description?: string;
    MusicUrl?: string;
    HQMusicUrl?: string;
    ThumbMediaId: string;
  }
  type MusicReply = { MsgType: 'music'; Music: MusicFields } | ({ MsgType: 'music' } & MusicFields);
  /** 1 to 8 articles (WeChat shows only the first in answer to a user's message). */
  interface NewsReply {
    MsgType: 'news';
    ArticleCount?: number;
    Articles: Array<{ Title?: string; Description?: string; PicUrl?: string; Url?: string }>;
  }
  /** Hands the conversation to customer service (客服), optionally to one account. */
  interface TransferCustomerServiceReply {
    MsgType: 'transfer_customer_service';
    TransInfo?: { KfAccount?: string };
  }
  type Reply =
    | TextReply
    | ImageReply
    | VoiceReply
    | VideoReply
    | MusicReply
    | NewsReply
    | TransferCustomerServiceReply;
}

// ---------------------------------------------------------------------------------------
// Calling WeChat and HTTP out (docs/wechat.md "Calling WeChat", docs/functions.md)
// ---------------------------------------------------------------------------------------

declare namespace CloudFn {
  /** The last argument of every WeChat call: which account (else the pushing or only one). */
  interface WechatCallOptions {
    appId?: string;
  }
  /** WeChat's answer when `errcode` is 0 (other errcodes reject). */
  interface WechatAnswer {
    errcode?: number;
    errmsg?: string;
    [key: string]: unknown;
  }
  /** A rejected WeChat call: `code` WeChat's errcode, `message` its errmsg, `reason` stable. */
  interface WechatError extends Error {
    code: number | string;
    reason?: string;
  }
  type TemplateData = Record<string, { value: string; color?: string }>;
  interface TemplateMessage {
    touser: string;
    template_id: string;
    url?: string;
    miniprogram?: { appid: string; pagepath?: string };
    client_msg_id?: string;
    data: TemplateData;
  }
  interface SubscribeMessage {
    touser: string;
    template_id: string;
    page?: string;
    miniprogram_state?: 'developer' | 'trial' | 'formal';
    lang?: 'zh_CN' | 'en_US' | 'zh_HK' | 'zh_TW';
    data: TemplateData;
  }
  /** MinCloud's form: users by id, looked up in the `userprofile` table (user_id → openid). */
  interface MinCloudTemplateMessage {
    recipient_type: 'user_id' | 'user_list' | 'openid';
    user_id?: number | string;
    user_list?: Array<number | string>;
    openid?: string;
    openid_list?: string[];
    template_id: string;
    keywords: TemplateData;
    page?: string;
    submission_type?: string;
    miniprogram_appid?: string;
    miniprogram_state?: 'developer' | 'trial' | 'formal';
  }
  interface MinCloudSendResult {
    status: 200;
    data: {
      status: 'ok';
      total: number;
      sent: number;
      failed: Array<{
        user_id: unknown;
        openid: string;
        code: number;
        reason: string;
        message: string;
      }>;
    };
  }
  type CustomerMessage = { touser: string; customservice?: { kf_account: string } } & (
    | { msgtype: 'text'; text: { content: string } }
    | { msgtype: 'image'; image: { media_id: string } }
    | { msgtype: 'voice'; voice: { media_id: string } }
    | {
        msgtype: 'video';
        video: { media_id: string; thumb_media_id?: string; title?: string; description?: string };
      }
    | {
        msgtype: 'news';
        news: {
          articles: Array<{ title?: string; description?: string; url?: string; picurl?: string }>;
        };
      }
    | {
        msgtype: 'miniprogrampage';
        miniprogrampage: {
          title: string;
          appid?: string;
          pagepath: string;
          thumb_media_id: string;
        };
      }
    | { msgtype: 'mpnews'; mpnews: { media_id: string } }
    | { msgtype: 'wxcard'; wxcard: { card_id: string } }
  );
  interface AxiosLikeConfig {
    url?: string;
    method?: 'get' | 'post' | 'put' | 'patch' | 'delete' | 'head' | 'options' | string;
    baseURL?: string;
    data?: unknown;
    headers?: Record<string, string>;
    params?: Record<string, unknown>;
    /** Milliseconds (10 s when unset, within the run's HTTP time). */
    timeout?: number;
    responseType?: 'json' | 'text' | 'arraybuffer';
    /** 0: do not follow redirects. */
    maxRedirects?: number;
    validateStatus?: (status: number) => boolean;
  }
  interface AxiosLikeResponse<T = unknown> {
    status: number;
    statusText: string;
    headers: Record<string, string>;
    data: T;
    config: AxiosLikeConfig;
  }
  interface FetchInit {
    method?: string;
    headers?: Record<string, string> | Array<[string, string]> | FetchHeaders;
    body?: string | Uint8Array | ArrayBuffer | { toString(): string } | null;
    redirect?: 'follow' | 'manual' | 'error';
  }
  interface FetchHeaders {
    get(name: string): string | null;
    has(name: string): boolean;
    set(name: string, value: string): void;
    append(name: string, value: string): void;
    delete(name: string): void;
    forEach(callback: (value: string, name: string) => void): void;
  }
  interface FetchResponse {
    readonly status: number;
    readonly statusText: string;
    readonly ok: boolean;
    readonly headers: FetchHeaders;
    readonly url: string;
    readonly redirected: boolean;
    readonly bodyUsed: boolean;
    text(): Promise<string>;
    json(): Promise<unknown>;
    arrayBuffer(): Promise<ArrayBuffer>;
    bytes(): Promise<Uint8Array>;
    clone(): FetchResponse;
  }
}

declare namespace BaaS {
  /** MinCloud's `wxAccessToken(event.signKey)`: the engine's shared token (the key is not needed). */
  function wxAccessToken(
    signKey?: string,
    options?: CloudFn.WechatCallOptions,
  ): Promise<{ access_token: string; expires_in: number }>;
  /** MinCloud's text check (WeChat msgSecCheck); with `openid`, WeChat's version 2. */
  function wxCensorText(
    text: string,
    options?: CloudFn.WechatCallOptions & { openid?: string; scene?: 1 | 2 | 3 | 4 },
  ): Promise<{
    status: 200;
    data: { risky: boolean; result?: { suggest: string; label: number } };
  }>;
  /** MinCloud's name; takes WeChat's template-message body or MinCloud's recipients form. */
  function sendTemplateMessage(
    data: CloudFn.TemplateMessage,
    options?: CloudFn.WechatCallOptions,
  ): Promise<CloudFn.WechatAnswer>;
  function sendTemplateMessage(
    data: CloudFn.MinCloudTemplateMessage,
    options?: CloudFn.WechatCallOptions,
  ): Promise<CloudFn.MinCloudSendResult>;

  namespace wechat {
    function accessToken(
      signKey?: string,
      options?: CloudFn.WechatCallOptions,
    ): Promise<{ access_token: string; expires_in: number }>;
    const censorText: typeof BaaS.wxCensorText;
    /** 客服消息: /cgi-bin/message/custom/send (within 48 h of the user's last message). */
    function sendCustomerMessage(
      message: CloudFn.CustomerMessage,
      options?: CloudFn.WechatCallOptions,
    ): Promise<CloudFn.WechatAnswer>;
    /** 模板消息 (official accounts): /cgi-bin/message/template/send. */
    function sendTemplateMessage(
      data: CloudFn.TemplateMessage,
      options?: CloudFn.WechatCallOptions,
    ): Promise<CloudFn.WechatAnswer>;
    function sendTemplateMessage(
      data: CloudFn.MinCloudTemplateMessage,
      options?: CloudFn.WechatCallOptions,
    ): Promise<CloudFn.MinCloudSendResult>;
    /** 订阅消息 (mini-programs): /cgi-bin/message/subscribe/send. */
    function sendSubscribeMessage(
      data: CloudFn.SubscribeMessage,
      options?: CloudFn.WechatCallOptions,
    ): Promise<CloudFn.WechatAnswer>;
    function sendSubscribeMessage(
      data: CloudFn.MinCloudTemplateMessage,
      options?: CloudFn.WechatCallOptions,
    ): Promise<CloudFn.MinCloudSendResult>;
    /** /cgi-bin/user/info. */
    function getUserInfo(
      openid: string,
      options?: CloudFn.WechatCallOptions & { lang?: 'zh_CN' | 'zh_TW' | 'en' },
    ): Promise<CloudFn.WechatAnswer>;
    /** 临时素材 /cgi-bin/media/upload: `data` as bytes or base64; resolves `{type, media_id, created_at}`. */
    function uploadMedia(
      media: {
        type: 'image' | 'voice' | 'video' | 'thumb';
        data: Uint8Array | ArrayBuffer | string;
        filename?: string;
        contentType?: string;
      },
      options?: CloudFn.WechatCallOptions,
    ): Promise<{ type: string; media_id: string; created_at: number }>;
    /** Answers the user who pushed `event` with a customer-service message (no 5 s budget). */
    function reply(
      event: CloudFn.Event<unknown>,
      message: string | WeChat.Reply | Omit<CloudFn.CustomerMessage, 'touser'>,
      options?: CloudFn.WechatCallOptions,
    ): Promise<CloudFn.WechatAnswer>;
    /** Any other API path (`/cgi-bin/menu/get`, …) with the token filled in and refreshed. */
    function call(
      path: string,
      options?: CloudFn.WechatCallOptions & {
        method?: 'GET' | 'POST';
        query?: Record<string, string | number>;
        body?: unknown;
      },
    ): Promise<CloudFn.WechatAnswer>;
  }

  /** MinCloud's BaaS.request (axios-shaped), through the engine's SSRF guard and limits. */
  const request: {
    <T = unknown>(config: CloudFn.AxiosLikeConfig): Promise<CloudFn.AxiosLikeResponse<T>>;
    <T = unknown>(
      url: string,
      config?: CloudFn.AxiosLikeConfig,
    ): Promise<CloudFn.AxiosLikeResponse<T>>;
    request<T = unknown>(config: CloudFn.AxiosLikeConfig): Promise<CloudFn.AxiosLikeResponse<T>>;
    get<T = unknown>(
      url: string,
      config?: CloudFn.AxiosLikeConfig,
    ): Promise<CloudFn.AxiosLikeResponse<T>>;
    delete<T = unknown>(
      url: string,
      config?: CloudFn.AxiosLikeConfig,
    ): Promise<CloudFn.AxiosLikeResponse<T>>;
    head<T = unknown>(
      url: string,
      config?: CloudFn.AxiosLikeConfig,
    ): Promise<CloudFn.AxiosLikeResponse<T>>;
    options<T = unknown>(
      url: string,
      config?: CloudFn.AxiosLikeConfig,
    ): Promise<CloudFn.AxiosLikeResponse<T>>;
    post<T = unknown>(
      url: string,
      data?: unknown,
      config?: CloudFn.AxiosLikeConfig,
    ): Promise<CloudFn.AxiosLikeResponse<T>>;
    put<T = unknown>(
      url: string,
      data?: unknown,
      config?: CloudFn.AxiosLikeConfig,
    ): Promise<CloudFn.AxiosLikeResponse<T>>;
    patch<T = unknown>(
      url: string,
      data?: unknown,
      config?: CloudFn.AxiosLikeConfig,
    ): Promise<CloudFn.AxiosLikeResponse<T>>;
  };
}

/** The standard fetch (a buffered subset), through the engine's SSRF guard and limits. */
declare function fetch(input: string, init?: CloudFn.FetchInit): Promise<CloudFn.FetchResponse>;
