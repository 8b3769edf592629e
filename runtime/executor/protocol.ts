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

export type ToExecutor =
  | { type: 'init'; hostOps?: HostOpsModuleSpec; limits: SandboxLimits }
  | {
      type: 'invoke';
      id: number;
      fn: FunctionSpec;
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
  | { type: 'host-event'; kind: string; payload: unknown }
  | { type: 'heartbeat'; rss: number; loadedIsolates: number; warmIsolates: number }
  | { type: 'init-failed'; message: string };
