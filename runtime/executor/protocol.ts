/**
 * Messages between the sandbox (main process) and an executor process, over the IPC channel
 * with `serialization: 'advanced'`. Event data and results cross as JSON strings, which the
 * executor hands to the isolate untouched.
 */
import type { HostOpsModuleSpec } from '../host-ops.ts';
import type { SandboxLimits } from '../limits.ts';
import type { InvocationOutcome } from '../sandbox.ts';

/** What an executor needs to run one function version. */
export interface FunctionSpec {
  name: string;
  version: number;
  code: string;
  memoryMb: number;
  env: Record<string, string>;
}

/** A function version as an invocation names it; `code` only when the executor may lack it. */
export type FunctionRef = Omit<FunctionSpec, 'code'> & { code?: string };

/** What must match for an executor to reuse the version it has without receiving the code again. */
export function specKey(fn: FunctionRef, codeLength: number): string {
  return `${fn.version}\0${fn.memoryMb}\0${codeLength}\0${JSON.stringify(fn.env)}`;
}

export type ToExecutor =
  | { type: 'init'; hostOps?: HostOpsModuleSpec; limits: SandboxLimits }
  | {
      type: 'invoke';
      id: number;
      /** Without `code` when this executor already has this version (the code crosses once). */
      fn: FunctionRef;
      timeoutMs: number;
      /** `{jobId, data, eventType, trigger}` as JSON. */
      jobJson: string;
      jobId: string;
    }
  | { type: 'nested-reply'; id: number; callId: number; replyJson: string }
  | { type: 'forget'; name: string }
  | { type: 'close' };

export type FromExecutor =
  | { type: 'ready' }
  | { type: 'outcome'; id: number; outcome: InvocationOutcome }
  | { type: 'nested'; id: number; callId: number; requestJson: string }
  /** The invocation named a version without its code and the executor does not have it. */
  | { type: 'need-code'; id: number }
  | { type: 'host-events'; events: { kind: string; payload: unknown }[] }
  | { type: 'heartbeat'; rss: number; loadedIsolates: number; warmIsolates: number }
  | { type: 'init-failed'; message: string };
