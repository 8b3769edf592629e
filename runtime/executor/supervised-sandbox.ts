/**
 * The Sandbox port over supervised executor processes. The main process only admits work
 * (concurrency caps → back-pressure as `execution_rejected`, argument size), routes each
 * function to one executor (so its isolates, cached data and source map live in one place)
 * and answers nested BaaS.invoke calls through the engine's NestedInvoke.
 */
import { RUNTIME_CODES } from '../errors.ts';
import type { HostOpsModuleSpec } from '../host-ops.ts';
import { resolveLimits, type SandboxLimits } from '../limits.ts';
import type { InvocationOutcome, InvocationRequest, NestedInvoke, Sandbox } from '../sandbox.ts';
import { ExecutorProcess, hostOutcome, type RuntimeLogger } from './executor-process.ts';

export interface SandboxOptions {
  /** The module the executors load their host operations from (tables, …). */
  hostOps?: HostOpsModuleSpec;
  /** How a function's BaaS.invoke reaches other functions. */
  nestedInvoke?: NestedInvoke;
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
  executors(): readonly {
    pid: number | undefined;
    restarts: number;
    inFlight: number;
    rss: number;
    loadedIsolates: number;
    warmIsolates: number;
  }[];
  /** Kills an executor as a crash would (tests of the supervisor). */
  killExecutor(index: number): void;
}

function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

interface NestedRequest {
  name: string;
  data: unknown;
  sync: boolean;
}

/** BaaS.invoke resolves MinCloud's envelope even when the engine refuses: `{code: 1, error}`. */
function errorReply(code: string, message: string): string {
  return JSON.stringify({ ok: { code: 1, data: null, error: { code, message } } });
}

export function createSupervisedSandbox(options: SandboxOptions = {}): SupervisedSandbox {
  const limits = resolveLimits(options.limits);
  const perFunction = new Map<string, number>();
  let inFlight = 0;
  let closed = false;

  const hooks = {
    logger: options.logger,
    onHostEvent: (kind: string, payload: unknown) => options.onHostEvent?.(kind, payload),
    onNested: (_id: number, _callId: number, _json: string, reply: (json: string) => void) =>
      reply(errorReply(RUNTIME_CODES.invokeUnavailable, 'BaaS.invoke is not available here')),
  };
  const count = Math.max(1, Math.floor(options.executors ?? 1));
  const executors = Array.from(
    { length: count },
    (_, i) => new ExecutorProcess(i, { hostOps: options.hostOps, limits }, hooks),
  );
  for (const executor of executors) executor.start();

  function nestedHandler(request: InvocationRequest) {
    return (_callId: number, requestJson: string, reply: (json: string) => void): void => {
      const depth = (request.depth ?? 0) + 1;
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
      let parsed: NestedRequest;
      try {
        parsed = JSON.parse(requestJson) as NestedRequest;
      } catch {
        return reply(errorReply(RUNTIME_CODES.invokeUnavailable, 'Unreadable BaaS.invoke request'));
      }
      options
        .nestedInvoke(String(parsed.name), parsed.data, {
          sync: parsed.sync !== false,
          depth,
          parentJobId: request.event.jobId,
        })
        .then(
          (result) => reply(JSON.stringify({ ok: result })),
          (e: unknown) => {
            const err = e as { code?: unknown; message?: unknown };
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
    const jobJson = JSON.stringify(job);
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
    try {
      const executor = executors[fnv1a(fn.name) % executors.length] as ExecutorProcess;
      return await executor.invoke({
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
        onNested: nestedHandler(request),
      });
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
      for (const executor of executors) executor.forget(name);
    },
    async close() {
      closed = true;
      await Promise.all(executors.map((e) => e.close()));
    },
    async ready() {
      await Promise.all(executors.map((e) => e.whenReady()));
    },
    executors() {
      return executors.map((e) => ({
        pid: e.pid,
        restarts: e.restarts,
        inFlight: e.inFlight,
        ...e.stats,
      }));
    },
    killExecutor(index) {
      executors[index]?.kill('a test asked for it');
    },
  };
}
