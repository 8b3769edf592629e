/**
 * Isolates with the prelude already installed, waiting for a function. Taking one on the
 * first call after a deploy skips isolate creation, context creation and prelude compilation
 * (see docs/runtime.md for the numbers); the pool refills in the background on isolated-vm's
 * own threads, so the executor's event loop is not held up.
 */
import { randomBytes } from 'node:crypto';
import ivm from 'isolated-vm';
import type { Enter } from '../guest/isolate-entry.ts';
import { PRELUDE_FILENAME } from '../bundle/stack-mapper.ts';

/** The host side of the bridge for whichever function owns the isolate. */
export interface BridgeTarget {
  hostCall(op: unknown, argsJson: unknown): string;
  log(level: unknown, message: unknown): boolean;
  timer(delayMs: unknown, id: unknown): void;
  nested(id: unknown, requestJson: unknown): void;
  done(outcomeJson: unknown): void;
  /** The function version that owns the isolate (named when the isolate brings the executor down). */
  readonly fn: { name: string; version: number };
}

/** Told which function's isolate failed, when one had taken it. */
export type CatastrophicHandler = (
  message: string,
  culprit: { name: string; version: number } | undefined,
) => void;

export interface WarmIsolate {
  isolate: ivm.Isolate;
  context: ivm.Context;
  enter: ivm.Reference<Enter>;
  memoryMb: number;
  /** Where the bridge callbacks go; set when a function takes the isolate. */
  route: { target: BridgeTarget | undefined };
}

const NO_JOB = JSON.stringify({
  error: { name: 'Error', code: 'E_HOST_OP_FAILED', message: 'No job is running in this isolate' },
});
const INSTALL =
  'const install = globalThis.__cloudfnInstall; delete globalThis.__cloudfnInstall; return install($0, $1, $2, $3, $4, $5);';
const MAX_RANDOM_BYTES = 65536;

function bridgeCallbacks(route: WarmIsolate['route']): ivm.Callback[] {
  return [
    new ivm.Callback((op: unknown, args: unknown) =>
      route.target ? route.target.hostCall(op, args) : NO_JOB,
    ),
    new ivm.Callback((level: unknown, message: unknown) =>
      route.target ? route.target.log(level, message) : false,
    ),
    new ivm.Callback((delay: unknown, id: unknown) => route.target?.timer(delay, id)),
    new ivm.Callback((id: unknown, request: unknown) => route.target?.nested(id, request)),
    new ivm.Callback((outcome: unknown) => route.target?.done(outcome)),
    new ivm.Callback((n: unknown) => {
      const size = typeof n === 'number' && n > 0 ? Math.min(Math.floor(n), MAX_RANDOM_BYTES) : 0;
      return new Uint8Array(randomBytes(size));
    }),
  ];
}

export class WarmPool {
  readonly #prelude: string;
  readonly #targetSize: number;
  readonly #defaultMemoryMb: number;
  readonly #onCatastrophicError: CatastrophicHandler;
  readonly #ready = new Map<number, WarmIsolate[]>();
  #preludeCache: ivm.ExternalCopy<ArrayBuffer> | undefined;
  #filling = false;
  #closed = false;

  constructor(
    prelude: string,
    options: {
      size: number;
      defaultMemoryMb: number;
      onCatastrophicError: CatastrophicHandler;
    },
  ) {
    this.#prelude = prelude;
    this.#targetSize = options.size;
    this.#defaultMemoryMb = options.defaultMemoryMb;
    this.#onCatastrophicError = options.onCatastrophicError;
  }

  /** Ready isolates across all memory sizes. */
  get size(): number {
    let n = 0;
    for (const list of this.#ready.values()) n += list.length;
    return n;
  }

  /** An isolate with the prelude installed: from the pool, else made now. */
  take(memoryMb: number): WarmIsolate {
    const list = this.#ready.get(memoryMb);
    const warm = list?.pop() ?? this.#createSync(memoryMb);
    this.refill();
    return warm;
  }

  /** Tops the pool up in the background. */
  refill(): void {
    if (
      this.#filling ||
      this.#closed ||
      (this.#ready.get(this.#defaultMemoryMb)?.length ?? 0) >= this.#targetSize
    )
      return;
    this.#filling = true;
    setImmediate(() => void this.#fill());
  }

  async #fill(): Promise<void> {
    try {
      while (!this.#closed) {
        const list = this.#ready.get(this.#defaultMemoryMb) ?? [];
        this.#ready.set(this.#defaultMemoryMb, list);
        if (list.length >= this.#targetSize) break;
        const warm = await this.#createAsync(this.#defaultMemoryMb);
        if (this.#closed) warm.isolate.dispose();
        else list.push(warm);
      }
    } finally {
      this.#filling = false;
    }
  }

  #newIsolate(memoryMb: number, route: WarmIsolate['route']): ivm.Isolate {
    return new ivm.Isolate({
      memoryLimit: memoryMb,
      onCatastrophicError: (message: string) =>
        this.#onCatastrophicError(message, route.target?.fn),
    });
  }

  #scriptOptions(): ivm.ScriptInfo {
    return this.#preludeCache === undefined
      ? { filename: PRELUDE_FILENAME, produceCachedData: true }
      : { filename: PRELUDE_FILENAME, cachedData: this.#preludeCache };
  }

  #keepCache(script: ivm.Script & ivm.CachedDataResult): void {
    if (this.#preludeCache === undefined && script.cachedData !== undefined)
      this.#preludeCache = script.cachedData;
  }

  #createSync(memoryMb: number): WarmIsolate {
    const route: WarmIsolate['route'] = { target: undefined };
    const isolate = this.#newIsolate(memoryMb, route);
    const context = isolate.createContextSync();
    const script = isolate.compileScriptSync(this.#prelude, this.#scriptOptions());
    this.#keepCache(script);
    script.runSync(context, { release: true });
    const enter = context.evalClosureSync(INSTALL, bridgeCallbacks(route), {
      result: { reference: true },
      filename: PRELUDE_FILENAME,
    }) as ivm.Reference<Enter>;
    return { isolate, context, enter, memoryMb, route };
  }

  async #createAsync(memoryMb: number): Promise<WarmIsolate> {
    const route: WarmIsolate['route'] = { target: undefined };
    const isolate = this.#newIsolate(memoryMb, route);
    const context = await isolate.createContext();
    const script = await isolate.compileScript(this.#prelude, this.#scriptOptions());
    this.#keepCache(script);
    await script.run(context, { release: true });
    const enter = (await context.evalClosure(INSTALL, bridgeCallbacks(route), {
      result: { reference: true },
      filename: PRELUDE_FILENAME,
    })) as ivm.Reference<Enter>;
    return { isolate, context, enter, memoryMb, route };
  }

  close(): void {
    this.#closed = true;
    for (const list of this.#ready.values())
      for (const warm of list) if (!warm.isolate.isDisposed) warm.isolate.dispose();
    this.#ready.clear();
  }
}
