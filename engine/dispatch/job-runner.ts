import type { AttemptOutcome, Delivery, DeliveryLog, DispatchClaim } from '../store/index.ts';
import type { Clock } from '../clock.ts';
import { backoffDelayMs } from '../triggers/index.ts';
import type { TriggerDefinition } from '../triggers/index.ts';
import type { TriggerRegistry } from './trigger-registry.ts';
import { EngineError } from '../errors.ts';
import {
  ActionError,
  executeAction,
  type ActionExecutors,
  type ActionOutcome,
} from './actions/action-error.ts';
import type { Logger } from '../log.ts';

/**
 * How often the queue is looked at while attempts run, as a safety net (due retries, leases
 * expired elsewhere): a freed slot claims only for lanes known to wait, or after a wake.
 */
const BLOCKED_RECHECK_MS = 1000;
/**
 * How long a claim holds without renewal: a process that dies leaves its firings to others
 * after this (on a database several processes share). Renewed at a third of it while running.
 */
export const LEASE_MS = 60_000;

export interface JobRunnerOptions {
  /** Actions running at once, across all triggers. */
  concurrency: number;
  /**
   * Actions running at once in one lane: one function (whichever triggers call it), or one
   * table or webhook action. Below `concurrency`, so one busy lane cannot take every slot.
   */
  perLane: number;
  /** Who claims (unique per process): leases are held in its name. */
  owner: string;
  /** How long a claim holds without renewal (CLOUDFN_CLAIM_LEASE_MS); LEASE_MS when absent. */
  leaseMs?: number;
}

/**
 * Runs queued firings: at least once, with the trigger's retries and exponential back-off,
 * then dead letter. Each attempt leaves the trigger log row up to date.
 */
export class JobRunner {
  #delivery: DeliveryLog;
  #registry: Pick<TriggerRegistry, 'stored'>;
  #clock: Clock;
  #executors: ActionExecutors;
  #log: Pick<Logger, 'warn' | 'error'>;
  #options: JobRunnerOptions;
  /** Attempts started and not yet recorded. */
  #running = new Set<Promise<void>>();
  /** Of those, the ones whose action still runs (what `concurrency` caps). */
  #executing = 0;
  /** Ids of the firings running now, whose leases are renewed. */
  #held = new Set<string>();
  #lanes = new Map<string, number>();
  #timer: NodeJS.Timeout | undefined;
  /** When the timer fires (clock time), while one is set. */
  #timerAt: number | undefined;
  #renewTimer: NodeJS.Timeout | undefined;
  #scheduled = false;
  /** A claim is in flight: a wake meanwhile claims again after it (never two at once). */
  #ticking: Promise<void> | undefined;
  #again = false;
  #stopped = false;
  /**
   * The queue may hold due items this runner has not claimed, in any lane: set by every
   * `wake` (another process's notice, a replay, a retry, the safety net's timer), cleared by
   * a claim that found less than it had room for. While clear, and no lane is `#waiting`, a
   * freed slot makes no claim (a look would be a transaction, on a network database a round
   * trip, for nothing), and the dispatcher may claim its firings at dispatch (`reserve`).
   */
  #unknown = true;
  /** Lanes known to hold due items not claimed yet (queued by this process, or left by a claim's limit). */
  #waiting = new Set<string>();
  /** Counts `wake`s, so a claim clears `#unknown` only if none came while it was in flight. */
  #wakes = 0;
  /** Counts `queued` calls; per lane, the count at its last one (a claim older than it says nothing of it). */
  #queuedSeq = 0;
  #lastQueued = new Map<string, number>();
  /**
   * Claimed ahead of a free slot, oldest first: under a backlog a claim takes up to a lane's
   * cap more than can start, so the slots that free next start at once, and the queue is
   * read once per several runs instead of once per freed slot (each read a transaction; on a
   * network database the costliest statement per push). Their leases are renewed as the
   * running ones'; a stop gives them back (`unclaim`); a crash counts their claim's attempt.
   */
  #ready: Delivery[] = [];
  #readyLanes = new Map<string, number>();
  #pumping = false;
  /** Slots reserved for firings being dispatched (counted in `#executing` already), by lane. */
  #slotLanes = new Map<string, number>();
  /** Places ahead reserved for firings being dispatched (they join `#ready` once written). */
  #ahead = 0;
  #aheadLanes = new Map<string, number>();

