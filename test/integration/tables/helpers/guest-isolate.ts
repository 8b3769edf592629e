/**
 * A real isolated-vm isolate running the guest table SDK (bundled from
 * runtime/guest/tables/index.ts with esbuild), with `call` backed by handleTableOp through
 * a synchronous ivm.Callback that passes JSON strings both ways — the shape the runtime's
 * prelude uses. This proves the SDK independently of the prelude.
 */
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import ivm from 'isolated-vm';
import { EngineError } from '../../../../engine/errors.ts';
import { handleTableOp } from '../../../../engine/tables/host-ops.ts';
import type { SyncTableStore, TableStore } from '../../../../engine/tables/table-store.ts';

const SDK_ENTRY = fileURLToPath(
  new URL('../../../../runtime/guest/tables/index.ts', import.meta.url),
);
let bundled: Promise<string> | undefined;

/** The SDK as an IIFE defining the global `CloudfnTables` (built once per test process). */
export function bundleGuestSdk(): Promise<string> {
  bundled ??= build({
    entryPoints: [SDK_ENTRY],
    bundle: true,
    write: false,
    format: 'iife',
    globalName: 'CloudfnTables',
    platform: 'neutral',
    target: 'es2022',
  }).then((r) => r.outputFiles[0]!.text);
  return bundled;
}

const PRELUDE = `
  const hostCall = globalThis.__hostCall;
  delete globalThis.__hostCall;
  const unwrap = (text) => {
    const answer = JSON.parse(text);
    if (answer.error) {
      const err = new Error(answer.error.message);
      Object.assign(err, answer.error);
      throw err;
    }
    return answer.ok;
  };
  // A host that answers later (PostgreSQL) is a Reference whose answer is a promise.
  const call = (op, args) =>
    typeof hostCall === 'function'
      ? unwrap(hostCall(op, JSON.stringify(args)))
      : hostCall
          .apply(undefined, [op, JSON.stringify(args)], { result: { promise: true, copy: true } })
          .then(unwrap);
  globalThis.BaaS = CloudfnTables.createTableApi(call);
`;

export interface GuestIsolate {
  /** Runs `body` as an async function with `args` (JSON) as `$args`; resolves its JSON result. */
  run<T = unknown>(body: string, args?: unknown): Promise<T>;
  /** How many host calls the guest made. */
  calls(): number;
  dispose(): void;
}

/** Answers one host call as the JSON text the prelude expects. */
function answer(store: SyncTableStore, op: string, argsJson: string): string {
  try {
    return JSON.stringify({
      ok: handleTableOp(store, op, JSON.parse(argsJson) as unknown) ?? null,
    });
  } catch (err) {
    return refusal(err);
  }
}

/** The same, from a store whose answers are promises. */
async function answerLater(store: TableStore, op: string, argsJson: string): Promise<string> {
  try {
    const ok = await handleTableOp(store, op, JSON.parse(argsJson) as unknown);
    return JSON.stringify({ ok: ok ?? null });
  } catch (err) {
    return refusal(err);
  }
}

function refusal(err: unknown): string {
  if (err instanceof EngineError) {
    return JSON.stringify({
      error: { code: err.code, status: err.status, message: err.message, details: err.details },
    });
  }
  return JSON.stringify({
    error: { code: 'E_INTERNAL', status: 500, message: (err as Error).message },
  });
}

/**
 * An isolate whose table calls reach `store`: answered inside the call for a synchronous
 * store (SQLite); for the port (`answersLater`, PostgreSQL) the guest awaits a promise.
 */
export async function createGuestIsolate(
  store: SyncTableStore | TableStore,
  memoryLimit = 64,
  answersLater = false,
): Promise<GuestIsolate> {
  const sdk = await bundleGuestSdk();
  const isolate = new ivm.Isolate({ memoryLimit });
  const context = await isolate.createContext();
  let count = 0;
  await context.global.set('globalThis', context.global.derefInto());
  await context.global.set(
    '__hostCall',
    answersLater
      ? new ivm.Reference((op: string, argsJson: string) => {
          count++;
          return answerLater(store as TableStore, op, argsJson);
        })
      : new ivm.Callback((op: string, argsJson: string) => {
          count++;
          return answer(store as SyncTableStore, op, argsJson);
        }),
  );
  await context.eval(sdk);
  await context.eval(PRELUDE);
  return {
    async run<T>(body: string, args?: unknown): Promise<T> {
      const code = `const $args = JSON.parse($0); return (async () => { ${body} })().then(
        (v) => JSON.stringify({ ok: v === undefined ? null : v }),
        (e) => JSON.stringify({ error: { name: e && e.name, message: e && e.message, code: e && e.code, reason: e && e.reason, status: e && e.status, details: e && e.details } }));`;
      const out = (await context.evalClosure(code, [JSON.stringify(args ?? null)], {
        result: { promise: true },
      })) as string;
      const parsed = JSON.parse(out) as { ok?: T; error?: Record<string, unknown> };
      if (parsed.error) throw Object.assign(new Error(String(parsed.error.message)), parsed.error);
      return parsed.ok as T;
    },
    calls: () => count,
    dispose() {
      context.release();
      if (!isolate.isDisposed) isolate.dispose();
    },
  };
}
