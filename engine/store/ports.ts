/**
 * Ports of the engine's own state (accounts, functions, triggers, jobs, logs, inbox, queue).
 * SQLite implements them today (engine/store/sqlite/); PostgreSQL and a Redis-backed queue
 * are meant to implement the same interfaces later. Times are unix milliseconds here; the
 * HTTP layer renders them as ISO-8601.
 */
import type { JobStatus, SerializedError, LogLine } from '../../runtime/sandbox.ts';

export type AccountMode = 'plain' | 'compatible' | 'safe';

export interface AccountRecord {
  appId: string;
  token: string;
  encodingAESKey: string | null;
  previousEncodingAESKey: string | null;
  mode: AccountMode;
  /** For WeChat API calls (access tokens); null when not given. Stored encrypted. */
  appSecret: string | null;
  createdAt: number;
  updatedAt: number;
}

export interface AccountStore {
  put(account: Omit<AccountRecord, 'createdAt' | 'updatedAt'>, now: number): AccountRecord;
  get(appId: string): AccountRecord | undefined;
  list(): AccountRecord[];
  delete(appId: string): boolean;
}

export interface FunctionVersionRecord {
  name: string;
  version: number;
  code: string;
  sha256: string;
  timeoutMs: number;
  memoryMb: number;
  env: Record<string, string>;
  createdAt: number;
}

export interface FunctionRecord {
  name: string;
  activeVersion: number;
  createdAt: number;
  updatedAt: number;
}

export interface NewFunctionVersion {
  code: string;
  sha256: string;
  timeoutMs: number;
  memoryMb: number;
  env: Record<string, string>;
}

export interface FunctionStore {
  /** Stores a new numbered version and makes it active. */
  deploy(
    name: string,
    version: NewFunctionVersion,
    now: number,
  ): { fn: FunctionRecord; version: FunctionVersionRecord; created: boolean };
  get(name: string): FunctionRecord | undefined;
  getVersion(name: string, version: number): FunctionVersionRecord | undefined;
  getActive(name: string): FunctionVersionRecord | undefined;
  list(): FunctionRecord[];
  listVersions(name: string): FunctionVersionRecord[];
  activate(name: string, version: number, now: number): FunctionRecord;
  delete(name: string): boolean;
}

export interface JobRecord {
  id: string;
  function: string;
  version: number;
  source: string;
  status: JobStatus;
  createdAt: number;
  finishedAt: number | null;
  durationMs: number | null;
  cpuMs: number | null;
  memoryBytes: number | null;
  data: unknown;
  result: unknown;
  error: SerializedError | null;
  log: LogLine[];
  triggerName: string | null;
  triggerLogId: string | null;
}

export interface JobFilter {
  function: string;
  status?: string;
  source?: string;
  limit: number;
  offset: number;
}

export interface JobStore {
  create(
    job: Pick<
      JobRecord,
      | 'id'
      | 'function'
      | 'version'
      | 'source'
      | 'status'
      | 'createdAt'
      | 'data'
      | 'triggerName'
      | 'triggerLogId'
    >,
  ): void;
  finish(
    id: string,
    outcome: Pick<
      JobRecord,
      'status' | 'finishedAt' | 'durationMs' | 'cpuMs' | 'memoryBytes' | 'result' | 'error' | 'log'
    >,
  ): void;
  get(id: string): JobRecord | undefined;
  list(filter: JobFilter): { total: number; objects: JobRecord[] };
  /**
   * At start: jobs a previous process left `executing` (it died mid-run) end
   * `execution_failed` with E_ENGINE_RESTARTED. Their firings run again from the queue.
   */
  failInterrupted(now: number): number;
  /**
   * Looks at the `limit` oldest jobs and deletes those created before `before` and finished;
   * returns how many went (0: nothing old is left). Called in batches by the job retention,
   * off the hot path.
   */
  pruneBatch(before: number, limit: number): number;
}

export interface StoredTrigger {
  name: string;
  type: string;
  enabled: boolean;
  /** The validated definition as JSON (engine/triggers owns its shape). */
  definition: Record<string, unknown>;
  /** SHA-256 (hex) of the incoming-webhook key: the key itself is never stored. */
  webhookKeyHash: string | null;
  /** The key's last 4 characters, shown as a hint. */
  webhookKeyHint: string | null;
  /**
   * A new key in clear. Given to `create`/`replace`, it is stored as its hash and hint; the
   * record those return carries it, so the one answer that made it can show it. Reads never have it.
   */
  webhookKey?: string;
  createdAt: number;
  updatedAt: number;
}

