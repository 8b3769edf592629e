/**
 * Ports of the engine's own state: accounts, functions, triggers, jobs, settings, and the
 * delivery log (accepted events, their firings, the queue of attempts). SQLite implements
 * them (engine/store/sqlite/), PostgreSQL too (engine/store/postgres/). Every method returns
 * a promise: a network database answers later; SQLite keeps its speed behind the port.
 * Times are unix milliseconds here; the HTTP layer renders them as ISO-8601.
 *
 * Each operation of the delivery log is one transaction in any backend: nothing is ever
 * half-accepted, half-dispatched or half-completed. Backends that write bookkeeping behind
 * (SQLite, see sqlite/write-behind.ts) say so per method: their promise then means "ordered
 * and visible to every later call of this store; durable with the next accept"; a crash can
 * only lose a suffix of such steps, which makes delivery run again (at least once), never
 * lose an accepted event.
 */
import type { JobStatus, SerializedError, LogLine, EventType } from '../../runtime/sandbox.ts';
import type { Action, TriggerDefinition } from '../triggers/types.ts';

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
  put(account: Omit<AccountRecord, 'createdAt' | 'updatedAt'>, now: number): Promise<AccountRecord>;
  get(appId: string): Promise<AccountRecord | undefined>;
  list(): Promise<AccountRecord[]>;
  delete(appId: string): Promise<boolean>;
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
  /** Stores a new numbered version and makes it active (one transaction). */
  deploy(
    name: string,
    version: NewFunctionVersion,
    now: number,
  ): Promise<{ fn: FunctionRecord; version: FunctionVersionRecord; created: boolean }>;
  get(name: string): Promise<FunctionRecord | undefined>;
  getVersion(name: string, version: number): Promise<FunctionVersionRecord | undefined>;
  getActive(name: string): Promise<FunctionVersionRecord | undefined>;
  list(): Promise<FunctionRecord[]>;
  listVersions(name: string): Promise<FunctionVersionRecord[]>;
  activate(name: string, version: number, now: number): Promise<FunctionRecord>;
  delete(name: string): Promise<boolean>;
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
  /**
   * The event the function ran on. A job of a trigger firing keeps no copy: it names the
   * inbox entry (`inboxId`) and reads join its data back; `null` if that entry is gone.
   */
  data: unknown;
  /** The inbox entry whose event this job ran on (trigger firings); null for direct runs. */
  inboxId: string | null;
  result: unknown;
  error: SerializedError | null;
  log: LogLine[];
  triggerName: string | null;
  triggerLogId: string | null;
}

/** A job as it starts: `data` is stored only when no inbox entry holds it (`inboxId` null). */
export type NewJob = Pick<
  JobRecord,
  | 'id'
  | 'function'
  | 'version'
  | 'source'
  | 'status'
  | 'createdAt'
  | 'data'
  | 'inboxId'
  | 'triggerName'
  | 'triggerLogId'
>;

export type JobOutcome = Pick<
  JobRecord,
  'status' | 'finishedAt' | 'durationMs' | 'cpuMs' | 'memoryBytes' | 'result' | 'error' | 'log'
>;

export interface JobFilter {
  function: string;
  status?: string;
  source?: string;
  limit: number;
  offset: number;
}

export interface JobStore {
  /** Bookkeeping: SQLite writes it behind (see the top of this file). */
  create(job: NewJob): Promise<void>;
  /**
   * Bookkeeping: SQLite writes it behind (see the top of this file). May be called before
   * the job's `create` has settled: the store writes it after the create, never before.
   */
  finish(id: string, outcome: JobOutcome): Promise<void>;
  get(id: string): Promise<JobRecord | undefined>;
  list(filter: JobFilter): Promise<{ total: number; objects: JobRecord[] }>;
  /**
   * At start: jobs a previous process left `executing` (it died mid-run) end
   * `execution_failed` with E_ENGINE_RESTARTED. Their firings run again from the queue.
   * A backend one process owns (SQLite) ends every such job; a shared one only those no live
   * process runs (e.g. whose firing's lease has expired, or none).
   */
  failInterrupted(now: number): Promise<number>;
  /**
   * Looks at the `limit` oldest jobs and deletes those created before `before` and finished;
   * returns how many went (0: nothing old is left). Called in batches by the job retention,
   * off the hot path.
   */
  pruneBatch(before: number, limit: number): Promise<number>;
}

