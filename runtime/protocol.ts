/**
 * The one meeting point of the two processes: what the supervisor (runtime/supervisor/, the
 * main process) and an executor (runtime/executor/, the child) say to each other over the IPC
 * channel with `serialization: 'advanced'`, and the few rules both must apply alike. Event
 * data and results cross as JSON strings, which the executor hands to the isolate untouched.
 */
import { RUNTIME_CODES } from './errors.ts';
import type { HostOpsModuleSpec } from './host-ops-port.ts';
import type { SandboxLimits } from './limits.ts';
import type { InvocationOutcome } from './sandbox.ts';

/** The line an executor writes to stderr before killing itself on a catastrophic V8 error. */
export const CATASTROPHIC_MARKER = 'cloudfn-executor: catastrophic V8 error:';
/** Followed by `{"name":…,"version":…}` of the function whose isolate failed. */
export const CULPRIT_MARKER = 'cloudfn-executor: culprit:';

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

/**
 * `main` executors enter jobs synchronously on their main thread (the fast path); the
 * `quarantine` executor runs suspect functions, entered asynchronously on isolated-vm's
 * threads at the lowest CPU priority (runtime/supervisor/suspects.ts).
 */
export type ExecutorRole = 'main' | 'quarantine';

/** One run for an executor. */
export interface InvokeMessage {
  type: 'invoke';
  id: number;
  /** Without `code` when this executor already has this version (the code crosses once). */
  fn: FunctionRef;
  timeoutMs: number;
  /** Enter with the async `apply` (a version still proving itself); the quarantine always does. */
  async: boolean;
  /** `{jobId, data, eventType, trigger}` as JSON. */
  jobJson: string;
  jobId: string;
  /** The user the run is made for (its host ops act as that user). */
  userId?: number;
}

/** One run's end, as the executor reports it. */
export interface RunOutcome {
  id: number;
  outcome: InvocationOutcome;
}

/** A host event (e.g. `table.change`) a run caused. */
export interface HostEvent {
  kind: string;
  payload: unknown;
}

export type ToExecutor =
  | { type: 'init'; hostOps?: HostOpsModuleSpec; limits: SandboxLimits; role: ExecutorRole }
  | InvokeMessage
  /**
   * The runs the supervisor was handed in one turn of its event loop, in order: one message
   * (one write, one read, one serialisation) instead of one each. Handled as these invokes.
   */
  | { type: 'invokes'; invokes: InvokeMessage[] }
  | { type: 'nested-reply'; id: number; callId: number; replyJson: string }
  | { type: 'forget'; name: string }
  /** This version ended its probation: run it here again (a main executor bounced it until now). */
  | { type: 'trust'; name: string; version: number }
  | { type: 'close' };

export type FromExecutor =
  | { type: 'ready' }
  /**
   * Runs that ended, with the host events raised since the last message (applied first: a
   * run's events arrive before its outcome). The outcomes of one turn of the executor's
   * event loop travel together (runtime/executor/outbox.ts).
   */
  | { type: 'outcomes'; events: HostEvent[]; outcomes: RunOutcome[] }
  | { type: 'nested'; id: number; callId: number; requestJson: string }
  /** The invocation named a version without its code and the executor does not have it. */
  | { type: 'need-code'; id: number }
  /** A main executor saw this version offend and did not run it: send it to quarantine. */
  | { type: 'reroute'; id: number }
  | { type: 'host-events'; events: HostEvent[] }
  | { type: 'heartbeat'; rss: number; loadedIsolates: number; warmIsolates: number }
  | { type: 'init-failed'; message: string };

/** How one run counts towards its version's standing. */
export type Conduct = 'offence' | 'good' | 'neutral';

/**
 * Judges one outcome: an offence held (or could have held) an executor; rejections and
 * crashes of others say nothing. Both sides judge: the supervisor moves an offending version
 * to quarantine (runtime/supervisor/suspects.ts), and a main executor bounces (`reroute`) the
 * runs of that version already on their way to it.
 */
export function conductOf(
  outcome: Pick<InvocationOutcome, 'status' | 'cpuMs' | 'error'>,
  limits: Pick<SandboxLimits, 'suspectCpuMs'>,
): Conduct {
  if (outcome.status === 'deadline_exceeded') return 'offence';
  if (outcome.error?.code === RUNTIME_CODES.memory) return 'offence';
  if (outcome.cpuMs >= limits.suspectCpuMs) return 'offence';
  if (outcome.status === 'execution_rejected') return 'neutral';
  if (outcome.error?.code === RUNTIME_CODES.executorCrashed) return 'neutral';
  return 'good';
}

/** The key of one function version (in both sides' lists of offenders). */
export function versionKey(name: string, version: number): string {
  return `${name}\0${version}`;
}