  constructor(deps: {
    delivery: DeliveryLog;
    registry: Pick<TriggerRegistry, 'stored'>;
    clock: Clock;
    executors: ActionExecutors;
    log: Pick<Logger, 'warn' | 'error'>;
    options: JobRunnerOptions;
  }) {
    this.#delivery = deps.delivery;
    this.#registry = deps.registry;
    this.#clock = deps.clock;
    this.#executors = deps.executors;
    this.#log = deps.log;
    this.#options = deps.options;
  }

  /** The queue may hold due work in any lane: looks for it on the next turn (coalesced). */
  wake(): void {
    this.#unknown = true;
    this.#wakes++;
    this.#schedule();
  }

  /**
   * This process's dispatcher queued firings (unclaimed) in these lanes: a claim goes out
   * now unless their lanes hold enough claimed ahead to keep their slots busy meanwhile.
   */
  queued(lanes: Iterable<string>): void {
    this.#queuedSeq++;
    for (const lane of lanes) {
      this.#waiting.add(lane);
      this.#lastQueued.set(lane, this.#queuedSeq);
    }
    if (this.#wantsClaim()) this.#schedule();
  }

  /**
   * A claim for a firing the dispatcher is about to write (`NewFiring.claimedBy`), when
   * nothing older waits for its lane (in the queue, claimed ahead or reserved ahead: a fresh
   * firing must not pass those): a slot if one is free, else, under a backlog, a place ahead
   * (as a claim ahead would take it: at most twice the caps claimed and not finished), so
   * that its run needs no claim either. Held from now on: `started` runs or holds the firing
   * in it, `unreserve` gives it back.
   */
  reserve(lane: string, now: number): DispatchClaim | undefined {
    if (this.#stopped || this.#unknown || this.#waiting.has(lane)) return undefined;
    const claim = { owner: this.#options.owner, leaseUntil: now + this.#leaseMs() };
    if (!this.#readyLanes.has(lane) && !this.#aheadLanes.has(lane) && this.#hasRoom(lane)) {
      this.#take(lane);
      this.#slotLanes.set(lane, (this.#slotLanes.get(lane) ?? 0) + 1);
      return claim;
    }
    if (!this.#hasRoomAhead(lane)) return undefined;
    this.#ahead++;
    this.#aheadLanes.set(lane, (this.#aheadLanes.get(lane) ?? 0) + 1);
    return claim;
  }

  /** A reserved firing was written claimed: it runs in its reserved slot, or waits ahead. */
  started(item: Delivery): void {
    // No claim is made for it, so no claim arms the safety net's look at the queue (a retry
    // due later, another process's expired lease): arm it here.
    if (this.#timerAt === undefined) this.#setTimer(BLOCKED_RECHECK_MS);
    if (this.#takeReserved(this.#slotLanes, item.lane)) {
      this.#held.add(item.id);
      this.#start(item, true);
      return;
    }
    if (this.#takeReserved(this.#aheadLanes, item.lane)) this.#ahead--;
    if (this.#stopped) return void this.#giveBack([item]);
    this.#hold(item);
    this.#pump();
  }

  /** A reserved firing was not written (not admitted, taken by another process, failed). */
  unreserve(lane: string): void {
    // A place ahead first: a slot kept reserved serves the next one started in this lane.
    if (this.#takeReserved(this.#aheadLanes, lane)) this.#ahead--;
    else if (this.#takeReserved(this.#slotLanes, lane)) this.#give(lane);
  }

  /** Counts one reservation of `lane` in `lanes` as used; false if there was none. */
  #takeReserved(lanes: Map<string, number>, lane: string): boolean {
    const n = lanes.get(lane) ?? 0;
    if (n === 0) return false;
    if (n > 1) lanes.set(lane, n - 1);
    else lanes.delete(lane);
    return true;
  }

  #leaseMs(): number {
    return this.#options.leaseMs ?? LEASE_MS;
  }

  #schedule(): void {
    if (this.#scheduled || this.#stopped) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      this.#tick();
    });
  }

  /** Stops taking work, gives back what was claimed ahead, and waits for the attempts in flight. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#ticking;
    await this.#giveBack(this.#ready.splice(0));
    this.#readyLanes.clear();
    while (this.#running.size > 0) await Promise.allSettled([...this.#running]);
    clearInterval(this.#renewTimer);
  }

  /** Resolves when nothing is running and nothing is due now (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.#running.size > 0) await Promise.allSettled([...this.#running]);
  }

  /** True while an attempt runs. */
  busy(): boolean {
    return this.#running.size > 0;
  }

  #tick(): void {
    if (this.#stopped) return;
    if (this.#ticking) {
      this.#again = true;
      return;
    }
    this.#ticking = this.#claimAndStart()
      .catch((err: unknown) => this.#log.error({ err }, 'claiming due firings failed'))
      .finally(() => {
        this.#ticking = undefined;
        if (this.#again) {
          this.#again = false;
          this.#tick();
        }
      });
  }

  /** Whether a claim should go out now (the wakes' and the freed slots' test). */
  #wantsClaim(): boolean {
    if (this.#unknown) return true;
    // A lane known to have queued items, whose claimed-ahead items are running low.
    const low = Math.max(1, Math.floor(this.#options.perLane / 2));
    for (const lane of this.#waiting) if ((this.#readyLanes.get(lane) ?? 0) < low) return true;
    return false;
  }

  async #claimAndStart(): Promise<void> {
    const { concurrency, perLane } = this.#options;
    // Room for the free slots and, ahead of them, as many again: at most twice the caps
    // claimed and not finished, in all and per lane.
    const room = 2 * concurrency - this.#executing - this.#ready.length - this.#ahead;
    if (room > 0) {
      const held = new Map(this.#lanes);
      for (const [lane, n] of [...this.#readyLanes, ...this.#aheadLanes])
        held.set(lane, (held.get(lane) ?? 0) + n);
      const wakes = this.#wakes;
      const seq = this.#queuedSeq;
      const claimed = await this.#delivery.claim(
        this.#options.owner,
        this.#clock.now(),
        room,
        { perLane: 2 * perLane, running: held },
        this.#leaseMs(),
      );
      if (this.#stopped) return this.#giveBack(claimed);
      const got = new Map<string, number>();
      for (const item of claimed) {
        got.set(item.lane, (got.get(item.lane) ?? 0) + 1);
        this.#hold(item);
      }
      // A lane that filled its room may hold more, and any may if the total room ran out;
      // a lane given less than its room has no more due — unless firings were queued in it
      // while the claim was in flight. Less than the room in all, and no wake since: the
      // queue holds nothing due in a lane not named waiting.
      const limited = claimed.length >= room;
      for (const lane of new Set([...this.#waiting, ...got.keys(), ...held.keys()])) {
        const full = (held.get(lane) ?? 0) + (got.get(lane) ?? 0) >= 2 * perLane;
        if (full || limited) {
          if (this.#unknown || this.#waiting.has(lane) || got.has(lane)) this.#waiting.add(lane);
        } else if ((this.#lastQueued.get(lane) ?? 0) <= seq) {
          this.#waiting.delete(lane);
          this.#lastQueued.delete(lane);
        }
      }
      if (!limited && wakes === this.#wakes) this.#unknown = false;
      this.#pump();
    }
    await this.#armTimer();
  }

  /** Keeps a claimed item until a slot of its lane is free. */
  #hold(item: Delivery): void {
    this.#held.add(item.id);
    this.#armRenewal();
    this.#ready.push(item);
    this.#readyLanes.set(item.lane, (this.#readyLanes.get(item.lane) ?? 0) + 1);
  }

  /**
   * Starts the items claimed ahead that have a free slot, oldest first. An attempt can end
   * within `#start` (a trigger deleted meanwhile) and free its slot at once: that call finds
   * a pump running and leaves it to this loop, which looks from the oldest again.
   */
  #pump(): void {
    if (this.#pumping) return;
    this.#pumping = true;
    try {
      for (let i = 0; i < this.#ready.length && !this.#stopped;) {
        const item = this.#ready[i]!;
        if (!this.#hasRoom(item.lane)) {
          i++;
          continue;
        }
        this.#ready.splice(i, 1);
        const n = (this.#readyLanes.get(item.lane) ?? 1) - 1;
        if (n > 0) this.#readyLanes.set(item.lane, n);
        else this.#readyLanes.delete(item.lane);
        this.#start(item);
        i = 0;
      }
    } finally {
      this.#pumping = false;
    }
  }

  /** Gives back claims that never started (stopping). */
  async #giveBack(items: Delivery[]): Promise<void> {
    if (items.length === 0) return;
    for (const item of items) this.#held.delete(item.id);
    await this.#delivery
      .unclaim(
        this.#options.owner,
        items.map((i) => i.id),
      )
      .catch((err: unknown) => this.#log.error({ err }, 'giving back claimed firings failed'));
  }

  /** Whether one more may be held ahead: at most twice the caps claimed and not finished. */
  #hasRoomAhead(lane: string): boolean {
    const { concurrency, perLane } = this.#options;
    if (this.#executing + this.#ready.length + this.#ahead >= 2 * concurrency) return false;
    const lanes = [this.#lanes, this.#readyLanes, this.#aheadLanes];
    return lanes.reduce((sum, m) => sum + (m.get(lane) ?? 0), 0) < 2 * perLane;
  }

  #hasRoom(lane: string): boolean {
    return (
      this.#executing < this.#options.concurrency &&
      (this.#lanes.get(lane) ?? 0) < this.#options.perLane
    );
  }

  /** Counts a slot (and its lane's) as taken. */
  #take(lane: string): void {
    this.#lanes.set(lane, (this.#lanes.get(lane) ?? 0) + 1);
    this.#executing++;
  }

  /** Frees a slot: an item claimed ahead takes it; a claim goes out if one is wanted. */
  #give(lane: string): void {
    this.#executing--;
    const left = (this.#lanes.get(lane) ?? 1) - 1;
    if (left > 0) this.#lanes.set(lane, left);
    else this.#lanes.delete(lane);
    this.#pump();
    if (this.#wantsClaim()) this.#schedule();
  }

  #start(item: Delivery, reserved = false): void {
    if (!reserved) this.#take(item.lane);
    this.#armRenewal();
    // The action's slot (and its lane's) is free once the action has ended, not once its
    // outcome is recorded: the next claim goes out while the outcome is being written (a round
    // trip on a network database), instead of after it.
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      this.#give(item.lane);
    };
    const run: Promise<void> = this.#attempt(item, release)
      .catch((err: unknown) =>
        this.#log.error({ err, trigger: item.trigger }, 'recording an attempt failed'),
      )
      .finally(() => {
        release();
        this.#running.delete(run);
        this.#held.delete(item.id);
      });
    this.#running.add(run);
  }

  /** While attempts run, their leases are renewed in one call per period. */
  #armRenewal(): void {
    if (this.#renewTimer) return;
    this.#renewTimer = setInterval(() => {
      if (this.#held.size === 0) {
        clearInterval(this.#renewTimer);
        this.#renewTimer = undefined;
        return;
      }
      this.#delivery
        .renew(this.#options.owner, [...this.#held], this.#clock.now(), this.#leaseMs())
        .catch((err: unknown) => this.#log.error({ err }, 'renewing leases failed'));
    }, this.#leaseMs() / 3);
    this.#renewTimer.unref();
  }

  async #armTimer(): Promise<void> {
    // While attempts run, freed slots claim for the lanes known to wait: a look within
    // BLOCKED_RECHECK_MS is safety net enough for items due meanwhile (retries), without a
    // read of the next due time after every claim (a round trip on a network database).
    if (this.#executing > 0) {
      const now = this.#clock.now();
      if (this.#timerAt === undefined || this.#timerAt > now + BLOCKED_RECHECK_MS)
        this.#setTimer(BLOCKED_RECHECK_MS);
      return;
    }
    const next = await this.#delivery.nextDueAt();
    clearTimeout(this.#timer);
    this.#timerAt = undefined;
    if (next === undefined || this.#stopped) return;
    // Due but not claimed means every slot or its lane is full: a freed slot claims for the
    // lanes that wait, so only look again later as a safety net instead of spinning on it.
    const wait = next - this.#clock.now();
    this.#setTimer(wait <= 0 ? BLOCKED_RECHECK_MS : Math.min(wait, 60_000));
  }

  #setTimer(delay: number): void {
    clearTimeout(this.#timer);
    if (this.#stopped) return;
    this.#timerAt = this.#clock.now() + delay;
    this.#timer = setTimeout(() => {
      this.#timerAt = undefined;
      // A look at the queue as a safety net: due retries, leases expired elsewhere.
      this.#unknown = true;
      this.#wakes++;
      this.#tick();
    }, delay);
    this.#timer.unref();
  }

  /** Runs the action, calls `release` once it has ended, then records the outcome. */
  async #attempt(item: Delivery, release: () => void): Promise<void> {
    const started = this.#clock.now();
    let outcome: ActionOutcome;
    // The trigger as the registry holds it (no read per attempt); saved since the firing was
    // queued, its current retry policy applies.
    const definition = this.#registry.stored(item.trigger)?.definition;
    try {
      if (!definition)
        throw new ActionError(
          'E_TRIGGER_NOT_FOUND',
          `Trigger "${item.trigger}" was deleted before this firing ran.`,
        );
      if (item.attempts > definition.retry.attempts) {
        // The engine stopped (crash, kill) during the last allowed attempt: running it again
        // would exceed what the trigger allows, so it goes to dead letter instead.
        throw new ActionError(
          'E_ATTEMPT_INTERRUPTED',
          `The engine stopped during attempt ${item.attempts - 1} of ${definition.retry.attempts}; replay the firing to run it again.`,
        );
      }
      outcome = await executeAction(this.#executors, {
        trigger: { name: definition.name, type: definition.type },
        action: item.action,
        event: item.event,
        eventType: item.eventType,
        triggerLogId: item.id,
        deliveryId: item.id,
        inboxId: item.inboxId,
      });
    } catch (err) {
      release();
      await this.#fail(item, definition, err, started);
      return;
    }
    release();
    const done = await this.#delivery.complete(
      this.#options.owner,
      item.id,
      {
        attempts: item.attempts,
        jobId: outcome.jobId ?? null,
        durationMs: this.#clock.now() - started,
      },
      this.#clock.now(),
    );
    if (!done) this.#lostLease(item);
  }

  /** The lease was taken over (this process stalled past it): the other owner's outcome counts. */
  #lostLease(item: Delivery): void {
    this.#log.warn(
      { trigger: item.trigger, log: item.id },
      'attempt finished after its lease was taken over; its outcome was not recorded',
    );
  }

  async #fail(
    item: Delivery,
    definition: TriggerDefinition | undefined,
    err: unknown,
    started: number,
  ): Promise<void> {
    // A refusal of the engine's own (the action's function was deleted: E_FUNCTION_NOT_FOUND)
    // is an outcome with its code, not a crash of the action.
    const actionError =
      err instanceof ActionError
        ? err
        : err instanceof EngineError
          ? new ActionError(err.code, err.message, { cause: err })
          : undefined;
    if (!actionError) this.#log.error({ err, trigger: item.trigger }, 'action crashed');
    const now = this.#clock.now();
    const attemptsAllowed = definition?.retry.attempts ?? 1;
    const final =
      !definition || actionError?.permanent === true || item.attempts >= attemptsAllowed;
    // An interrupted attempt did not run now: the log keeps the number that did.
    const attempts = Math.min(item.attempts, attemptsAllowed);
    const outcome: AttemptOutcome = {
      attempts,
      errorType: actionError?.errorType ?? 'E_INTERNAL',
      error: actionError?.message ?? (err as Error).message,
      jobId: actionError?.jobId ?? null,
      durationMs: now - started,
    };
    const owner = this.#options.owner;
    if (!final) {
      const runAt = now + backoffDelayMs(definition.retry, item.attempts);
      if (!(await this.#delivery.retry(owner, item.id, runAt, outcome, now))) this.#lostLease(item);
      // Back in the queue, due later: the next look arms the timer for it.
      else this.wake();
      return;
    }
    if (!(await this.#delivery.deadLetter(owner, item.id, outcome, now))) {
      this.#lostLease(item);
      return;
    }
    // A known cause is a warning with its code and message; a stack only for crashes.
    this.#log.warn(
      {
        trigger: item.trigger,
        log: item.id,
        attempts,
        // A function's own error message is its words (it may quote its env values): the
        // log names the job that holds it instead (docs/security.md, "Secrets").
        ...(actionError
          ? {
              code: actionError.errorType,
              ...(actionError.jobId === undefined
                ? { reason: actionError.message }
                : { job: actionError.jobId }),
            }
          : {}),
      },
      'firing dead-lettered',
    );
  }
}