export interface StoredTrigger {
  name: string;
  type: TriggerDefinition['type'];
  enabled: boolean;
  /** The validated definition (engine/triggers owns its shape), stored as JSON. */
  definition: TriggerDefinition;
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
  create(
    trigger: Omit<StoredTrigger, 'createdAt' | 'updatedAt'>,
    now: number,
  ): Promise<StoredTrigger>;
  replace(
    trigger: Omit<StoredTrigger, 'createdAt' | 'updatedAt'>,
    now: number,
  ): Promise<StoredTrigger>;
  get(name: string): Promise<StoredTrigger | undefined>;
  getByWebhookKey(key: string): Promise<StoredTrigger | undefined>;
  list(): Promise<StoredTrigger[]>;
  delete(name: string): Promise<boolean>;
}

/** The access token of one account, shared by every function (and every process). */
export interface StoredAccessToken {
  accessToken: string;
  /** Unix ms. */
  expiresAt: number;
  fetchedAt: number;
}

/** Access tokens and their fetch counts per account and (Beijing) day: WeChat's daily quota. */
export interface TokenStore {
  get(appId: string): Promise<StoredAccessToken | undefined>;
  put(appId: string, token: StoredAccessToken): Promise<void>;
  delete(appId: string): Promise<void>;
  countFetch(appId: string, day: string, ok: boolean): Promise<void>;
  fetchCounts(appId: string, day: string): Promise<{ fetches: number; failures: number }>;
}

/** Key/value settings of the engine itself (e.g. the generated admin token). */
export interface SettingsStore {
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string): Promise<void>;
}

// ---------------------------------------------------------------------------------------
// The delivery log: the inbox (accepted events), trigger logs (one row per firing of one
// action) and the queue (attempts due). They share transactions, so they are one port.
// ---------------------------------------------------------------------------------------

export type InboxSource = 'wechat_message' | 'webhook' | 'timer' | 'table';

/** One accepted push or incoming event, durable before it is answered. */
export interface InboxEntry {
  id: string;
  source: InboxSource;
  /** appId for pushes, trigger name for webhooks and timers, table name for table changes. */
  key: string;
  /** Unique per (source, key) when set: a second entry with it is not stored. */
  dedupKey: string | null;
  data: unknown;
  /** `data` already serialised by the intake, written as is (saves a second JSON.stringify). */
  dataJson?: string;
  receivedAt: number;
  /**
   * Dispatched in its accept's own transaction: when the entry is new it is stored already
   * dispatched, with these firings' trigger log rows and queue items written as `dispatch`
   * writes them (triggered and due at the latest `receivedAt` of the entries accepted
   * together; claimed where `claimedBy` says), all admitted. None may carry a frequency
   * guard (such an entry goes through `dispatch`). Absent: stored pending.
   */
  firings?: NewFiring[];
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
  source: InboxSource;
  key: string;
  receivedAt: number;
  status: InboxStatus;
  /** Why its dispatch failed (dispatch_failed only). */
  error: string | null;
  failedAt: number | null;
}

/**
 * A frequency rule as data, so that a backend decides it inside the dispatch transaction
 * (PostgreSQL under a lock per trigger action): the firing is admitted only if this action's
 * last firing at or after `since` (when the trigger was last saved: saving resets it)
 * - `once`: does not exist;
 * - `atMostEvery`: does not exist, or is `ms` or more before the dispatch's `now` (a firing
 *   in the future of `now`, after the clock went back, blocks it too).
 * Firings admitted earlier in the same dispatch count.
 */
