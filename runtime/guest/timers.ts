/**
 * Guest timers. The host owns the clock: it schedules each timer in the executor and enters
 * the isolate when one fires, never past the job's deadline; timers still pending when a
 * job ends are dropped (like a frozen Lambda). A job holds at most `max` pending timers: past
 * it setTimeout/setInterval throw `E_TOO_MANY_TIMERS`, so a timer storm fails in the function
 * that made it, where its author sees why.
 */
import {
  MapPrototypeClear,
  MapPrototypeDelete,
  MapPrototypeGet,
  MapPrototypeSet,
  MapPrototypeSize,
  NativeMap,
  NativeRangeError,
  NativeTypeError,
  NumberIsFinite,
  ReflectApplyFn,
} from './intrinsics.ts';

interface Pending {
  fn: (...args: unknown[]) => unknown;
  args: unknown[];
  repeatMs: number; // -1 for setTimeout
}

export interface GuestTimers {
  globals: {
    setTimeout: (fn: unknown, ms?: unknown, ...args: unknown[]) => number;
    clearTimeout: (id: unknown) => void;
    setInterval: (fn: unknown, ms?: unknown, ...args: unknown[]) => number;
    clearInterval: (id: unknown) => void;
  };
  /** Runs timer `id`; its callback's exception propagates to the caller. */
  fire(id: number): void;
  /** Forgets every pending timer (the job ended). */
  reset(): void;
  /** Sets the cap on pending timers (from the executor's setup). */
  setMax(max: number): void;
  /** How many timers are pending (a callback-style run waits for none). */
  pending(): number;
}

export const TOO_MANY_TIMERS = 'E_TOO_MANY_TIMERS';

/** Builds the timer globals over the host's `schedule(delayMs, id)` (`-1` cancels). */
export function createTimers(schedule: (delayMs: number, id: number) => void): GuestTimers {
  const pending = new NativeMap<number, Pending>();
  let nextId = 1;
  let max = 100;

  const delayOf = (ms: unknown): number => {
    const n = Number(ms);
    return NumberIsFinite(n) && n > 0 ? n : 0;
  };
  const add = (fn: unknown, ms: unknown, args: unknown[], repeat: boolean): number => {
    if (typeof fn !== 'function')
      throw new NativeTypeError('The "callback" argument must be of type function');
    if (MapPrototypeSize(pending) >= max) {
      const error = new NativeRangeError(
        `This run already has ${max} pending timers, the limit: clear some (clearTimeout/clearInterval) before setting more`,
      );
      (error as RangeError & { code: string }).code = TOO_MANY_TIMERS;
      throw error;
    }
    const id = nextId++;
    const delay = delayOf(ms);
    MapPrototypeSet(pending, id, {
      fn: fn as Pending['fn'],
      args,
      repeatMs: repeat ? (delay < 1 ? 1 : delay) : -1,
    });
    schedule(delay, id);
    return id;
  };
  const clear = (id: unknown): void => {
    const n = Number(id);
    if (MapPrototypeDelete(pending, n)) schedule(-1, n);
  };

  return {
    globals: {
      setTimeout: (fn, ms, ...args) => add(fn, ms, args, false),
      clearTimeout: clear,
      setInterval: (fn, ms, ...args) => add(fn, ms, args, true),
      clearInterval: clear,
    },
    fire(id) {
      const timer = MapPrototypeGet(pending, id);
      if (timer === undefined) return;
      if (timer.repeatMs < 0) MapPrototypeDelete(pending, id);
      else schedule(timer.repeatMs, id);
      ReflectApplyFn(timer.fn, undefined, timer.args);
    },
    reset() {
      MapPrototypeClear(pending);
    },
    setMax(n) {
      max = n;
    },
    pending: () => MapPrototypeSize(pending),
  };
}
