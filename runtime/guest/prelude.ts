/**
 * The prelude: the first script of every isolate. It captures the built-ins it relies on,
 * installs the guest globals (console, timers, process.env, BaaS, Web-ish built-ins), removes
 * what a function must not have, and returns the single `enter` function through which the
 * executor starts jobs, fires timers and settles nested calls. It imports nothing from Node
 * or the engine: the host is reachable only through the bridge functions passed to install.
 */
import { atob, btoa } from './base64.ts';
import { createBaaS } from './baas.ts';
import type { Enter, HostBridge } from './bridge.ts';
import { createConsole, type ConsoleSink } from './console.ts';
import { createCrypto } from './crypto.ts';
import { createFetch, Headers, Response } from './fetch.ts';
import { createHostCaller } from './host-call.ts';
import { type ErrorData, toErrorData } from './errors.ts';
import {
  JSONParse,
  JSONStringify,
  NativeError,
  ObjectDefineProperty,
  ObjectFreeze,
  PromisePrototypeThen,
  PromiseResolve,
} from './intrinsics.ts';
import { TextDecoder, TextEncoder } from './text-codec.ts';
import { createTimers } from './timers.ts';
import { URL, URLSearchParams } from './url.ts';

interface Setup {
  env: Record<string, string>;
  timeoutMs: number;
  memoryMb: number;
  maxResultChars: number;
  maxLogLineChars: number;
  maxTimers: number;
}

interface JobRequest {
  jobId: string;
  data: unknown;
  eventType: string;
  trigger?: { name: string; type: string };
  change?: unknown;
  /** `{user: {id, openid, …}}` when the run is made for a user. */
  request?: { user?: { id?: unknown } };
}

type Main = (event: unknown, callback?: (error: unknown, data?: unknown) => void) => unknown;

const REMOVED_GLOBALS = ['SharedArrayBuffer', 'Atomics', 'WebAssembly', 'console', '__cfnDefine'];
const IDLE_CHECK_TIMER = 0;

function defineGlobal(name: string, value: unknown): void {
  ObjectDefineProperty(globalThis, name, {
    value,
    writable: true,
    configurable: true,
    enumerable: false,
  });
}

