/** Shared set-up for runtime integration tests: a real sandbox and real bundled functions. */
import { fileURLToPath } from 'node:url';
import {
  bundleFunction,
  createSandbox,
  type SandboxOptions,
  type SupervisedSandbox,
} from '../../../runtime/index.ts';
import type {
  FunctionVersion,
  InvocationEvent,
  InvocationOutcome,
  NestedInvoke,
} from '../../../runtime/sandbox.ts';

export const COUNTING_HOST_OPS = fileURLToPath(new URL('./counting-host-ops.ts', import.meta.url));

let versions = 0;
let jobs = 0;

/** Bundles `source` into a deployable version named `name`. */
export async function deploy(
  name: string,
  source: string,
  overrides: Partial<FunctionVersion> = {},
): Promise<FunctionVersion> {
  const { code } = await bundleFunction({ source, filename: `${name}.js` });
  return { name, version: ++versions, code, timeoutMs: 2000, memoryMb: 64, env: {}, ...overrides };
}

/**
 * A sandbox with the counting host ops; the caller closes it in afterAll. Its executors run
 * at the test's own CPU priority unless the test sets one: below it, a busy test worker next
 * door could starve them past the deadlines these tests count on (the engine's lower
 * priorities have their own test in quarantine.test.ts).
 */
export function testSandbox(options: SandboxOptions = {}): SupervisedSandbox {
  return createSandbox({
    hostOps: { module: COUNTING_HOST_OPS, options: { start: 1000 } },
    ...options,
    limits: { executorNice: 0, quarantineNice: 0, quarantineGroupNice: 0, ...options.limits },
  });
}

/** Invokes `fn` with `data` as a plain `invoke` event. */
export function run(
  sandbox: SupervisedSandbox,
  fn: FunctionVersion,
  data: unknown = null,
  event: Partial<InvocationEvent> = {},
): Promise<InvocationOutcome> {
  return sandbox.invoke({
    fn,
    event: { data, eventType: 'invoke', jobId: `job-${++jobs}`, ...event },
  });
}

/** A function that must keep answering while others misbehave. */
export const HEALTHY = `let runs = 0;\nexports.main = async (event) => ({ runs: ++runs, echo: event.data });\n`;

/**
 * The engine's NestedInvoke, reduced to its essence: look the function up in `deployed` and
 * run it in the same sandbox one level deeper, answering MinCloud's {code, data, error}; with
 * `sync: false`, answer `code: 0` at once and run it on its own (into `background`, if given).
 */
export function nestedInvokeIn(
  sandbox: () => SupervisedSandbox,
  deployed: Map<string, FunctionVersion>,
  background: Promise<InvocationOutcome>[] = [],
): NestedInvoke {
  return async (name, data, options) => {
    const fn = deployed.get(name);
    if (fn === undefined) return { code: 1, data: null, error: { message: `no function ${name}` } };
    const running = sandbox().invoke({
      fn,
      event: { data, eventType: 'cloud_function', jobId: `${options.parentJobId}/${name}` },
      depth: options.depth,
    });
    if (!options.sync) {
      background.push(running);
      return { code: 0, data: null, error: {} };
    }
    const out = await running;
    return out.status === 'fulfilled'
      ? { code: 0, data: out.result ?? null, error: {} }
      : { code: 1, data: null, error: { message: out.error?.message ?? out.status } };
  };
}
