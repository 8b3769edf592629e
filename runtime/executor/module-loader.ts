/**
 * Loads a function version into a warm isolate: the prelude's `setup` entry, then the bundle
 * wrapped in `__cfnDefine(…)` (the prelude's one-shot loader), compiled with the version's V8
 * cached data when it has some (and producing it the first time). Synchronously on the
 * executor's thread (the fast path) or through isolated-vm's async calls (off the thread).
 * Failures are thrown as isolated-vm threw them; the caller reads them (job-outcome.ts).
 */
import type ivm from 'isolated-vm';
import type { Entry, GuestSetup, JsonText } from '../guest/isolate-entry.ts';
import type { LoadedSpec } from './loaded-spec.ts';
import type { WarmIsolate } from './warm-pool.ts';

const WRAPPER_PREFIX = '__cfnDefine(function (exports, module, require) {\n';
const WRAPPER_SUFFIX = '\n});void 0';

/** The `setup` entry the prelude reads before the module runs. */
function setupEntry(setup: GuestSetup): Entry {
  return ['setup', JSON.stringify(setup) as JsonText<GuestSetup>];
}

function wrapped(spec: LoadedSpec): string {
  return WRAPPER_PREFIX + spec.spec.code + WRAPPER_SUFFIX;
}

function compileOptions(spec: LoadedSpec): ivm.ScriptOrigin & ivm.CachedDataOptions {
  const cached = spec.cachedData;
  return {
    filename: spec.bundleFile,
    lineOffset: -1,
    ...(cached === undefined ? { produceCachedData: true } : { cachedData: cached }),
  };
}

function keepCachedData(spec: LoadedSpec, script: ivm.Script & ivm.CachedDataResult): void {
  if (spec.cachedData === undefined && script.cachedData !== undefined)
    spec.cachedData = script.cachedData;
}

/** Loads on this thread; `timeout()` is the time left to the job's deadline, read per step. */
export function loadModuleSync(
  warm: WarmIsolate,
  spec: LoadedSpec,
  setup: GuestSetup,
  timeout: () => number,
): void {
  warm.enter.applySync(undefined, setupEntry(setup), { timeout: timeout() });
  const script = warm.isolate.compileScriptSync(wrapped(spec), compileOptions(spec));
  keepCachedData(spec, script);
  script.runSync(warm.context, { timeout: timeout(), release: true });
}

/** Loads through the async calls: the module's top level runs off this thread too. */
export async function loadModuleAsync(
  warm: WarmIsolate,
  spec: LoadedSpec,
  setup: GuestSetup,
  timeout: () => number,
): Promise<void> {
  await warm.enter.apply(undefined, setupEntry(setup), { timeout: timeout() });
  const script = await warm.isolate.compileScript(wrapped(spec), compileOptions(spec));
  keepCachedData(spec, script);
  await script.run(warm.context, { timeout: timeout(), release: true });
}