/** Installs the guest runtime; the arguments are the host's bridge callbacks. */
export function install(
  hostCall: HostBridge['hostCall'],
  log: HostBridge['log'],
  timer: HostBridge['timer'],
  nested: HostBridge['nested'],
  done: HostBridge['done'],
  random: HostBridge['random'],
): Enter {
  for (const name of REMOVED_GLOBALS) delete (globalThis as Record<string, unknown>)[name];

  const sink: ConsoleSink = { open: true, maxLineChars: 65536, log };
  const timers = createTimers(timer);
  // The user the current job is made for (BaaS.User's getCurrentUserWithoutData).
  let currentUserId: number | null = null;
  const { call, pendingCalls } = createHostCaller(hostCall);
  const { BaaS, nestedCalls, hostRequest } = createBaaS(call, nested, () => currentUserId);
  let setup: Setup | undefined;
  let moduleObject: { exports: unknown } | undefined;
  let loadError: ErrorData | undefined;
  let jobOpen = false;
  // A callback-style run's outcome, held while its timers and nested calls are pending.
  let heldOutcome: { error: unknown; value: unknown } | undefined;

  defineGlobal('console', createConsole(sink));
  for (const [name, fn] of Object.entries(timers.globals)) defineGlobal(name, fn);
  defineGlobal('queueMicrotask', (fn: () => void) => {
    if (typeof fn !== 'function')
      throw new TypeError('The "callback" argument must be of type function');
    void PromisePrototypeThen(
      PromiseResolve(undefined),
      () => fn(),
      () => undefined,
    );
  });
  defineGlobal('BaaS', BaaS);
  defineGlobal('TextEncoder', TextEncoder);
  defineGlobal('TextDecoder', TextDecoder);
  defineGlobal('URL', URL);
  defineGlobal('URLSearchParams', URLSearchParams);
  defineGlobal('atob', atob);
  defineGlobal('btoa', btoa);
  defineGlobal('crypto', createCrypto(random));
  defineGlobal('fetch', createFetch(hostRequest));
  defineGlobal('Headers', Headers);
  defineGlobal('Response', Response);

  /**
   * `callback(error, value)` of a callback-style run. As on MinCloud (nodejs-event-loop.md)
   * and Lambda (callbackWaitsForEmptyEventLoop), the run ends only once the event loop is
   * empty: timers set before or after the callback still run (until the deadline), and so
   * do BaaS.invoke calls and host calls in flight. An async run ends when its promise settles.
   */
  function callbackOutcome(error: unknown, value: unknown): void {
    if (!jobOpen || heldOutcome !== undefined) return;
    if (idle()) return finish(error, value);
    heldOutcome = { error, value };
    checkIdleSoon();
  }

  function idle(): boolean {
    return timers.pending() === 0 && nestedCalls.pending() === 0 && pendingCalls.pending() === 0;
  }

  // The idle check runs as a host timer of its own (id 0; guest timers count from 1), so it
  // comes after every microtask the last timer or nested answer started.
  function checkIdleSoon(): void {
    if (heldOutcome !== undefined) timer(0, IDLE_CHECK_TIMER);
  }

  function checkIdle(): void {
    const held = heldOutcome;
    if (held === undefined || !idle()) return;
    finish(held.error, held.value);
  }

  function finish(error: unknown, value: unknown): void {
    if (!jobOpen) return;
    jobOpen = false;
    heldOutcome = undefined;
    timers.reset();
    nestedCalls.reset();
    pendingCalls.reset();
    if (error !== null && error !== undefined) {
      done(JSONStringify({ ok: false, error: toErrorData(error) }));
      return;
    }
    let resultJson: string | undefined;
    try {
      resultJson = value === undefined ? undefined : JSONStringify(value);
    } catch (e) {
      done(
        JSONStringify({
          ok: false,
          error: {
            ...toErrorData(e),
            code: 'E_FUNCTION_RESULT_INVALID',
            message: `The function's result is not JSON-serializable: ${toErrorData(e).message}`,
          },
        }),
      );
      return;
    }
    const limit = (setup as Setup).maxResultChars;
    if (resultJson !== undefined && resultJson.length > limit) {
      done(
        JSONStringify({
          ok: false,
          error: {
            name: 'RangeError',
            code: 'E_FUNCTION_RESULT_TOO_LARGE',
            message: `The function's result is ${resultJson.length} characters of JSON, over the limit of ${limit}`,
          },
        }),
      );
      return;
    }
    done(resultJson === undefined ? '{"ok":true}' : `{"ok":true,"result":${resultJson}}`);
  }

  function resolveMain(): Main | undefined {
    const exp = (moduleObject as { exports: unknown }).exports as
      Record<string, unknown> | Main | null;
    if (typeof exp === 'function') return exp;
    if (exp === null || typeof exp !== 'object') return undefined;
    if (typeof exp.main === 'function') return exp.main as Main;
    const def = exp.default as Record<string, unknown> | Main | undefined;
    if (typeof def === 'function') return def;
    if (def !== null && typeof def === 'object' && typeof def.main === 'function')
      return def.main as Main;
    return undefined;
  }

  function run(job: JobRequest): void {
    const cfg = setup as Setup;
    jobOpen = true;
    heldOutcome = undefined;
    sink.open = true;
    if (loadError !== undefined) return finish(loadError, undefined);
    const main = resolveMain();
    if (main === undefined) {
      const error = new NativeError(
        'The function does not export a main function: write `exports.main = async function (event) { … }`',
      );
      (error as Error & { code: string }).code = 'E_FUNCTION_NO_MAIN';
      return finish(error, undefined);
    }
    const event: Record<string, unknown> = {
      data: job.data,
      eventType: job.eventType,
      jobId: job.jobId,
      timeLimitInMS: cfg.timeoutMs,
      memoryLimitInMB: cfg.memoryMb,
    };
    if (job.trigger !== undefined) event.trigger = job.trigger;
    if (job.change !== undefined) event.change = job.change;
    const userId = job.request?.user?.id;
    currentUserId = typeof userId === 'number' ? userId : null;
    if (job.request !== undefined) event.request = job.request;
    try {
      if (main.length >= 2) {
        const returned = main(event, (error: unknown, data?: unknown) =>
          callbackOutcome(error, data),
        );
        if (
          returned !== null &&
          typeof returned === 'object' &&
          typeof (returned as Promise<unknown>).then === 'function'
        ) {
          void PromisePrototypeThen(
            PromiseResolve(returned),
            (v) => v !== undefined && finish(null, v),
            (e) => finish(e ?? new NativeError('The function rejected'), undefined),
          );
        }
      } else {
        void PromisePrototypeThen(
          PromiseResolve(main(event)),
          (v) => finish(null, v),
          (e) => finish(e ?? new NativeError('The function rejected'), undefined),
        );
      }
    } catch (e) {
      finish(e ?? new NativeError('The function threw'), undefined);
    }
  }

  function configure(cfg: Setup): void {
    setup = cfg;
    sink.maxLineChars = cfg.maxLogLineChars;
    timers.setMax(cfg.maxTimers);
    const env = ObjectFreeze({ ...cfg.env });
    defineGlobal('process', ObjectFreeze({ env }));
    const requireStub = (name: unknown): never => {
      const error = new NativeError(
        `require(${JSONStringify(String(name))}) is not available: cloudfn bundles a function's own files at deploy time, and Node built-ins (fs, net, child_process, …) do not exist in the sandbox`,
      );
      (error as Error & { code: string }).code = 'E_FUNCTION_REQUIRE';
      throw error;
    };
    // One-shot loader the executor's wrapper script calls; it removes itself before user code runs.
    defineGlobal(
      '__cfnDefine',
      (factory: (exports: unknown, module: unknown, require: unknown) => void) => {
        delete (globalThis as Record<string, unknown>).__cfnDefine;
        const mod = { exports: {} as unknown };
        moduleObject = mod;
        try {
          factory.call(mod.exports, mod.exports, mod, requireStub);
        } catch (e) {
          loadError = { ...toErrorData(e), code: toErrorData(e).code ?? 'E_FUNCTION_LOAD' };
        }
      },
    );
  }

  return (kind, a, b) => {
    switch (kind) {
      case 'setup':
        return configure(JSONParse(a as string) as Setup);
      case 'run':
        return run(JSONParse(a as string) as JobRequest);
      case 'timer':
        if (a === IDLE_CHECK_TIMER) return checkIdle();
        try {
          timers.fire(a as number);
        } catch (e) {
          finish(e ?? new NativeError('A timer callback threw'), undefined);
        }
        return checkIdleSoon();
      case 'nested':
        nestedCalls.settle(a as number, b as string);
        return checkIdleSoon();
      case 'host-reply':
        pendingCalls.settle(a as number, b as string);
        return checkIdleSoon();
      case 'abort':
        // The host ended the job (deadline): drop its timers and pending calls.
        jobOpen = false;
        heldOutcome = undefined;
        timers.reset();
        nestedCalls.reset();
        pendingCalls.reset();
        return;
    }
  };
}

// The executor takes this (and deletes it) right after the prelude script ran: a configurable
// global, so nothing of it is left when user code starts.
(globalThis as Record<string, unknown>).__cloudfnInstall = install;