export interface TriggerStore {
  create(trigger: Omit<StoredTrigger, 'createdAt' | 'updatedAt'>, now: number): StoredTrigger;
  replace(trigger: Omit<StoredTrigger, 'createdAt' | 'updatedAt'>, now: number): StoredTrigger;
  get(name: string): StoredTrigger | undefined;
  getByWebhookKey(key: string): StoredTrigger | undefined;
  list(): StoredTrigger[];
  delete(name: string): boolean;
}

export type TriggerLogStatus = 'pending' | 'succeeded' | 'failed' | 'dead_letter';

export interface TriggerLogRecord {
  id: string;
  trigger: string;
  triggeredAt: number;
  event: unknown;
  inboxId: string | null;
  actionIndex: number;
  action: Record<string, unknown>;
  status: TriggerLogStatus;
  attempts: number;
  errorType: string | null;
  error: string | null;
  jobId: string | null;
  durationMs: number | null;
  updatedAt: number;
}

export interface TriggerLogFilter {
  /** One trigger's logs; all triggers' when absent. */
  trigger?: string;
  status?: string;
  /** Fired at or after (unix ms). */
  since?: number;
  /** Fired before (unix ms). */
  until?: number;
  /** Fields of the event (the push): MsgId/MsgID, FromUserName, Event (or a table write's `event`). */
  msgId?: string;
  fromUserName?: string;
  event?: string;
  limit: number;
  offset: number;
}

export interface TriggerLogStore {
  get(id: string): TriggerLogRecord | undefined;
  list(filter: TriggerLogFilter): { total: number; objects: TriggerLogRecord[] };
  update(
    id: string,
    patch: Partial<
      Pick<TriggerLogRecord, 'status' | 'attempts' | 'errorType' | 'error' | 'jobId' | 'durationMs'>
    >,
    now: number,
  ): void;
  /** Writes a finished log row in one go (passive replies run outside the queue). */
  insertFinished(record: TriggerLogRecord): void;
  /**
   * Drops finished rows (succeeded, dead_letter) fired before `before`, except the latest of
   * each trigger action, which frequency rules (`once`) still read. Returns how many.
   */
  prune(before: number): number;
}

/** One accepted push or incoming event, durable before it is answered. */
export interface InboxEntry {
  id: string;
  source: 'wechat_message' | 'webhook' | 'timer' | 'table';
  /** appId for pushes, trigger name for webhooks and timers, table name for table changes. */
  key: string;
  dedupKey: string | null;
  data: unknown;
  /** `data` already serialised by the intake, written as is (saves a second JSON.stringify). */
  dataJson?: string;
  receivedAt: number;
}

/** An entry as `pending` reads it: `unreadable` says why its stored data could not be read. */
export interface PendingInboxEntry extends InboxEntry {
  unreadable?: string;
}

/** Where an inbox entry stands: waiting, moved to the queue, or set aside by a failed dispatch. */
export type InboxStatus = 'pending' | 'dispatched' | 'dispatch_failed';

/** What the admin API shows of an inbox entry (not its data, which may be large or unreadable). */
export interface InboxSummary {
  id: string;
  source: InboxEntry['source'];
  key: string;
  receivedAt: number;
  status: InboxStatus;
  /** Why its dispatch failed (dispatch_failed only). */
  error: string | null;
  failedAt: number | null;
}

