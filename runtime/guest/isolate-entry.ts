/**
 * The contract between the executor and the prelude, imported type-only by both sides (the
 * guest imports nothing from Node or the engine; the executor nothing of the guest's code).
 *
 * Into the isolate: one `enter` function, called with an `Entry`, a tuple tagged by its first
 * element. Tuples of strings and numbers, not objects: isolated-vm passes primitives without
 * copying, where an object argument would need a copy per entry. Out of the isolate: the
 * `HostBridge` callbacks. Every value that crosses is a string or a number (or the bytes of
 * `random`): the host never receives a guest object, and the guest never a host object.
 */

/** JSON text holding a `T` (the type says what the text holds; it is checked where parsed). */
export type JsonText<T> = string & { readonly __holds?: T };

/** What the prelude needs before the function's module runs (the `setup` entry). */
export interface GuestSetup {
  env: Record<string, string>;
  timeoutMs: number;
  memoryMb: number;
  maxResultChars: number;
  maxLogLineChars: number;
  maxTimers: number;
}

/** One job (the `run` entry), as the supervisor builds it from the invocation. */
export interface JobRequest {
  jobId: string;
  data: unknown;
  eventType: string;
  trigger?: { name: string; type: string };
  change?: unknown;
  /** `{user: {id, openid, …}}` when the run is made for a user. */
  request?: { user?: { id?: unknown } };
}

/** The answer to a nested request or a waiting host call: `{ok: value}` or `{error: {…}}`. */
export type Reply = { ok?: unknown; error?: Record<string, unknown> };

/** Everything the executor enters the isolate for. */
export type Entry =
  /** Once per isolate, before the module's top level runs. */
  | [kind: 'setup', setup: JsonText<GuestSetup>]
  /** Starts a job: calls the function's main. */
  | [kind: 'run', job: JsonText<JobRequest>]
  /** Guest timer `timerId` is due (0: the prelude's own idle check). */
  | [kind: 'timer', timerId: number]
  /** The main process answered nested request `callId` (BaaS.invoke, BaaS.request, fetch, …). */
  | [kind: 'nested', callId: number, reply: JsonText<Reply>]
  /** The HostOps answered waiting host call `callId` (a store that answers with promises). */
  | [kind: 'host-reply', callId: number, reply: JsonText<Reply>];

/** The one function the executor calls to enter the isolate. */
export type Enter = (...entry: Entry) => void;

/**
 * The host functions the executor hands to the prelude (isolated-vm Callbacks, which arrive
 * here as plain guest functions).
 */
export interface HostBridge {
  /**
   * Host operation: `(op, argsJson)` → `'{"ok":…}'` or `'{"error":{…}}'`, or `'{"pending":id}'`
   * when the answer comes later through a `host-reply` entry.
   */
  hostCall: (op: string, argsJson: string) => string;
  /** Appends one console line to the running job's log; answers false once the cap is hit. */
  log: (level: string, message: string) => boolean;
  /** `(delayMs, id)` schedules timer `id`; `(-1, id)` cancels it. */
  timer: (delayMs: number, id: number) => void;
  /** Starts a nested request; the answer comes back through a `nested` entry. */
  nested: (id: number, requestJson: string) => void;
  /** Reports the end of the running job: the outcome as JSON. */
  done: (outcomeJson: string) => void;
  /** `n` cryptographically random bytes from the host. */
  random: (n: number) => Uint8Array;
}
