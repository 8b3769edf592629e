/** A function version as the executor keeps it: its code, its source map and its V8 cached data. */
import type ivm from 'isolated-vm';
import { createSourceMapper, type SourceMapper } from '../bundle/source-map.ts';
import { type FunctionRef, type FunctionSpec, specKey } from '../protocol.ts';
import { QuickRecord } from './quick-record.ts';

export class LoadedSpec {
  readonly spec: FunctionSpec;
  readonly bundleFile: string;
  readonly #key: string;
  /** Produced by the first compile, consumed by every later one (≈ 10× faster compiles). */
  cachedData: ivm.ExternalCopy<ArrayBuffer> | undefined;
  /** How quick this version's synchronous entries have been (whether its writes may be held). */
  readonly quick = new QuickRecord();
  #mapper: SourceMapper | undefined | null = null;

  constructor(spec: FunctionSpec) {
    this.spec = spec;
    this.bundleFile = `${spec.name}@${spec.version}.bundle.js`;
    this.#key = specKey(spec, spec.code.length);
  }

  /** True when `ref` names this version (same code when it carries code, same limits and env). */
  sameAs(ref: FunctionRef): boolean {
    if (ref.code !== undefined && ref.code !== this.spec.code) return false;
    return specKey(ref, this.spec.code.length) === this.#key;
  }

  /** The source mapper, decoded on first use (only failing runs need it). */
  mapper(): SourceMapper | undefined {
    if (this.#mapper === null) this.#mapper = createSourceMapper(this.spec.code);
    return this.#mapper;
  }
}