export type FrequencyGuard =
  { kind: 'once'; since: number } | { kind: 'atMostEvery'; ms: number; since: number };

/** One action of one trigger to fire for an inbox entry (built by engine/dispatch). */
export interface NewFiring {
  /** The id of its trigger log row; its queue item has the same id. */
  logId: string;
  trigger: string;
  actionIndex: number;
  action: Action;
  /** The `event.eventType` the action sees (SPEC §5); engine/dispatch decides it. */
  eventType: EventType;
  /**
   * The concurrency lane the runner caps (engine/dispatch decides it): `function:<name>` for
   * function actions, `action:<trigger>#<index>` for the others.
   */
  lane: string;
  guard?: FrequencyGuard;
  /**
   * Claimed at dispatch: the dispatching process's runner has a free slot for it, so its
   * queue item is written already claimed by `owner` until `leaseUntil`, its first attempt
   * counted (as `claim` would), and the runner starts it from memory — no `claim` (a
   * transaction, on a network database a round trip and the queue's costliest statement)
   * between its dispatch and its run. No other process sees it as due until that lease
   * expires; the owner completes, retries, renews or loses it as any claimed item.
   */
  claimedBy?: DispatchClaim;
}

/** Who claims a firing at its dispatch, and until when (`NewFiring.claimedBy`). */
export interface DispatchClaim {
  owner: string;
  leaseUntil: number;
}

/** One inbox entry to dispatch with its firings (`dispatchMany`). */
export interface EntryDispatch {
  inboxId: string;
  firings: NewFiring[];
  /** The entry's data as the dispatcher has it (see `dispatch`'s `event`). */
  event?: unknown;
}

/** What `dispatchMany` did with one entry: the firing ids admitted, or why it failed. */
export type EntryDispatchResult = { admitted: string[] } | { error: unknown };

/** A claimed attempt of one firing: what the job runner needs to run it. */
export interface Delivery {
  /** The firing's id: its trigger log row's and its queue item's. */
  id: string;
  trigger: string;
  actionIndex: number;
  action: Action;
  eventType: EventType;
  lane: string;
  /** The inbox entry holding the event (null only for rows older than the delivery log). */
  inboxId: string | null;
  /** The event, read from its inbox entry (null if that is gone). */
  event: unknown;
  /** This attempt's number, from 1 (a lease taken over counts as an attempt). */
  attempts: number;
  runAt: number;
  /** Who claimed it, and until when the claim holds unless renewed. */
  owner: string;
  leaseUntil: number;
}

/** Per-lane caps for a claim: at most `perLane` running in a lane, counting `running`. */
export interface LaneCaps {
  perLane: number;
  /** What the claiming process runs now per lane (its own view). */
  running: ReadonlyMap<string, number>;
}

export type TriggerLogStatus = 'pending' | 'succeeded' | 'failed' | 'dead_letter';

