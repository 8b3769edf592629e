/**
 * The Sandbox port: run one deployed function version on one event, with limits.
 * The engine depends on this interface only; the composition root picks the implementation
 * (today: supervised executor processes running isolated-vm isolates).
 */

export type JobStatus =
  | 'waiting'
  | 'executing'
  | 'fulfilled'
  | 'execution_failed'
  | 'deadline_exceeded'
  | 'execution_rejected';

export type EventType = 'trigger' | 'invoke' | 'cloud_function' | 'timer' | 'webhook' | 'table';

/** One deployed, bundled version of a function: everything the sandbox needs to run it. */
export interface FunctionVersion {
  name: string;
  version: number;
  /** The bundled script (esbuild output, CommonJS-style `exports.main`), with an inline source map. */
  code: string;
  timeoutMs: number;
  memoryMb: number;
  env: Record<string, string>;
}

/** The `event` a function receives (SPEC §5), minus the limits the sandbox fills in. */
export interface InvocationEvent {
  data: unknown;
  eventType: EventType;
  trigger?: { name: string; type: string };
  jobId: string;
  /** A table trigger's write `{event, table, before, after}` (event.data is the record). */
  change?: unknown;
  /** `{user}` when the run is made for a user (MinCloud's `event.request.user`). */
  request?: { user: Record<string, unknown> };
}

export interface InvocationRequest {
  fn: FunctionVersion;
  event: InvocationEvent;
  /** Nesting depth of BaaS.invoke chains; 0 for a top-level run. */
  depth?: number;
}

export interface LogLine {
  level: 'log' | 'info' | 'warn' | 'error';
  message: string;
  /** Unix milliseconds. */
  at: number;
}

/** Errors cross the isolate and process boundaries as data, never by instanceof. */
export interface SerializedError {
  name: string;
  message: string;
  stack?: string;
  code?: string;
}

export interface InvocationOutcome {
  status: Exclude<JobStatus, 'waiting' | 'executing'>;
  result?: unknown;
  error?: SerializedError;
  log: LogLine[];
  durationMs: number;
  cpuMs: number;
  memoryBytes: number;
}

/**
 * What a function's `BaaS.invoke(name, data, sync)` asks of the engine. A rejection with a
 * string `code` and a numeric `status` (a limit) rejects the guest's call with that code;
 * any other rejection resolves it as MinCloud's `{code: 1, error}`.
 */
export type NestedInvoke = (
  name: string,
  data: unknown,
  options: {
    sync: boolean;
    depth: number;
    parentJobId: string;
    /** The user id the caller passed (`BaaS.invoke(name, data, sync, {userId})`). */
    userId?: number;
    /** The user the calling run is made for; the nested run is made for it too by default. */
    user?: Record<string, unknown>;
  },
) => Promise<{ code: number; data: unknown; error: Record<string, unknown> }>;

/**
 * What one run's asynchronous host requests share (BaaS.wechat.*, BaaS.request, fetch …):
 * who is running, the event it got, a scratch map for per-run limits, and a way to add a
 * line to the run's job log (host-side records such as "GET api.example.com 200 12 ms").
 */
export interface HostRequestScope {
  functionName: string;
  jobId: string;
  /** The run's `event.data` (e.g. `_AppId` of the pushing WeChat account). */
  eventData: unknown;
  /** Unix ms by which the run must end (its timeout from the start of the invocation). */
  deadlineAt: number;
  /** Per-run state of the request handlers (counters of the per-run limits). */
  state: Map<string, unknown>;
  log(level: LogLine['level'], message: string): void;
}

/**
 * Answers a named asynchronous host request of a function (`op` other than `invoke`). Resolve
 * with a JSON-able value; reject with an error carrying `code` (string or number), `message`,
 * and optionally `reason` and `status`, which the function sees on its rejected promise.
 */
export type HostRequestHandler = (
  op: string,
  args: unknown,
  scope: HostRequestScope,
) => Promise<unknown>;

export interface Sandbox {
  invoke(request: InvocationRequest): Promise<InvocationOutcome>;
  /** Drop any cached isolate of this function (after delete or redeploy). */
  forget(name: string): void;
  close(): Promise<void>;
}
