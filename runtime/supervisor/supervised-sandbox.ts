/**
 * The Sandbox port over supervised executor processes. The main process only admits work
 * (concurrency caps → back-pressure as `execution_rejected`, argument size), routes each
 * function to one executor (so its isolates, cached data and source map live in one place)
 * and answers the functions' asynchronous host requests: `invoke` (BaaS.invoke) through the
 * engine's NestedInvoke, every other named request (BaaS.wechat.*, BaaS.request, fetch) through
 * the engine's HostRequestHandler. They share one channel: guest `nested(id, requestJson)` →
 * executor → here, answered whenever the engine is done.
 *
 * Routing has one exception: a function version that misbehaved (suspects.ts) runs in the
 * quarantine executor, spawned on first need, until it has behaved again for a while. So a
 * function that loops to its deadline cannot hold the executor the others are entered on.
 */
import { checkJson, MAX_INPUT_DEPTH, MAX_OUTPUT_DEPTH } from '../json-limits.ts';
import { RUNTIME_CODES } from '../errors.ts';
import type { HostOpsModuleSpec } from '../host-ops.ts';
import { resolveLimits, type SandboxLimits } from '../limits.ts';
import type {
  HostRequestHandler,
  HostRequestScope,
  InvocationEvent,
  InvocationOutcome,
  InvocationRequest,
  LogLine,
  NestedInvoke,
  Sandbox,
} from '../sandbox.ts';
import {
  type ExecutorInvocation,
  ExecutorProcess,
  hostOutcome,
  REROUTED,
  type RuntimeLogger,
} from './executor-process.ts';
import { conductOf, type ExecutorRole, versionKey } from '../protocol.ts';
import { QuarantineAdmission } from './quarantine-admission.ts';
import { type Path, SuspectList } from './suspects.ts';

export interface SandboxOptions {
  /** The module the executors load their host operations from (tables, …). */
  hostOps?: HostOpsModuleSpec;
  /** How a function's BaaS.invoke reaches other functions. */
  nestedInvoke?: NestedInvoke;
  /** Answers the other named asynchronous host requests (`{op, args}`). */
  hostRequest?: HostRequestHandler;
  /** Events the host operations emit (e.g. `table.change`). */
  onHostEvent?: (kind: string, payload: unknown) => void;
  /** Executor processes (default 1). */
  executors?: number;
  logger?: RuntimeLogger;
  limits?: Partial<SandboxLimits>;
}

/** The sandbox with a view of its executors, for health checks, tests and benchmarks. */
export interface SupervisedSandbox extends Sandbox {
  /** Resolves once every executor is ready (the first invocations wait for this anyway). */
  ready(): Promise<void>;
  /** The main executors, then the quarantine executor once it has been spawned. */
  executors(): readonly {
    role: ExecutorRole;
    pid: number | undefined;
    restarts: number;
    inFlight: number;
    rss: number;
    loadedIsolates: number;
    warmIsolates: number;
  }[];
  /** Kills an executor as a crash would (tests of the supervisor); indexes as in executors(). */
  killExecutor(index: number): void;
  /** Where this function version's next run goes: proving itself, the fast path, or quarantine. */
  pathOf(name: string, version: number): Path;
}

function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** `{name, data, sync}` for BaaS.invoke (`op` absent or `invoke`), else `{op, args}`. */
interface NestedRequest {
  op?: string;
  args?: unknown;
  name: string;
  data: unknown;
  sync: boolean;
  userId?: unknown;
}

/** Host lines kept per run, so a function looping over requests cannot grow its log unbounded. */
const MAX_HOST_LOG_LINES = 1000;

/** The id of the user a run is made for (`event.request.user.id`), when it has one. */
function userIdOf(request: InvocationEvent['request']): number | undefined {
  const id = request?.user?.id;
  return typeof id === 'number' && Number.isSafeInteger(id) && id > 0 ? id : undefined;
}

/** BaaS.invoke resolves MinCloud's envelope even when the engine refuses: `{code: 1, error}`. */
function errorReply(code: string, message: string): string {
  return JSON.stringify({ ok: { code: 1, data: null, error: { code, message } } });
}

/** A refusal the guest's `BaaS.invoke` rejects with (an Error carrying `code` and `status`). */
function rejectReply(code: string, message: string, status: number): string {
  return JSON.stringify({ error: { name: 'Error', code, status, message } });
}

