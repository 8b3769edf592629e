/**
 * The executor process (forked by the supervisor with --no-node-snapshot and advanced
 * serialization, through executor-entry.ts, which has lowered its CPU priority already). It
 * loads the HostOps module it is told to, keeps a warm isolate pool and the function cache,
 * runs invocations and reports heartbeats. A catastrophic V8 error makes it kill itself at
 * once: its isolates can no longer be trusted and the process might not be able to exit by
 * itself; the supervisor restarts it.
 *
 * A main executor also remembers the versions it saw offend (runtime/supervisor/suspects.ts)
 * and bounces their invocations that were already on their way (`reroute`) until the main
 * process, which moves them to quarantine, says otherwise (`trust`).
 */
import { writeSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import type { CreateHostOps, HostOps, HostOpsModuleSpec } from '../host-ops-port.ts';
import { checkJson, MAX_OUTPUT_DEPTH } from '../json-limits.ts';
import type { SandboxLimits } from '../limits.ts';
import { CommitHold } from './commit-hold.ts';
import { FunctionCache } from './function-cache.ts';
import { Outbox } from './outbox.ts';
import type { FunctionInstance } from './function-instance.ts';
import { loadPreludeCode } from './prelude-source.ts';
import {
  CATASTROPHIC_MARKER,
  conductOf,
  CULPRIT_MARKER,
  type FromExecutor,
  type FunctionRef,
  type InvokeMessage,
  type ToExecutor,
  versionKey,
} from '../protocol.ts';
import { WarmPool } from './warm-pool.ts';

function sendNow(message: FromExecutor): void {
  if (process.connected) process.send?.(message);
}

/** Offending versions a main executor remembers; past it, the main process's list still routes them. */
const MAX_OFFENDERS = 10_000;
// Outcomes and host events go together, once per turn (outbox.ts). Any other message
// flushes them first, so nothing overtakes them and a job's events arrive before its outcome.
const outbox = new Outbox(sendNow);

function emitEvent(kind: string, payload: unknown): void {
  // Host ops check what they store, so this never trips; it is the last guard before IPC,
  // whose deserialiser in the main process would overflow its stack on a very deep value.
  const check = checkJson(payload, { maxDepth: MAX_OUTPUT_DEPTH });
  if (!check.ok) {
    process.emitWarning(`host event ${kind.slice(0, 64)} dropped: its payload is ${check.message}`);
    return;
  }
  outbox.event({ kind, payload });
}

function send(message: FromExecutor): void {
  outbox.flush();
  sendNow(message);
}

function onCatastrophicError(
  message: string,
  culprit: { name: string; version: number } | undefined,
): void {
  // Synchronous write: the IPC channel would not flush before the kill.
  try {
    writeSync(2, `${CATASTROPHIC_MARKER} ${message}\n`);
    if (culprit !== undefined) writeSync(2, `${CULPRIT_MARKER} ${JSON.stringify(culprit)}\n`);
  } catch {
    // nothing left to tell
  }
  process.kill(process.pid, 'SIGKILL');
}

async function loadHostOps(spec: HostOpsModuleSpec | undefined): Promise<HostOps | undefined> {
  if (spec === undefined) return undefined;
  const url = spec.module.startsWith('file:') ? spec.module : pathToFileURL(spec.module).href;
  const mod = (await import(url)) as { createHostOps?: CreateHostOps };
  if (typeof mod.createHostOps !== 'function')
    throw new Error(`${spec.module} does not export createHostOps`);
  return mod.createHostOps(spec.options, emitEvent);
}

/** How long a closing executor waits for its HostOps to let go (the supervisor kills it at 2 s). */
const HOST_OPS_CLOSE_MS = 1500;

function closeHostOps(hostOps: HostOps | undefined): void {
  const exit = (): never => process.exit(0);
  setTimeout(exit, HOST_OPS_CLOSE_MS).unref();
  try {
    void Promise.resolve(hostOps?.close()).then(exit, exit);
  } catch {
    exit();
  }
}

async function start(init: Extract<ToExecutor, { type: 'init' }>): Promise<void> {
  const limits: SandboxLimits = init.limits;
  const quarantine = init.role === 'quarantine';
  const [prelude, hostOps] = await Promise.all([loadPreludeCode(), loadHostOps(init.hostOps)]);
  const pool = new WarmPool(prelude, {
    // Suspects are few and their cold starts matter little: one warm isolate is enough.
    size: quarantine ? Math.min(1, limits.warmPoolSize) : limits.warmPoolSize,
    defaultMemoryMb: limits.defaultMemoryMb,
    onCatastrophicError,
  });
  const running = new Map<number, FunctionInstance>();
  // Table writes of quick runs share commits, settled before anything leaves (commit-hold.ts).
  const commits = new CommitHold(hostOps, () => outbox.later());
  outbox.gate = commits;
  const cache = new FunctionCache(pool, {
    limits,
    hostOps,
    nested: (id, callId, requestJson) => send({ type: 'nested', id, callId, requestJson }),
    commits,
  });
  /** Versions seen offending here (main executors only), in the order they offended. */
  const offenders = new Set<string>();
  const keyOf = (fn: FunctionRef) => versionKey(fn.name, fn.version);
  pool.refill();

  const heartbeat = setInterval(() => {
    send({
      type: 'heartbeat',
      rss: process.memoryUsage.rss(),
      loadedIsolates: cache.loadedIsolates,
      warmIsolates: pool.size,
    });
  }, limits.heartbeatMs);

  const invoke = (message: InvokeMessage): void => {
    const receivedAt = performance.now();
    if (offenders.has(keyOf(message.fn))) {
      send({ type: 'reroute', id: message.id });
      return;
    }
    const instance = cache.acquire(message.fn);
    if (instance === undefined) {
      send({ type: 'need-code', id: message.id });
      return;
    }
    running.set(message.id, instance);
    outbox.beforeRun();
    instance.run(
      {
        receivedAt,
        invocationId: message.id,
        jobId: message.jobId,
        jobJson: message.jobJson,
        userId: message.userId,
        timeoutMs: message.timeoutMs,
        asyncEntry: quarantine || message.async,
      },
      (outcome) => {
        running.delete(message.id);
        cache.release(instance);
        if (!quarantine && conductOf(outcome, limits) === 'offence') {
          if (offenders.size >= MAX_OFFENDERS) offenders.clear();
          offenders.add(keyOf(message.fn));
        }
        outbox.outcome({ id: message.id, outcome }, message.jobId);
      },
    );
  };

  process.removeAllListeners('message');
  process.on('message', (raw: unknown) => {
    const message = raw as ToExecutor;
    switch (message.type) {
      case 'invoke':
        invoke(message);
        return;
      case 'invokes':
        for (const one of message.invokes) invoke(one);
        return;
      case 'nested-reply':
        running.get(message.id)?.settleNested(message.id, message.callId, message.replyJson);
        return;
      case 'forget':
        cache.forget(message.name);
        for (const key of offenders) if (key.startsWith(`${message.name}\0`)) offenders.delete(key);
        return;
      case 'trust':
        offenders.delete(versionKey(message.name, message.version));
        return;
      case 'close':
        outbox.flush();
        clearInterval(heartbeat);
        cache.close();
        pool.close();
        closeHostOps(hostOps);
    }
  });
  send({ type: 'ready' });
}

// The main process is gone: nothing is left to report to, so go at once. Not process.exit: it
// waits for an isolate running on one of isolated-vm's threads, and a quarantined function
// looping until a deadline that no timer enforces any more kept an orphaned executor
// spinning a core (seen after a bench run whose engine was killed).
process.on('disconnect', () => process.kill(process.pid, 'SIGKILL'));
process.once('message', (raw: unknown) => {
  const message = raw as ToExecutor;
  if (message.type !== 'init') return;
  start(message).catch((e: unknown) => {
    send({ type: 'init-failed', message: e instanceof Error ? (e.stack ?? e.message) : String(e) });
    setTimeout(() => process.exit(1), 50);
  });
});
