/**
 * The HostOps port: host services a sandboxed function may use, as an allow-list of named
 * operations. Arguments and results are plain JSON-able copies (they cross the isolate as
 * JSON strings), never host objects or References. The table operations' names and shapes are
 * the guest's contract, runtime/guest/tables/ops.ts.
 *
 * The executor process builds its HostOps by importing `module` and calling its
 * `createHostOps(options, emit)`: the composition root names the module (today
 * engine/tables/sqlite/sandbox-host-ops.ts), so the runtime never imports engine code.
 */

export interface HostOpContext {
  functionName: string;
  jobId: string;
  /** The user the run is made for (`event.request.user.id`); absent for a run without one. */
  userId?: number;
  /**
   * The executor judges this run quick (runtime/executor/commit-hold.ts): a module that
   * supports it may leave the call's writes uncommitted, sharing one commit with the next
   * runs' writes, until `settle`. Absent or false: committed before the call answers.
   */
  holdWrites?: boolean;
}

/** What `settle` reports: the runs whose held writes were lost (their commit failed). */
export interface SettledWrites {
  lost: ReadonlyArray<{ jobId: string; reason: string }>;
}

export interface HostOps {
  /**
   * Runs one operation; throws (or rejects with) an error with `code`, `status` and `message`
   * to refuse. A value answers at once, inside the guest's call (the fast path, SQLite); a
   * promise lets the guest wait without holding the isolate's thread (PostgreSQL).
   */
  call(op: string, args: unknown, context: HostOpContext): unknown;
  /** Releases the module's resources (a promise when that takes I/O, e.g. a pool's end). */
  close(): void | Promise<void>;
  /**
   * Modules that hold writes (`HostOpContext.holdWrites`) only: commits them, raising their
   * events, and reports the runs whose held writes were lost since the last call. The
   * executor calls it before any message leaves for the main process.
   */
  settle?(): SettledWrites;
  /** With `settle`: performance.now() when the held writes began; undefined when none are held. */
  heldSince?(): number | undefined;
}

/** Side effects the main process must learn of (e.g. `table.change` for table triggers). */
export type HostEventEmitter = (kind: string, payload: unknown) => void;

export interface HostOpsModuleSpec {
  /** Absolute path (or file URL) of a module exporting `createHostOps`. */
  module: string;
  /** Structured-clonable options passed to `createHostOps`. */
  options: unknown;
}

export type CreateHostOps = (options: unknown, emit: HostEventEmitter) => HostOps;