export interface Inbox {
  /** Stores the entry unless its dedup key was seen; returns whether it was new. */
  accept(entry: InboxEntry): boolean;
  /**
   * Stores several entries in ONE transaction (group commit); returns, in order, whether each
   * was new. A repeated dedup key within the batch counts as seen. Durable once `sync()`
   * called after it resolves: answer nobody before.
   */
  acceptMany(entries: InboxEntry[]): boolean[];
  /**
   * Resolves once every entry accepted before the call is durable (SQLite: an fsync of the
   * log off the event loop; stores whose commits are durable already resolve at once).
   */
  sync(): Promise<void>;
  /** Entries not yet dispatched (nor set aside), oldest first. */
  pending(limit: number): PendingInboxEntry[];
  /**
   * Sets a pending entry aside as `dispatch_failed` with its error: `pending` no longer
   * returns it (so the entries after it flow), retention keeps it, `replay` puts it back.
   */
  setAside(id: string, error: string, at: number): void;
  /** Entries newest first, optionally of one status, with the total count. */
  list(query: { status?: InboxStatus; limit: number; offset: number }): {
    total: number;
    objects: InboxSummary[];
  };
  get(id: string): InboxSummary | undefined;
  /** Makes a `dispatch_failed` entry pending again; false if it is not set aside. */
  replay(id: string): boolean;
  /**
   * Drops dispatched entries (and so their dedup keys) received before the given time;
   * entries not yet dispatched are kept whatever their age. Returns how many were dropped.
   */
  prune(before: number): number;
}

/**
 * How accepted events are written: resolves (to whether the entry was new) only once the
 * entry is durable. The engine uses one group-committing writer for every source.
 */
export interface InboxWriter {
  accept(entry: InboxEntry): Promise<boolean>;
}

/** A unit of delivery: one action of one trigger firing, with its attempts. */
export interface QueueItem {
  id: string;
  triggerLogId: string;
  trigger: string;
  actionIndex: number;
  action: Record<string, unknown>;
  event: unknown;
  eventType: string;
  attempts: number;
  runAt: number;
  /**
   * The concurrency lane the runner caps: `function:<name>` for function actions (however
   * many triggers call the function), `action:<trigger>#<index>` for the others.
   */
  lane: string;
}

export interface NewFiring {
  logId: string;
  trigger: string;
  actionIndex: number;
  action: Record<string, unknown>;
  event: unknown;
  eventType: string;
  /**
   * A frequency rule: the firing is enqueued only if `admit` allows it given when this
   * action last fired (at or after `since`), read in the same transaction as the insert, so
   * a burst cannot slip several firings past `once` or `atMostEvery`.
   */
  guard?: { since: number; admit: (lastFiredAt: number | undefined) => boolean };
}

/** Per-lane caps for claimDue: at most `perLane` running in a lane, counting `running`. */
export interface LaneCaps {
  perLane: number;
  running: ReadonlyMap<string, number>;
}

export interface Queue {
  /**
   * Marks the inbox entry dispatched and enqueues its firings, with one `pending`
   * trigger log row each, in one transaction (nothing is half-dispatched).
   */
  dispatch(inboxId: string | null, firings: NewFiring[], now: number): void;
  /**
   * Claims up to `limit` items due at `now`, oldest first, and with `lanes` no more per lane
   * than its cap leaves room for; claimed items are not handed out again.
   */
  claimDue(now: number, limit: number, lanes?: LaneCaps): QueueItem[];
  /** Earliest run time among items not claimed, if any. */
  nextRunAt(): number | undefined;
  complete(id: string): void;
  retryAt(id: string, runAt: number): void;
  remove(id: string): void;
  /** Puts a dead-lettered firing back in the queue with fresh attempts. */
  replay(logId: string, now: number): boolean;
  /** True while a firing of this trigger waits in the inbox or the queue, or runs. */
  hasUnfinished(trigger: string): boolean;
  /** After a crash, claimed-but-unfinished items become due again (at-least-once). */
  releaseClaims(): number;
}

/** The access token of one account, shared by every function (and, later, every process). */
export interface StoredAccessToken {
  accessToken: string;
  /** Unix ms. */
  expiresAt: number;
  fetchedAt: number;
}

/** Access tokens and their fetch counts per account and (Beijing) day: WeChat's daily quota. */
export interface TokenStore {
  get(appId: string): StoredAccessToken | undefined;
  put(appId: string, token: StoredAccessToken): void;
  delete(appId: string): void;
  countFetch(appId: string, day: string, ok: boolean): void;
  fetchCounts(appId: string, day: string): { fetches: number; failures: number };
}

export interface EngineStore {
  accounts: AccountStore;
  accessTokens: TokenStore;
  functions: FunctionStore;
  jobs: JobStore;
  triggers: TriggerStore;
  triggerLogs: TriggerLogStore;
  inbox: Inbox;
  queue: Queue;
  /** Key/value settings of the engine itself (e.g. the generated admin token). */
  settings: { get(key: string): string | undefined; set(key: string, value: string): void };
  close(): void;
}