export interface TriggerLogRecord {
  id: string;
  trigger: string;
  triggeredAt: number;
  /** The event (joined back from its inbox entry; null if that is gone). */
  event: unknown;
  inboxId: string | null;
  actionIndex: number;
  action: Action;
  /** As dispatch decided them (a replay queues the firing again with them). */
  eventType: EventType;
  lane: string;
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
  status?: TriggerLogStatus;
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

/** How an attempt ended, as its trigger log row records it. */
export interface AttemptOutcome {
  /** Attempts made so far (the log shows it; an interrupted one is not counted). */
  attempts: number;
  jobId: string | null;
  durationMs: number | null;
  /** Failures only. */
  errorType?: string | null;
  error?: string | null;
}

/** A firing that ran outside the queue (a passive reply), written finished in one go. */
export type FinishedFiring = Omit<TriggerLogRecord, 'event' | 'updatedAt'> & {
  /** Its event when no inbox entry holds it (inboxId null). */
  event?: unknown;
};

export interface DeliveryLog {
  /**
   * Stores the entries in ONE transaction, skipping those whose (source, key, dedupKey) was
   * seen (a repeat within the batch counts as seen); resolves, in order, to whether each was
   * new, once they are durable (SQLite: committed, then an fsync of its log off the event
   * loop). Answer nobody before it resolves. An entry with `firings` is stored dispatched
   * with them in the same transaction when it is new (no `dispatch` follows); a duplicate
   * writes none.
   */
  accept(entries: InboxEntry[]): Promise<boolean[]>;
  /** Entries not yet dispatched (nor set aside), oldest first. */
  pending(limit: number): Promise<PendingInboxEntry[]>;
  /**
   * One transaction: marks the pending entry dispatched and, for each firing its guard
   * admits, writes a `pending` trigger log row and a due queue item (run at `now`). Returns
   * the ids admitted. An entry no longer pending (dispatched by another process) makes it a
   * no-op returning []. SQLite: committed with the other dispatches of the same synchronous
   * run, relaxed (durable with the next accept; lost, the entry is dispatched again).
   * `event` is the entry's data as `pending` read it: a backend may keep it in memory for
   * the claim instead of reading it back (it is never written again: the entry holds it).
   * A firing with `claimedBy` is written claimed (attempts 1, leased to its owner): `claim`
   * does not return it to anyone until its lease expires.
   */
  dispatch(inboxId: string, firings: NewFiring[], now: number, event?: unknown): Promise<string[]>;
  /**
   * `dispatch` for several entries (distinct inbox ids) at once: ONE transaction for the
   * batch in any backend, with each entry's steps all-or-nothing as in `dispatch` and the
   * frequency guards decided in the order given (a firing admitted for an earlier entry
   * counts for a later one). Resolves, in order, to each entry's admitted ids ([] when it is
   * no longer pending), or to the error of an entry that could not be dispatched: one bad
   * entry fails alone, the others are dispatched. Rejects only when nothing could be done at
   * all (the database is unreachable): every entry stays pending.
   */
  dispatchMany(entries: EntryDispatch[], now: number): Promise<EntryDispatchResult[]>;
  /**
   * Sets a pending entry aside as `dispatch_failed` with its error: `pending` no longer
   * returns it (so the entries after it flow), retention keeps it, `replayEntry` puts it back.
   */
  setAside(inboxId: string, error: string, at: number): Promise<void>;
  /** Makes a `dispatch_failed` entry pending again; false if it is not set aside. */
  replayEntry(inboxId: string): Promise<boolean>;
  /**
   * Claims for `owner`, until `now + leaseMs`, up to `limit` items due at `now` (unclaimed,
   * or claimed under a lease that has expired: taken over), oldest first; with `lanes`, no
   * more per lane than its cap leaves room for. Each claim counts an attempt. One round trip.
   */
  claim(
    owner: string,
    now: number,
    limit: number,
    lanes: LaneCaps | undefined,
    leaseMs: number,
  ): Promise<Delivery[]>;
  /** Extends `owner`'s leases on these items to `now + leaseMs`; returns the ids it still holds. */
  renew(owner: string, ids: string[], now: number, leaseMs: number): Promise<string[]>;
  /**
   * Gives back claims of `owner` whose attempts never started (a runner claims a little
   * ahead of its free slots, and stops): each item is unclaimed and due again as before, its
   * claim's attempt no longer counted. Items `owner` does not hold are left as they are.
   */
  unclaim(owner: string, ids: string[]): Promise<void>;
  /**
   * The attempt succeeded: the queue item goes, the log row is `succeeded` with the outcome.
   * Only by the item's current owner: false (nothing changed) if the lease was taken over.
   * SQLite: written behind (bookkeeping).
   */
  complete(owner: string, id: string, outcome: AttemptOutcome, now: number): Promise<boolean>;
  /**
   * The attempt failed and another is allowed: the log row is `failed` with the outcome, the
   * item is released to run again at `runAt`. Owner only, as `complete`.
   */
  retry(
    owner: string,
    id: string,
    runAt: number,
    outcome: AttemptOutcome,
    now: number,
  ): Promise<boolean>;
  /**
   * The firing failed for good: the item goes, the log row is `dead_letter` with the
   * outcome. Owner only, as `complete`.
   */
  deadLetter(owner: string, id: string, outcome: AttemptOutcome, now: number): Promise<boolean>;
  /**
   * Puts a finished (dead-lettered, or succeeded) firing back in the queue, due at `now` with
   * fresh attempts, its log row `pending` again; false if it is unknown or still queued.
   * Its eventType and lane are those its dispatch stored with the log row.
   */
  replay(logId: string, now: number): Promise<boolean>;
  /**
   * At start, the claims no live process can hold any more: on a backend one process owns
   * (SQLite), every claim (they are due again at once, at least once); on a shared one,
   * none (leases expire and `claim` takes them over). Returns how many were released.
   */
  releaseAbandoned(now: number): Promise<number>;
  /** Earliest run time among items not claimed (or whose lease expires first), if any. */
  nextDueAt(): Promise<number | undefined>;
  /** True while a firing of this trigger waits (timer ticks in the inbox too) or runs. */
  hasUnfinished(trigger: string): Promise<boolean>;
  /** Writes a finished log row in one go (passive replies run outside the queue). */
  recordFinished(record: FinishedFiring, now: number): Promise<void>;

