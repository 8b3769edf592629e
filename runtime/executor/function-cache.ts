/**
 * The executor's loaded functions: per function, its current version's spec and a few
 * isolates (one per concurrent job). Isolates are kept warm between jobs (module globals
 * survive, like Lambda and Workers) and evicted least-recently-used when the executor holds
 * too many or their heaps pass the memory budget; the spec (code, cached data, source map)
 * stays, so a reload skips parsing. A new version replaces the old one's isolates.
 */
import type { SandboxLimits } from '../limits.ts';
import { FunctionInstance, type InstanceServices } from './function-instance.ts';
import { LoadedSpec } from './loaded-spec.ts';
import type { FunctionRef } from '../protocol.ts';
import type { WarmPool } from './warm-pool.ts';

interface Entry {
  spec: LoadedSpec;
  idle: FunctionInstance[];
  busy: Set<FunctionInstance>;
  stale: boolean;
}

/** Isolate memory outside its V8 heap pages (measured: docs/runtime.md), for the budget. */
const ISOLATE_OVERHEAD_BYTES = 256 * 1024;

export class FunctionCache {
  readonly #entries = new Map<string, Entry>(); // insertion order = least recently used first
  readonly #pool: WarmPool;
  readonly #services: InstanceServices;
  readonly #limits: SandboxLimits;
  #loaded = 0;
  /** Estimated bytes of all loaded isolates, kept up to date on every change. */
  #bytes = 0;
  readonly #accounted = new WeakMap<FunctionInstance, number>();

  constructor(pool: WarmPool, services: InstanceServices) {
    this.#pool = pool;
    this.#services = services;
    this.#limits = services.limits;
  }

  get loadedIsolates(): number {
    return this.#loaded;
  }

  /**
   * An isolate for `ref`, reserved for one job until release; undefined when `ref` carries no
   * code and this executor does not have that version (the sender then sends the code).
   */
  acquire(ref: FunctionRef): FunctionInstance | undefined {
    let entry = this.#entries.get(ref.name);
    if (entry !== undefined && !entry.spec.sameAs(ref)) {
      if (ref.code === undefined) return undefined;
      this.#retire(entry);
      entry = undefined;
    }
    if (entry === undefined) {
      if (ref.code === undefined) return undefined;
      entry = {
        spec: new LoadedSpec({ ...ref, code: ref.code }),
        idle: [],
        busy: new Set(),
        stale: false,
      };
    } else this.#entries.delete(ref.name);
    this.#entries.set(ref.name, entry);
    let instance = entry.idle.pop();
    while (instance !== undefined && instance.dead) {
      this.#drop(instance);
      instance = entry.idle.pop();
    }
    if (instance === undefined) {
      instance = new FunctionInstance(entry.spec, this.#pool.take(ref.memoryMb), this.#services);
      this.#loaded++;
      this.#bytes += ISOLATE_OVERHEAD_BYTES;
      this.#accounted.set(instance, 0);
    }
    entry.busy.add(instance);
    return instance;
  }

  /** Gives an isolate back after its job; dead or outdated ones are dropped. */
  release(instance: FunctionInstance): void {
    const entry = this.#entries.get(instance.spec.spec.name);
    const owned = entry !== undefined && entry.spec === instance.spec;
    if (owned) entry.busy.delete(instance);
    if (!owned || instance.dead || entry.stale) this.#drop(instance);
    else {
      this.#bytes += instance.heapBytes - (this.#accounted.get(instance) ?? 0);
      this.#accounted.set(instance, instance.heapBytes);
      entry.idle.push(instance);
    }
    this.#evict();
  }

  /** Drops a function's idle isolates now and its busy ones when their jobs end. */
  forget(name: string): void {
    const entry = this.#entries.get(name);
    if (entry !== undefined) this.#retire(entry);
  }

  #retire(entry: Entry): void {
    entry.stale = true;
    for (const instance of entry.idle) this.#drop(instance);
    entry.idle = [];
    // Busy instances still point at the old spec: release() disposes them when their jobs end.
    if (this.#entries.get(entry.spec.spec.name) === entry)
      this.#entries.delete(entry.spec.spec.name);
  }

  #drop(instance: FunctionInstance): void {
    instance.dispose();
    this.#loaded--;
    this.#bytes -= (this.#accounted.get(instance) ?? 0) + ISOLATE_OVERHEAD_BYTES;
    this.#accounted.delete(instance);
  }

  /** Estimated bytes of the loaded isolates (resident heap pages plus a fixed overhead each). */
  get loadedBytes(): number {
    return this.#bytes;
  }

  #evict(): void {
    const budget = this.#limits.isolateMemoryBudgetMb * 1024 * 1024;
    if (this.#loaded <= this.#limits.maxLoadedIsolates && this.#bytes <= budget) return;
    // Oldest entries first; entries stay (with cached data and source map) when their isolates go.
    for (const entry of this.#entries.values()) {
      while (
        entry.idle.length > 0 &&
        (this.#loaded > this.#limits.maxLoadedIsolates || this.#bytes > budget)
      ) {
        this.#drop(entry.idle.shift() as FunctionInstance);
      }
      if (this.#loaded <= this.#limits.maxLoadedIsolates && this.#bytes <= budget) return;
    }
  }

  close(): void {
    for (const entry of this.#entries.values()) {
      for (const i of entry.idle) i.dispose();
      for (const i of entry.busy) i.dispose();
    }
    this.#entries.clear();
    this.#loaded = 0;
    this.#bytes = 0;
  }
}