/**
 * `{ok: value}` for the guest, or a rejection when the value nests too deep to serialise:
 * host answers may come from outside (WeChat's API), and JSON.stringify here runs in a
 * promise callback where its RangeError would be an unhandled rejection, ending the engine.
 */
function okReply(what: string, value: unknown): string {
  const shape = checkJson(value, { maxDepth: MAX_OUTPUT_DEPTH });
  if (!shape.ok) return rejectReply('E_JSON_TOO_DEEP', `${what} is ${shape.message}`, 502);
  return JSON.stringify({ ok: value ?? null });
}

export function createSupervisedSandbox(options: SandboxOptions = {}): SupervisedSandbox {
  const limits = resolveLimits(options.limits);
  const perFunction = new Map<string, number>();
  let inFlight = 0;
  let closed = false;

  const suspects = new SuspectList(limits);
  const hooks = {
    logger: options.logger,
    onHostEvent: (kind: string, payload: unknown) => options.onHostEvent?.(kind, payload),
    onCulprit: (name: string, version: number) => {
      if (suspects.offend(name, version, Date.now()) === 'suspect')
        options.logger?.warn?.(
          { function: name, version },
          'function moved to quarantine: it brought its executor down',
        );
    },
    onNested: (_id: number, _callId: number, _json: string, reply: (json: string) => void) =>
      reply(errorReply(RUNTIME_CODES.invokeUnavailable, 'BaaS.invoke is not available here')),
  };
  const count = Math.max(1, Math.floor(options.executors ?? 1));
  const executors = Array.from(
    { length: count },
    (_, i) => new ExecutorProcess(i, { hostOps: options.hostOps, limits, role: 'main' }, hooks),
  );
  for (const executor of executors) executor.start();
  let quarantine: ExecutorProcess | undefined;

  function quarantineExecutor(): ExecutorProcess {
    if (quarantine === undefined) {
      quarantine = new ExecutorProcess(
        count,
        { hostOps: options.hostOps, limits, role: 'quarantine' },
        hooks,
      );
      quarantine.start();
    }
    return quarantine;
  }

  const admission = new QuarantineAdmission({
    concurrency: limits.quarantineConcurrency,
    cpuShare: limits.quarantineCpuShare,
  });
  /** Runs a suspect in quarantine when admitted (quarantine-admission.ts: turns and pace). */
  function runInQuarantine(
    invocation: Omit<ExecutorInvocation, 'async'>,
  ): Promise<InvocationOutcome | typeof REROUTED> {
    return admission.admit(versionKey(invocation.fn.name, invocation.fn.version), async () => {
      // The deadline starts in the executor, when the run is sent: waiting here does not count.
      const result = await quarantineExecutor().invoke({ ...invocation, async: true });
      const offended = result !== REROUTED && conductOf(result, limits) === 'offence';
      return { result, paceCpuMs: offended ? result.cpuMs : 0 };
    });
  }

  /**
   * Runs on the function's executor (asynchronously while the version proves itself), or in
   * quarantine while it is suspect; keeps the version's standing (suspects.ts).
   */
  async function route(invocation: Omit<ExecutorInvocation, 'async'>): Promise<InvocationOutcome> {
    const { name, version } = invocation.fn;
    const home = executors[fnv1a(name) % executors.length] as ExecutorProcess;
    const path = suspects.pathOf(name, version);
    let answer = await (path === 'quarantine'
      ? runInQuarantine(invocation)
      : home.invoke({ ...invocation, async: path !== 'fast' }));
    if (answer === REROUTED) {
      // The home executor saw this version offend before we did: it was on its way there.
      suspects.offend(name, version, Date.now());
      answer = await runInQuarantine(invocation);
    }
    if (answer === REROUTED)
      return hostOutcome('execution_failed', RUNTIME_CODES.executorCrashed, 'Rerouted twice');
    const change = suspects.record(name, version, conductOf(answer, limits), Date.now());
    if (change === 'suspect')
      options.logger?.warn?.(
        { function: name, version, status: answer.status, cpuMs: answer.cpuMs },
        'function moved to quarantine',
      );
    if (change === 'trusted' && path === 'quarantine') {
      home.trust(name, version); // sent before its next invocation: the home executor stops bouncing it
      options.logger?.info?.(
        { function: name, version },
        'function back on the fast path after its probation',
      );
    }
    return answer;
  }

  /** A named host request other than invoke: `{ok}` or `{error}` (rejects in the guest). */
  function answerHostRequest(
    op: string,
    args: unknown,
    scope: HostRequestScope,
    reply: (json: string) => void,
  ): void {
    if (options.hostRequest === undefined)
      return reply(
        JSON.stringify({
          error: {
            name: 'Error',
            code: RUNTIME_CODES.hostOpFailed,
            message: `${op} is not available in this sandbox`,
          },
        }),
      );
    options.hostRequest(op, args, scope).then(
      (result) => reply(okReply(`The answer to ${op.slice(0, 64)}`, result)),
      (e: unknown) => {
        const err = (e ?? {}) as Record<string, unknown>;
        const known = typeof err.code === 'string' || typeof err.code === 'number';
        const data: Record<string, unknown> = {
          name: typeof err.name === 'string' ? err.name : 'Error',
          code: known ? err.code : RUNTIME_CODES.hostOpFailed,
          // Unexpected host failures keep their message in the engine's log, not the guest's.
          message: known && typeof err.message === 'string' ? err.message : `${op} failed`,
        };
        if (typeof err.reason === 'string') data.reason = err.reason;
        if (typeof err.status === 'number') data.status = err.status;
        if (!known) options.logger?.error?.({ err: e, op }, 'host request failed');
        reply(JSON.stringify({ error: data }));
      },
    );
  }

  function nestedHandler(request: InvocationRequest, scope: HostRequestScope) {
    let calls = 0;
    return (_callId: number, requestJson: string, reply: (json: string) => void): void => {
      const depth = (request.depth ?? 0) + 1;
      let parsed: NestedRequest;
      try {
        parsed = JSON.parse(requestJson) as NestedRequest;
      } catch {
        return reply(errorReply(RUNTIME_CODES.invokeUnavailable, 'Unreadable host request'));
      }
      const isInvoke = parsed.op === undefined || parsed.op === 'invoke';
      const shape = checkJson(isInvoke ? parsed.data : parsed.args, { maxDepth: MAX_INPUT_DEPTH });
      if (!shape.ok) {
        // BaaS.invoke resolves its refusals as MinCloud's envelope; other requests reject.
        return reply(
          isInvoke
            ? errorReply('E_JSON_TOO_DEEP', `BaaS.invoke data is ${shape.message}`)
            : rejectReply(
                'E_JSON_TOO_DEEP',
                `${String(parsed.op)} arguments are ${shape.message}`,
                400,
              ),
        );
      }
      if (!isInvoke) return answerHostRequest(String(parsed.op), parsed.args, scope, reply);
      // Counted before anything else: a run that loops over BaaS.invoke is stopped here,
      // before the engine writes a job row for each call (issue 12: 94,001 rows in 8 s).
      if (++calls > limits.maxInvokesPerRun)
        return reply(
          rejectReply(
            RUNTIME_CODES.invokeLimit,
            `A run may make at most ${limits.maxInvokesPerRun} BaaS.invoke calls; this one was not made`,
            429,
          ),
        );
      if (options.nestedInvoke === undefined)
        return reply(
          errorReply(
            RUNTIME_CODES.invokeUnavailable,
            'BaaS.invoke is not available in this sandbox',
          ),
        );
      if (depth > limits.maxInvokeDepth) {
        return reply(
          errorReply(
            RUNTIME_CODES.invokeDepth,
            `BaaS.invoke chains are limited to ${limits.maxInvokeDepth} levels (this also stops cycles)`,
          ),
        );
      }
      options
        .nestedInvoke(String(parsed.name), parsed.data, {
          sync: parsed.sync !== false,
          depth,
          parentJobId: request.event.jobId,
          ...(Number.isSafeInteger(parsed.userId) && (parsed.userId as number) > 0
            ? { userId: parsed.userId as number }
            : {}),
          ...(request.event.request ? { user: request.event.request.user } : {}),
        })
        .then(
          (result) => reply(JSON.stringify({ ok: result })),
          (e: unknown) => {
            const err = e as { code?: unknown; message?: unknown; status?: unknown };
            // A refusal with a status (a limit of the engine's) rejects the guest's call.
            if (typeof err?.code === 'string' && typeof err.status === 'number')
              return reply(rejectReply(err.code, String(err.message), err.status));
            reply(
              errorReply(
                typeof err?.code === 'string' ? err.code : RUNTIME_CODES.invokeUnavailable,
                String(err?.message ?? e),
              ),
            );
          },
        );
    };
  }

  async function invoke(request: InvocationRequest): Promise<InvocationOutcome> {
    const { fn, event } = request;
    if (closed)
      return hostOutcome(
        'execution_rejected',
        RUNTIME_CODES.sandboxClosed,
        'The sandbox is closed',
      );
    const running = perFunction.get(fn.name) ?? 0;
    if (inFlight >= limits.maxConcurrency) {
      return hostOutcome(
        'execution_rejected',
        RUNTIME_CODES.busy,
        `The engine is running its maximum of ${limits.maxConcurrency} invocations; try again shortly`,
      );
    }
    if (running >= limits.maxConcurrencyPerFunction) {
      return hostOutcome(
        'execution_rejected',
        RUNTIME_CODES.busy,
        `Function ${fn.name} is running its maximum of ${limits.maxConcurrencyPerFunction} concurrent invocations; try again shortly`,
      );
    }
    const job: Record<string, unknown> = {
      jobId: event.jobId,
      data: event.data,
      eventType: event.eventType,
    };
    if (event.trigger !== undefined) job.trigger = event.trigger;
    if (event.change !== undefined) job.change = event.change;
    if (event.request !== undefined) job.request = event.request;
    const jobJson = JSON.stringify(job);
    const runUserId = userIdOf(event.request);
    if (
      jobJson.length > limits.maxArgumentBytes ||
      Buffer.byteLength(jobJson) > limits.maxArgumentBytes
    ) {
      return hostOutcome(
        'execution_rejected',
        RUNTIME_CODES.argumentTooLarge,
        `The event data is over the limit of ${limits.maxArgumentBytes} bytes`,
      );
    }
    inFlight++;
    perFunction.set(fn.name, running + 1);
    const hostLog: LogLine[] = [];
    const scope: HostRequestScope = {
      functionName: fn.name,
      jobId: event.jobId,
      eventData: event.data,
      deadlineAt: Date.now() + fn.timeoutMs,
      state: new Map(),
      log(level, message) {
        if (hostLog.length < MAX_HOST_LOG_LINES) hostLog.push({ level, message, at: Date.now() });
      },
    };
    try {
      const outcome = await route({
        fn: {
          name: fn.name,
          version: fn.version,
          code: fn.code,
          memoryMb: fn.memoryMb,
          env: fn.env,
        },
        timeoutMs: fn.timeoutMs,
        jobJson,
        jobId: event.jobId,
        ...(runUserId === undefined ? {} : { userId: runUserId }),
        onNested: nestedHandler(request, scope),
      });
      if (hostLog.length === 0) return outcome;
      // Host records join the function's own lines in time order (a stable sort keeps ties).
      return { ...outcome, log: [...outcome.log, ...hostLog].sort((a, b) => a.at - b.at) };
    } finally {
      inFlight--;
      const left = (perFunction.get(fn.name) ?? 1) - 1;
      if (left === 0) perFunction.delete(fn.name);
      else perFunction.set(fn.name, left);
    }
  }

  return {
    invoke,
    forget(name) {
      suspects.forget(name);
      for (const executor of executors) executor.forget(name);
      quarantine?.forget(name);
    },
    async close() {
      closed = true;
      await Promise.all([...executors, ...(quarantine ? [quarantine] : [])].map((e) => e.close()));
    },
    async ready() {
      await Promise.all(executors.map((e) => e.whenReady()));
    },
    executors() {
      return [...executors, ...(quarantine ? [quarantine] : [])].map((e) => ({
        role: e.role,
        pid: e.pid,
        restarts: e.restarts,
        inFlight: e.inFlight,
        ...e.stats,
      }));
    },
    killExecutor(index) {
      [...executors, ...(quarantine ? [quarantine] : [])][index]?.kill('a test asked for it');
    },
    pathOf(name, version) {
      return suspects.pathOf(name, version);
    },
  };
}
