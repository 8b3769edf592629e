/**
 * Built-ins captured before any user code runs. User code shares the context and may
 * replace `JSON.parse`, `Promise.prototype.then` or `Object.freeze`; the prelude only uses
 * these captured copies so that a guest can break nothing but its own run.
 */
const ReflectApply = Reflect.apply;
const uncurry =
  <T, A extends unknown[], R>(fn: (this: T, ...args: A) => R) =>
  (self: T, ...args: A): R =>
    ReflectApply(fn, self, args);

export const JSONParse = JSON.parse;
export const JSONStringify = JSON.stringify;
export const ObjectFreeze = Object.freeze;
export const ObjectKeys = Object.keys;
export const ObjectDefineProperty = Object.defineProperty;
export const ObjectPrototypeToString = uncurry(Object.prototype.toString);
export const ArrayIsArray = Array.isArray;
export const ArrayPrototypePush = uncurry(
  Array.prototype.push as (this: unknown[], ...items: unknown[]) => number,
);
export const ArrayPrototypeJoin = uncurry(
  Array.prototype.join as (this: unknown[], sep?: string) => string,
);
export const StringPrototypeSlice = uncurry(String.prototype.slice);
export const StringFromCharCode = String.fromCharCode;
export const PromisePrototypeThen = uncurry(Promise.prototype.then) as <T>(
  p: Promise<T>,
  onFulfilled: (v: T) => void,
  onRejected: (e: unknown) => void,
) => Promise<void>;
export const PromiseResolve = Promise.resolve.bind(Promise) as <T>(v: T) => Promise<Awaited<T>>;
export const NativePromise = Promise;
export const NativeError = Error;
export const NativeTypeError = TypeError;
export const NativeRangeError = RangeError;
export const NativeMap = Map;
export const MapPrototypeGet = uncurry(Map.prototype.get) as <K, V>(
  m: Map<K, V>,
  k: K,
) => V | undefined;
export const MapPrototypeSet = uncurry(Map.prototype.set) as <K, V>(
  m: Map<K, V>,
  k: K,
  v: V,
) => Map<K, V>;
export const MapPrototypeDelete = uncurry(Map.prototype.delete) as <K, V>(
  m: Map<K, V>,
  k: K,
) => boolean;
export const MapPrototypeClear = uncurry(Map.prototype.clear) as <K, V>(m: Map<K, V>) => void;
export const MapPrototypeSize = uncurry(
  Object.getOwnPropertyDescriptor(Map.prototype, 'size')!.get as (
    this: Map<unknown, unknown>,
  ) => number,
) as <K, V>(m: Map<K, V>) => number;
export const ReflectApplyFn = ReflectApply;
export const NumberIsFinite = Number.isFinite;
export const NativeString = String;
export const NativeUint8Array = Uint8Array;
export const DateNow = Date.now;
export const NativeDate = Date;
export const DatePrototypeToISOString = uncurry(Date.prototype.toISOString);
export const PromisePrototypeThenValue = uncurry(Promise.prototype.then) as <T, R>(
  p: Promise<T>,
  onFulfilled: (v: T) => R,
) => Promise<R>;
