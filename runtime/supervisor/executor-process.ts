/**
 * The supervisor of one executor process. It forks the child, hands it invocations, and
 * watches it: a heartbeat that stops, a job that outlives its deadline by the grace period
 * (the child itself should have ended it), an RSS over the ceiling or an exit all end in a
 * kill and a restart. Invocations in flight then end `execution_failed` with a clear error;
 * invocations that arrive meanwhile wait for the new child.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { RUNTIME_CODES } from '../errors.ts';
import type { HostOpsModuleSpec } from '../host-ops-port.ts';
import type { SandboxLimits } from '../limits.ts';
import type { InvocationOutcome } from '../sandbox.ts';
import {
  CULPRIT_MARKER,
  type ExecutorRole,
  type FromExecutor,
  type FunctionSpec,
  type HostEvent,
  type InvokeMessage,
  specKey,
  type ToExecutor,
} from '../protocol.ts';

const CHILD_ENTRY = fileURLToPath(new URL('../executor/executor-entry.ts', import.meta.url));
const STDERR_TAIL_CHARS = 4096;

export interface RuntimeLogger {
  info?(obj: Record<string, unknown>, msg: string): void;
  warn?(obj: Record<string, unknown>, msg: string): void;
  error?(obj: Record<string, unknown>, msg: string): void;
}

export interface ExecutorHooks {
  onNested(
    id: number,
    callId: number,
    requestJson: string,
    reply: (replyJson: string) => void,
  ): void;
  onHostEvent(kind: string, payload: unknown): void;
  /** A function version got this executor killed (it overran its deadline, or its isolate failed catastrophically). */
  onCulprit(name: string, version: number): void;
  logger: RuntimeLogger | undefined;
}

/** What `invoke` answers when a main executor bounced the run to quarantine instead of running it. */
export const REROUTED = Symbol('rerouted');

export interface ExecutorInvocation {
  fn: FunctionSpec;
  timeoutMs: number;
  /** Enter asynchronously (runtime/supervisor/suspects.ts: a version proving itself). */
  async: boolean;
  jobJson: string;
  jobId: string;
  /** The user the run is made for (its host ops act as that user). */
  userId?: number;
  onNested?(callId: number, requestJson: string, reply: (replyJson: string) => void): void;
}

interface Pending {
  invocation: ExecutorInvocation;
  startedAt: number;
  overdueAt: number;
  resolve(outcome: InvocationOutcome | typeof REROUTED): void;
}

const PASSED_ENV = ['PATH', 'TZ', 'LANG', 'LC_ALL', 'NODE_ENV', 'TMPDIR'];

function childEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const key of PASSED_ENV) if (process.env[key] !== undefined) env[key] = process.env[key];
  return env;
}

/** An outcome made on the host side, for a job the executor could not finish. */
export function hostOutcome(
  status: InvocationOutcome['status'],
  code: string,
  message: string,
  durationMs = 0,
): InvocationOutcome {
  return {
    status,
    error: { name: 'Error', code, message },
    log: [],
    durationMs,
    cpuMs: 0,
    memoryBytes: 0,
  };
}

export interface ExecutorInit {
  hostOps?: HostOpsModuleSpec;
  limits: SandboxLimits;
  role: ExecutorRole;
}

export class ExecutorProcess {
  readonly #index: number;
  readonly #init: ExecutorInit;
  readonly #hooks: ExecutorHooks;
  readonly #pending = new Map<number, Pending>();
  readonly #waiting: (() => void)[] = [];
  #child: ChildProcess | undefined;
  #ready = false;
  #closed = false;
  #nextId = 1;
  #stderrTail = '';
  #killReason: string | undefined;
  #lastHeartbeat = 0;
  #watchdog: NodeJS.Timeout | undefined;
  #recentStarts: number[] = [];
  #initError: string | undefined;
  #restartTimer: NodeJS.Timeout | undefined;
  /** Per function, the version this child has the code of (so the code crosses once). */
  readonly #sentSpecs = new Map<string, string>();
  /** Invocations of this turn, sent together at its end (#flushInvokes). */
  #invokes: InvokeMessage[] = [];
  /** Restarts so far (for tests, health and benchmarks). */
  restarts = 0;
  /** Last heartbeat's numbers. */
  stats = { rss: 0, loadedIsolates: 0, warmIsolates: 0 };