  getLog(id: string): Promise<TriggerLogRecord | undefined>;
  listLogs(filter: TriggerLogFilter): Promise<{ total: number; objects: TriggerLogRecord[] }>;
  /** Entries newest first, optionally of one status, with the total count. */
  listEntries(query: {
    status?: InboxStatus;
    limit: number;
    offset: number;
  }): Promise<{ total: number; objects: InboxSummary[] }>;
  getEntry(id: string): Promise<InboxSummary | undefined>;

  /**
   * Drops finished log rows (succeeded, dead_letter) fired before `before`, except the
   * latest of each trigger action (frequency guards read it). Returns how many.
   */
  pruneLogs(before: number): Promise<number>;
  /**
   * Prunes dispatched entries received before `before`: drops them, or, while a trigger log
   * row or a job still names one (it holds their only copy of the event), keeps its event and
   * forgets its dedup key. Either way a repeat of its key is new again. Entries not yet
   * dispatched are kept whatever their age. Returns how many were dropped or forgot their key.
   */
  pruneEntries(before: number): Promise<number>;
}

export interface EngineStore {
  accounts: AccountStore;
  accessTokens: TokenStore;
  functions: FunctionStore;
  jobs: JobStore;
  triggers: TriggerStore;
  delivery: DeliveryLog;
  settings: SettingsStore;
  /** Commits what is written behind, then closes. */
  close(): Promise<void>;
}

/**
 * What a change is about: new inbox entries (the dispatcher wakes), queue items due (job
 * runners wake), and saved triggers, accounts, functions or table schemas (caches refresh).
 */
export type ChangeTopic = 'inbox' | 'queue' | 'triggers' | 'accounts' | 'functions' | 'tables';

/**
 * Wake-ups and cache invalidations across engine processes (PostgreSQL: LISTEN/NOTIFY; one
 * process on SQLite: in memory). A hint, never the data: a listener re-reads the store, and
 * the poll at the next due time stays as the safety net for a wake-up missed.
 */
export interface ChangeFeed {
  /**
   * Tells every process, this one included, soon after the call resolves. `detail` (a
   * name, at most 1000 characters) says what changed, '' when it does not matter.
   */
  publish(topic: ChangeTopic, detail?: string): Promise<void>;
  /**
   * Calls `listener` with the detail of each change published on `topic`; returns the
   * unsubscribe. After a lost connection is restored, every listener is called with ''
   * (anything may have changed meanwhile).
   */
  subscribe(topic: ChangeTopic, listener: (detail: string) => void): () => void;
  close(): Promise<void>;
}
