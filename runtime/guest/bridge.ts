/**
 * The host functions the executor hands to the prelude (isolated-vm Callbacks, which arrive
 * here as plain guest functions). Every argument and result is a string or number: the host
 * never receives a guest object, and the guest never receives a host object.
 */
export interface HostBridge {
  /** Synchronous host operation: `(op, argsJson)` → `'{"ok":…}'` or `'{"error":{…}}'`. */
  hostCall: (op: string, argsJson: string) => string;
  /** Appends one console line to the running job's log; answers false once the cap is hit. */
  log: (level: string, message: string) => boolean;
  /** `(delayMs, id)` schedules timer `id`; `(-1, id)` cancels it. */
  timer: (delayMs: number, id: number) => void;
  /** Starts a nested `BaaS.invoke`; the answer comes back through `enter('nested', id, json)`. */
  nested: (id: number, requestJson: string) => void;
  /** Reports the end of the running job: the outcome as JSON. */
  done: (outcomeJson: string) => void;
  /** `n` cryptographically random bytes from the host. */
  random: (n: number) => Uint8Array;
}

/** The one function the executor calls to enter the isolate. */
export type Enter = (kind: string, a?: unknown, b?: unknown) => void;