  constructor(index: number, init: ExecutorInit, hooks: ExecutorHooks) {
    this.#index = index;
    this.#init = init;
    this.#hooks = hooks;
  }

  get pid(): number | undefined {
    return this.#child?.pid;
  }

  get role(): ExecutorRole {
    return this.#init.role;
  }

  get inFlight(): number {
    return this.#pending.size;
  }

  /** Resolves once a child is ready to take work. */
  whenReady(): Promise<void> {
    if (this.#ready) return Promise.resolve();
    return new Promise((resolve) => this.#waiting.push(resolve));
  }

  start(): void {
    if (this.#closed) return;
    const now = Date.now();
    this.#recentStarts = [...this.#recentStarts.filter((t) => now - t < 10_000), now];
    this.#killReason = undefined;
    this.#stderrTail = '';
    this.#sentSpecs.clear();
    const { limits, role } = this.#init;
    const priority =
      role === 'quarantine'
        ? [limits.quarantineNice, limits.quarantineGroupNice]
        : [limits.executorNice];
    const child = fork(CHILD_ENTRY, priority.map(String), {
      execArgv: ['--no-node-snapshot'],
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
      // The executor gets what it needs through `init`; the engine's environment (admin
      // token, secrets) stays out of the process that runs untrusted code.
      env: childEnv(),
      // The quarantine gets a session of its own: under autogroups a session is a CPU
      // scheduling group, and suspects looping at nice 19 inside the engine's group still spent
      // that group's share when another session was busy (an IPC round trip's p99 went from
      // ≈ 0.4 ms to ≈ 90 ms, measured; in a group of its own ≈ 7 ms). Its group's nice
      // (quarantineGroupNice) is moderate so that busy sessions cannot starve it. Main
      // executors stay in the engine's group: what they run is the engine's work, at nice 10
      // inside it. A detached child still ends with the engine: it exits when its IPC channel
      // closes.
      detached: role === 'quarantine',
    });
    this.#child = child;
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      this.#stderrTail = (this.#stderrTail + chunk).slice(-STDERR_TAIL_CHARS);
      process.stderr.write(chunk);
    });
    child.on('message', (message: FromExecutor) => this.#onMessage(child, message));
    child.on('exit', (code, signal) => this.#onExit(child, code, signal));
    child.on('error', (error) =>
      this.#hooks.logger?.error?.(
        { executor: this.#index, err: error.message },
        'executor process error',
      ),
    );
    this.#send({ type: 'init', ...this.#init });
    this.#lastHeartbeat = performance.now();
    this.#watchdog ??= setInterval(() => this.#watch(), this.#init.limits.heartbeatMs);
    this.#watchdog.unref();
  }

  /** Runs one invocation in the child (or learns that it belongs in quarantine); never rejects. */
  async invoke(invocation: ExecutorInvocation): Promise<InvocationOutcome | typeof REROUTED> {
    if (!this.#ready) await this.whenReady();
    if (this.#closed)
      return hostOutcome(
        'execution_rejected',
        RUNTIME_CODES.sandboxClosed,
        'The sandbox is closed',
      );
    if (this.#initError !== undefined)
      return hostOutcome(
        'execution_failed',
        RUNTIME_CODES.executorCrashed,
        `The executor could not start: ${this.#initError}`,
      );
    const id = this.#nextId++;
    const limits = this.#init.limits;
    return new Promise((resolve) => {
      const now = performance.now();
      this.#pending.set(id, {
        invocation,
        startedAt: now,
        overdueAt: now + invocation.timeoutMs + limits.deadlineGraceMs,
        resolve,
      });
      this.#sendInvoke(id, invocation, false);
    });
  }

  #sendInvoke(id: number, invocation: ExecutorInvocation, forceCode: boolean): void {
    const { fn } = invocation;
    const key = specKey(fn, fn.code.length);
    const known = !forceCode && this.#sentSpecs.get(fn.name) === key;
    if (!known) this.#sentSpecs.set(fn.name, key);
    const ref = known
      ? { name: fn.name, version: fn.version, memoryMb: fn.memoryMb, env: fn.env }
      : fn;
    const message: InvokeMessage = {
      type: 'invoke',
      id,
      fn: ref,
      timeoutMs: invocation.timeoutMs,
      async: invocation.async,
      jobJson: invocation.jobJson,
      jobId: invocation.jobId,
      ...(invocation.userId === undefined ? {} : { userId: invocation.userId }),
    };
    // The runs handed over in one turn (a claim starts several) go as one message, once the
    // turn's promise jobs have run: one serialisation, write and read instead of one each.
    this.#invokes.push(message);
    if (this.#invokes.length === 1) process.nextTick(this.#flushInvokes);
  }

  readonly #flushInvokes = (): void => {
    const invokes = this.#invokes;
    if (invokes.length === 0) return;
    this.#invokes = [];
    const child = this.#child;
    if (!child?.connected) return;
    child.send(invokes.length === 1 ? invokes[0]! : { type: 'invokes', invokes });
  };

  forget(name: string): void {
    this.#sentSpecs.delete(name);
    if (this.#ready) this.#send({ type: 'forget', name });
  }

  /** Lets a version that ended its probation run here again (sent before its next invocation). */
  trust(name: string, version: number): void {
    if (this.#ready) this.#send({ type: 'trust', name, version });
  }

  /** Kills the child (it is restarted unless the supervisor is closing). */
  kill(reason: string): void {
    if (
      this.#child === undefined ||
      this.#child.exitCode !== null ||
      this.#child.signalCode !== null
    )
      return;
    this.#killReason ??= reason;
    this.#ready = false; // new invocations wait for the replacement instead of dying with this child
    this.#hooks.logger?.warn?.(
      { executor: this.#index, pid: this.#child.pid, reason },
      'killing executor',
    );
    this.#child.kill('SIGKILL');
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#watchdog !== undefined) clearInterval(this.#watchdog);
    if (this.#restartTimer !== undefined) clearTimeout(this.#restartTimer);
    for (const resolve of this.#waiting.splice(0)) resolve();
    const child = this.#child;
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    this.#send({ type: 'close' });
    const timer = setTimeout(() => child.kill('SIGKILL'), 2000);
    await exited;
    clearTimeout(timer);
  }

  #send(message: ToExecutor): void {
    this.#flushInvokes(); // nothing overtakes the invocations queued before it
    const child = this.#child;
    if (child?.connected) child.send(message);
  }

  #onMessage(child: ChildProcess, message: FromExecutor): void {
    if (child !== this.#child) return;
    switch (message.type) {
      case 'ready':
        this.#ready = true;
        this.#initError = undefined;
        this.#lastHeartbeat = performance.now();
        for (const resolve of this.#waiting.splice(0)) resolve();
        return;
      case 'init-failed':
        this.#initError = message.message.split('\n')[0];
        this.#hooks.logger?.error?.(
          { executor: this.#index, err: message.message },
          'executor failed to start',
        );
        this.#ready = true; // let waiting invocations fail with the reason instead of hanging
        for (const resolve of this.#waiting.splice(0)) resolve();
        return;
      case 'outcomes':
        this.#onHostEvents(message.events);
        for (const { id, outcome } of message.outcomes) {
          const pending = this.#pending.get(id);
          if (pending === undefined) continue;
          this.#pending.delete(id);
          pending.resolve(outcome);
        }
        return;
      case 'nested': {
        const pending = this.#pending.get(message.id);
        const reply = (replyJson: string): void => {
          if (this.#child === child && this.#pending.has(message.id))
            this.#send({ type: 'nested-reply', id: message.id, callId: message.callId, replyJson });
        };
        if (pending?.invocation.onNested)
          pending.invocation.onNested(message.callId, message.requestJson, reply);
        else this.#hooks.onNested(message.id, message.callId, message.requestJson, reply);
        return;
      }
      case 'reroute': {
        const pending = this.#pending.get(message.id);
        if (pending === undefined) return;
        this.#pending.delete(message.id);
        pending.resolve(REROUTED);
        return;
      }
      case 'need-code': {
        const pending = this.#pending.get(message.id);
        if (pending !== undefined) this.#sendInvoke(message.id, pending.invocation, true);
        return;
      }
      case 'host-events':
        this.#onHostEvents(message.events);
        return;
      case 'heartbeat':
        this.#lastHeartbeat = performance.now();
        this.stats = {
          rss: message.rss,
          loadedIsolates: message.loadedIsolates,
          warmIsolates: message.warmIsolates,
        };
        if (message.rss > this.#init.limits.rssCeilingMb * 1024 * 1024) {
          this.kill(
            `its RSS of ${Math.round(message.rss / 1048576)} MB passed the ceiling of ${this.#init.limits.rssCeilingMb} MB`,
          );
        }
        return;
    }
  }

  #onHostEvents(events: HostEvent[]): void {
    for (const event of events) {
      // One event that fails to be handled loses that event only (as a refused inbox
      // write does), never the engine: this runs in an IPC callback, outside any catch.
      try {
        this.#hooks.onHostEvent(event.kind, event.payload);
      } catch (err) {
        this.#hooks.logger?.error?.(
          { executor: this.#index, kind: String(event.kind).slice(0, 64), err },
          'host event not handled',
        );
      }
    }
  }

  #watch(): void {
    if (!this.#ready || this.#child === undefined) return;
    const now = performance.now();
    // A job legitimately holds the executor's thread (and its heartbeat) up to its deadline;
    // while jobs are in flight their deadlines are the measure, silence only counts when idle.
    if (
      this.#pending.size === 0 &&
      now - this.#lastHeartbeat > this.#init.limits.heartbeatTimeoutMs
    ) {
      this.kill(`it sent no heartbeat for ${Math.round(now - this.#lastHeartbeat)} ms`);
      return;
    }
    for (const pending of this.#pending.values()) {
      if (now > pending.overdueAt) {
        this.#hooks.onCulprit(pending.invocation.fn.name, pending.invocation.fn.version);
        this.kill(
          `function ${pending.invocation.fn.name} ran past its ${pending.invocation.timeoutMs} ms deadline and the executor did not stop it (a catastrophic out-of-memory or a wedged V8)`,
        );
        return;
      }
    }
  }

  /** Names the function whose isolate brought the child down, when the child could say. */
  #blameCulprit(): void {
    const at = this.#stderrTail.lastIndexOf(CULPRIT_MARKER);
    if (at < 0) return;
    const line = this.#stderrTail.slice(at + CULPRIT_MARKER.length).split('\n')[0] ?? '';
    try {
      const culprit = JSON.parse(line) as { name?: unknown; version?: unknown };
      if (typeof culprit.name === 'string' && typeof culprit.version === 'number')
        this.#hooks.onCulprit(culprit.name, culprit.version);
    } catch {
      // a torn line: no one to blame
    }
  }

  #onExit(child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (child !== this.#child) return;
    this.#ready = false;
    const catastrophic = /catastrophic V8 error: (.*)/.exec(this.#stderrTail)?.[1];
    this.#blameCulprit();
    const reason =
      this.#killReason ??
      (catastrophic !== undefined
        ? `V8 reported a catastrophic error (${catastrophic.trim()})`
        : `it exited (${signal ?? `code ${code}`})`);
    const failed = [...this.#pending.values()];
    this.#pending.clear();
    for (const pending of failed) {
      const message = `The executor running this function was restarted because ${reason}; this run was lost`;
      pending.resolve(
        hostOutcome(
          'execution_failed',
          RUNTIME_CODES.executorCrashed,
          message,
          Math.round(performance.now() - pending.startedAt),
        ),
      );
    }
    if (this.#closed) return;
    this.restarts++;
    this.#hooks.logger?.warn?.(
      { executor: this.#index, reason, failed: failed.length },
      'executor restarting',
    );
    // A crash loop (bad HostOps module, broken install) backs off instead of spinning.
    const delay = this.#recentStarts.length >= 5 ? 1000 : 0;
    this.#restartTimer = setTimeout(() => this.start(), delay);
  }
}
