import type {
  EngineStore,
  FunctionRecord,
  FunctionVersionRecord,
  JobRecord,
} from '../store/index.ts';
import type { Clock } from '../clock.ts';
import type { Ids } from '../ids.ts';
import type { EventType, InvocationOutcome, Sandbox } from '../../runtime/sandbox.ts';
import { bundleFunction } from '../../runtime/index.ts';
import { FUNCTION_NAME, FunctionNotFoundError, InvalidFunctionNameError } from './errors.ts';

/** Limits and env left out of a deploy keep the active version's (as Lambda keeps config). */
export interface DeployInput {
  code: string;
  timeoutMs?: number;
  memoryMb?: number;
  env?: Record<string, string>;
  filename?: string;
}

export interface EnvChange {
  set?: Record<string, string>;
  unset?: string[];
}

export const DEFAULT_TIMEOUT_MS = 5000;
export const DEFAULT_MEMORY_MB = 128;

export interface RunContext {
  source: string;
  eventType: EventType;
  trigger?: { name: string; type: string };
  triggerLogId?: string;
  /** The inbox entry `data` is (the job names it instead of keeping a copy). */
  inboxId?: string | null;
  depth?: number;
  /** A table trigger's write, passed as `event.change`. */
  change?: unknown;
  /** The user the run is made for, passed as `event.request.user`. */
  user?: Record<string, unknown>;
}

export interface RunResult {
  job: JobRecord;
  outcome: InvocationOutcome;
}

export interface FunctionService {
  deploy(
    name: string,
    input: DeployInput,
  ): Promise<{ fn: FunctionRecord; version: FunctionVersionRecord; created: boolean }>;
  /** A new version with the active code and limits and the env changed; no rebuild. */
  changeEnv(
    name: string,
    change: EnvChange,
  ): Promise<{ fn: FunctionRecord; version: FunctionVersionRecord }>;
  rollback(name: string, version: number): Promise<FunctionRecord>;
  delete(name: string): Promise<void>;
  /** Runs the active version on `data` as a job, recorded from start to finish. */
  run(name: string, data: unknown, context: RunContext): Promise<RunResult>;
  /**
   * Forgets which version of `name` is active ('' = of every function): another process
   * deployed, rolled back or deleted it. The next run reads it again.
   */
  forget(name: string): void;
}

/** Deploys (bundle → numbered version → active) and runs functions as recorded jobs. */
export function createFunctionService(deps: {
  store: EngineStore;
  sandbox: Sandbox;
  clock: Clock;
  ids: Ids;
}): FunctionService {
  const { store, sandbox, clock, ids } = deps;

  // The active version (with its bundled code) of each function run lately: a firing would
  // otherwise read the code from the store every time. This service drops the entry when it
  // changes which version is active (deploy, rollback, delete), and `forget` when another
  // process sharing the database did.
  const active = new Map<string, FunctionVersionRecord>();
  const activeVersion = async (name: string): Promise<FunctionVersionRecord> => {
    const cached = active.get(name);
    if (cached) return cached;
    const version = await store.functions.getActive(name);
    if (!version) throw new FunctionNotFoundError(name);
    active.set(name, version);
    return version;
  };

  return {
    async deploy(name, input) {
      if (!FUNCTION_NAME.test(name)) throw new InvalidFunctionNameError(name);
      const bundle = await bundleFunction({
        source: input.code,
        filename: input.filename ?? `${name}.js`,
      });
      const previous = await store.functions.getActive(name);
      const deployed = await store.functions.deploy(
        name,
        {
          code: bundle.code,
          sha256: bundle.sha256,
          timeoutMs: input.timeoutMs ?? previous?.timeoutMs ?? DEFAULT_TIMEOUT_MS,
          memoryMb: input.memoryMb ?? previous?.memoryMb ?? DEFAULT_MEMORY_MB,
          env: input.env ?? previous?.env ?? {},
        },
        clock.now(),
      );
      active.delete(name);
      sandbox.forget(name);
      return deployed;
    },

    async changeEnv(name, change) {
      const current = await store.functions.getActive(name);
      if (!current) throw new FunctionNotFoundError(name);
      const env = { ...current.env, ...change.set };
      for (const key of change.unset ?? []) delete env[key];
      const { fn, version } = await store.functions.deploy(
        name,
        {
          code: current.code,
          sha256: current.sha256,
          timeoutMs: current.timeoutMs,
          memoryMb: current.memoryMb,
          env,
        },
        clock.now(),
      );
      active.delete(name);
      sandbox.forget(name);
      return { fn, version };
    },

    async rollback(name, version) {
      if (!(await store.functions.get(name))) throw new FunctionNotFoundError(name);
      const fn = await store.functions.activate(name, version, clock.now());
      active.delete(name);
      sandbox.forget(name);
      return fn;
    },

    async delete(name) {
      active.delete(name);
      if (!(await store.functions.delete(name))) throw new FunctionNotFoundError(name);
      sandbox.forget(name);
    },

    forget(name) {
      if (name === '') active.clear();
      else active.delete(name);
    },

    async run(name, data, context) {
      const version = await activeVersion(name);
      const jobId = ids.id();
      const createdAt = clock.now();
      const created = {
        id: jobId,
        function: name,
        version: version.version,
        source: context.source,
        status: 'executing' as const,
        createdAt,
        data,
        inboxId: context.inboxId ?? null,
        triggerName: context.trigger?.name ?? null,
        triggerLogId: context.triggerLogId ?? null,
      };
      // The run does not need its row: on a network database the start is written while the
      // function runs (a round trip less per run). The store orders a job's end after its
      // start, so the end need not wait for the start's answer either; a failed start still
      // fails the run, as a failed end does.
      const creating = store.jobs.create(created);
      creating.catch(() => {}); // awaited below; not an unhandled rejection meanwhile
      const outcome = await sandbox.invoke({
        fn: {
          name,
          version: version.version,
          code: version.code,
          timeoutMs: version.timeoutMs,
          memoryMb: version.memoryMb,
          env: version.env,
        },
        event: {
          data,
          eventType: context.eventType,
          jobId,
          ...(context.trigger ? { trigger: context.trigger } : {}),
          ...(context.change !== undefined ? { change: context.change } : {}),
          ...(context.user !== undefined ? { request: { user: context.user } } : {}),
        },
        depth: context.depth ?? 0,
      });
      const finished = {
        status: outcome.status,
        finishedAt: clock.now(),
        durationMs: outcome.durationMs,
        cpuMs: outcome.cpuMs,
        memoryBytes: outcome.memoryBytes,
        result: outcome.result ?? null,
        error: outcome.error ?? null,
        log: outcome.log,
      };
      await Promise.all([creating, store.jobs.finish(jobId, finished)]);
      // Built here rather than read back: a read would force the store to commit now.
      return { job: { ...created, ...finished, data: data ?? null }, outcome };
    },
  };
}
