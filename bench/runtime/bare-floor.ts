/**
 * The floors: isolated-vm used directly in this process, with no runtime around it — a cold
 * start (isolate + context + compile + first async call) and warm calls (async and sync).
 */
import ivm from 'isolated-vm';

const WRAP = (code: string): string =>
  `const module = { exports: {} }; const exports = module.exports;\n${code}\nglobalThis.main = module.exports.main; void 0;`;

export interface BareCold {
  isolate: ivm.Isolate;
  ms: number;
}

/** One bare cold start: new isolate, context, compile, run, first async call; returns its time. */
export async function bareColdStart(code: string, data: unknown): Promise<number> {
  const t0 = performance.now();
  const isolate = new ivm.Isolate({ memoryLimit: 128 });
  const context = await isolate.createContext();
  const script = await isolate.compileScript(WRAP(code));
  await script.run(context, { release: true });
  const main = (await context.global.get('main', { reference: true })) as ivm.Reference<
    (e: unknown) => unknown
  >;
  await main.apply(undefined, [{ data }], {
    arguments: { copy: true },
    result: { promise: true, copy: true },
  });
  const ms = performance.now() - t0;
  main.release();
  context.release();
  isolate.dispose();
  return ms;
}

/** A loaded bare isolate for warm-call floors. */
export async function bareWarm(code: string): Promise<{
  asyncCall(data: unknown): Promise<unknown>;
  syncCall(data: unknown): unknown;
  dispose(): void;
}> {
  const isolate = new ivm.Isolate({ memoryLimit: 128 });
  const context = await isolate.createContext();
  await context.eval(WRAP(code));
  const main = (await context.global.get('main', { reference: true })) as ivm.Reference<
    (e: unknown) => unknown
  >;
  // A sync entry that returns a JSON string, like the runtime's own sync path does.
  const syncMain = context.evalClosureSync(
    `return (json) => { let out; main(JSON.parse(json)).then((v) => { out = JSON.stringify(v) }); return () => out }`,
    [],
    { result: { reference: true } },
  ) as ivm.Reference<(json: string) => () => string>;
  return {
    asyncCall: (data) =>
      main.apply(undefined, [{ data }], {
        arguments: { copy: true },
        result: { promise: true, copy: true },
      }),
    syncCall: (data) => {
      const read = syncMain.applySync(undefined, [JSON.stringify({ data })], {
        result: { reference: true },
      }) as unknown as ivm.Reference<() => string>;
      const out = read.applySync(undefined, []);
      read.release();
      return out;
    },
    dispose: () => isolate.dispose(),
  };
}
