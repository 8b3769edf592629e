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
