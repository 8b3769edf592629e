import type {
  Delivery,
  DeliveryLog,
  DispatchClaim,
  EntryDispatch,
  FrequencyGuard,
  InboxEntry,
  NewFiring,
  PendingInboxEntry,
} from '../store/index.ts';
import type { Clock } from '../clock.ts';
import type { Ids } from '../ids.ts';
import { eventTypeOf, laneOf, parseDuration } from '../triggers/index.ts';
import type { Match, TriggerRegistry } from './trigger-registry.ts';
import { firingSourceOf } from './event-sources.ts';
import { assertJsonWithin } from '../limits/errors.ts';
import { MAX_OUTPUT_DEPTH } from '../../runtime/json-limits.ts';
import type { Logger } from '../log.ts';
import { queuedFiringOf } from '../store/queued-firing.ts';
import type { AcceptDispatch } from '../inbox/index.ts';

/** Entries per dispatch transaction (and per read of the leftovers) at most. */
const BATCH = 200;
/**
 * How soon, at most, leftovers are looked for after another process said it accepted
 * something (when this process dispatches what its own intake accepted from memory): by
 * then that process has usually dispatched them itself, so the read finds nothing to race for.
 */
const LEFTOVER_DELAY_MS = 200;

/**
 * The job runner's side of claiming firings at their dispatch (JobRunner implements it): a
 * slot reserved before the dispatch is written, then either run or given back.
 */
export interface DispatchSlots {
  reserve(lane: string, now: number): DispatchClaim | undefined;
  started(item: Delivery): void;
  unreserve(lane: string): void;
}

/**
 * Moves accepted entries from the inbox to the queue. Most go in their accept's own
 * transaction: the intake asks for an entry's firings before its group commit
 * (`dispatchWithAccept`), and the entry is stored already dispatched with them. The rest —
 * a frequency-guarded firing, an entry that cannot be matched, any entry behind those —
 * are stored pending and dispatched here after the answer. Either way the dispatcher
 * matches them against the triggers (pure) and decides each firing's lane, eventType and
 * frequency guard (rules live here, not in a store); a pending one has the delivery log
 * commit "entries dispatched + their firings" in one transaction per batch
 * (`dispatchMany`). The pending entries this process's intake accepted are handed over in
 * memory (it subscribes to the intake): no read back. Leftovers — entries another process
 * accepted, a replayed entry, those left by a failed drain or a stop — are read with `pending`
 * on `wake` (at start, on the change feed).
 *
 * An entry whose dispatch throws (unreadable stored data, a rule that fails on it, a write
 * that fails) is set aside as `dispatch_failed` with its error and logged, and the drain goes
 * on: left pending, it would stay first in line and hold up every entry after it, across
 * restarts. `POST /api/v1/inbox/:id/replay` puts it back. A batch the store could not run at
 * all (the database unreachable) sets nothing aside: its entries stay pending for the next
 * drain.
 *
 * With `slots` (the job runner of this process), a firing whose lane has a free slot is
 * claimed in its dispatch's transaction and handed to the runner from memory: no claim
 * between the dispatch and the run. The runner gives no slot while older firings wait in
 * the queue, so claiming at dispatch never passes them.
 */
export class Dispatcher {
  #delivery: DeliveryLog;
  #registry: TriggerRegistry;
  #clock: Clock;
  #ids: Ids;
  #onQueued: (lanes: string[]) => void;
  #log: Pick<Logger, 'error'>;
  #scheduled = false;
  #draining: Promise<void> | undefined;
  /** Accepted by this process's intake, not yet dispatched. */
  #fresh: PendingInboxEntry[] = [];
  /** `pending` is to be read: there may be entries this process was not handed. */
  #leftovers = false;
  /** Entries come in through an intake of this process (else only through `pending`). */
  #fedInMemory: boolean;
  #leftoverTimer: NodeJS.Timeout | undefined;
  #slots: DispatchSlots | undefined;
  /** Entries being accepted that go the usual way (stored pending): none may pass them. */
  #acceptingPlain = 0;

  constructor(deps: {
    delivery: DeliveryLog;
    registry: TriggerRegistry;
    clock: Clock;
    ids: Ids;
    /** Told of new firings in the queue, unclaimed, by their lanes (the job runner's wake-up). */
    onQueued: (lanes: string[]) => void;
    log: Pick<Logger, 'error'>;
    /**
     * Where new events come in: the dispatcher takes what it accepts from memory (an entry),
     * or reads the pending entries when told without one (a replay).
     */
    intake?: {
      onAccepted(listener: (entry?: PendingInboxEntry) => void): void;
      /** Entries dispatched in their accept's own transaction (EventIntake). */
      dispatchWithAccept?(dispatch: AcceptDispatch): void;
    };
    /** The job runner of this process, to claim firings at dispatch (absent: never). */
    slots?: DispatchSlots;
  }) {
    this.#slots = deps.slots;
    this.#delivery = deps.delivery;
    this.#registry = deps.registry;
    this.#clock = deps.clock;
    this.#ids = deps.ids;
    this.#onQueued = deps.onQueued;
    this.#log = deps.log;
    this.#fedInMemory = deps.intake !== undefined;
    deps.intake?.onAccepted((entry) => {
      if (entry === undefined) return this.wake();
      this.#fresh.push(entry);
      this.#schedule();
    });
    deps.intake?.dispatchWithAccept?.({
      firingsOf: (entry) => this.#firingsWithAccept(entry),
      settled: (entry, dispatched) => this.#settledWithAccept(entry, dispatched),
    });
  }

  /**
   * An entry's firings to write with its accept, slots reserved for those this process can
   * start at once; undefined sends it the usual way (after the accept, through `dispatchMany`):
   * one that cannot be matched (it is set aside there), one with a frequency-guarded firing
   * (decided under the dispatch's locks), and any while entries accepted before it go that
   * way or wait here (a newer entry must not pass them).
   */
  #firingsWithAccept(entry: InboxEntry): NewFiring[] | undefined {
    const firings = this.#behind() ? undefined : this.#matchForAccept(entry);
    if (firings === undefined) this.#acceptingPlain++;
    else this.#reserveSlots([{ inboxId: entry.id, firings }], this.#clock.now());
    return firings;
  }

  /** Entries accepted earlier are still to be dispatched (or to be stored pending). */
  #behind(): boolean {
    return this.#acceptingPlain > 0 || this.#fresh.length > 0 || this.#draining !== undefined;
  }

  #matchForAccept(entry: InboxEntry): NewFiring[] | undefined {
    let dispatch: EntryDispatch;
    try {
      dispatch = this.#firingsOf(entry);
    } catch {
      return undefined;
    }
    return dispatch.firings.some((f) => f.guard !== undefined) ? undefined : dispatch.firings;
  }

  /** After the accept: its firings start or wait in the queue, or their slots are given back. */
  #settledWithAccept(entry: InboxEntry, dispatched: boolean): void {
    if (entry.firings === undefined) {
      this.#acceptingPlain--;
      return;
    }
    const queued = new Set<string>();
    this.#handOver(
      { inboxId: entry.id, firings: entry.firings, event: entry.data },
      new Set(dispatched ? entry.firings.map((f) => f.logId) : []),
      this.#clock.now(),
      queued,
    );
    if (queued.size > 0) this.#onQueued([...queued]);
  }

  /** Reads and dispatches the pending entries on the next turn (coalesced). */
  wake(): void {
    this.#leftovers = true;
    this.#schedule();
  }

  /**
   * Another process accepted entries (the change feed): `wake`, at once if this process is
   * fed only that way (a worker), else within LEFTOVER_DELAY_MS (its own are in memory).
   */
  wakeForOthers(): void {
    if (!this.#fedInMemory) return this.wake();
    if (this.#leftoverTimer) return;
    this.#leftoverTimer = setTimeout(() => {
      this.#leftoverTimer = undefined;
      this.wake();
    }, LEFTOVER_DELAY_MS);
    this.#leftoverTimer.unref();
  }

  /** Schedules a drain on the next turn; many wakes in a burst coalesce into one drain. */
  #schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      this.#draining ??= this.#drain().then((ok) => {
        this.#draining = undefined;
        // Handed work after the drain's last look: another drain (after a failure, only for
        // new entries: the leftovers wait for the next wake, not a loop against a dead store).
        if (this.#fresh.length > 0 || (ok && this.#leftovers)) this.#schedule();
      });
    });
  }

  /** Resolves once nothing is being drained (for shutdown). */
  async idle(): Promise<void> {
    while (this.#draining) await this.#draining;
  }

  /**
   * A frequency-limited action is enqueued only if the delivery log, in the dispatch's
   * transaction, finds it may fire (so a burst cannot slip past `once`). The count starts
   * when the trigger was last saved: saving it again resets `once`.
   */
  #frequencyGuard(m: Match): FrequencyGuard | undefined {
    const frequency = m.action.frequency;
    if (frequency === undefined || frequency === 'always') return undefined;
    const since = this.#registry.stored(m.trigger.name)?.updatedAt ?? 0;
    return frequency === 'once'
      ? { kind: 'once', since }
      : { kind: 'atMostEvery', ms: parseDuration(frequency.atMostEvery), since };
  }

  /** Matches one entry: its firings, or a throw if the entry cannot be dispatched. */
  #firingsOf(entry: PendingInboxEntry): EntryDispatch {
    if (entry.unreadable !== undefined) throw new Error(entry.unreadable);
    // Sources check depth before they store, but an entry stored by an older version (or
    // written by hand) is not: it would reach the queue's JSON, a function and the IPC.
    assertJsonWithin(entry.data, 'The stored event', { maxDepth: MAX_OUTPUT_DEPTH });
    const firings: NewFiring[] = [];
    for (const m of this.#registry.match(firingSourceOf(entry), entry.data)) {
      const guard = this.#frequencyGuard(m);
      firings.push({
        logId: this.#ids.id(),
        trigger: m.trigger.name,
        actionIndex: m.actionIndex,
        action: m.action,
        eventType: eventTypeOf(m.trigger.type),
        lane: laneOf(m.action, m.trigger.name, m.actionIndex),
        ...(guard ? { guard } : {}),
      });
    }
    return { inboxId: entry.id, firings, event: entry.data };
  }

  /**
   * Matches a batch and has it committed with its firings in one `dispatchMany`; resolves to
   * the lanes of the firings queued unclaimed. Entries that fail (before the store or in it) are set aside.
   */
  async #dispatchBatch(entries: PendingInboxEntry[]): Promise<Set<string>> {
    const now = this.#clock.now();
    const ready: PendingInboxEntry[] = [];
    const batch: EntryDispatch[] = [];
    const refused: [PendingInboxEntry, unknown][] = [];
    for (const entry of entries) {
      try {
        batch.push(this.#firingsOf(entry));
        ready.push(entry);
      } catch (err) {
        refused.push([entry, err]);
      }
    }
    this.#reserveSlots(batch, now);
    let results;
    try {
      results = batch.length > 0 ? await this.#delivery.dispatchMany(batch, now) : [];
    } catch (err) {
      for (const entry of batch) this.#handOver(entry, new Set(), now, new Set());
      throw err;
    }
    const queued = new Set<string>();
    results.forEach((result, i) => {
      if ('error' in result) {
        refused.push([ready[i]!, result.error]);
        this.#handOver(batch[i]!, new Set(), now, queued);
      } else this.#handOver(batch[i]!, new Set(result.admitted), now, queued);
    });
    for (const [entry, err] of refused) await this.#setAside(entry, err);
    return queued;
  }

  /** Claims at dispatch the firings the runner has a free slot for. */
  #reserveSlots(batch: EntryDispatch[], now: number): void {
    if (!this.#slots) return;
    for (const entry of batch)
      for (const firing of entry.firings) {
        const claim = this.#slots.reserve(firing.lane, now);
        if (claim) firing.claimedBy = claim;
      }
  }

  /**
   * After an entry's dispatch: its admitted firings claimed at dispatch start, the other
   * reserved slots are given back; the lanes of the admitted firings left in the queue are
   * added to `queued`.
   */
  #handOver(entry: EntryDispatch, admitted: Set<string>, now: number, queued: Set<string>): void {
    for (const f of entry.firings) {
      const claim = f.claimedBy;
      if (!admitted.has(f.logId)) {
        if (claim) this.#slots!.unreserve(f.lane);
      } else if (!claim) queued.add(f.lane);
      else
        this.#slots!.started({
          ...queuedFiringOf(f, entry.inboxId, entry.event, now, 1),
          owner: claim.owner,
          leaseUntil: claim.leaseUntil,
        });
    }
  }

  /** A failed dispatch: the entry is set aside (its transaction rolled back), the rest go on. */
  async #setAside(entry: PendingInboxEntry, err: unknown): Promise<void> {
    const message = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    this.#log.error(
      { err, inboxId: entry.id, source: entry.source, key: entry.key },
      'inbox entry set aside (dispatch_failed): its dispatch failed; replay it once fixed',
    );
    // If even this write fails, the drain stops (the outer catch) and retries at the next wake.
    await this.#delivery.setAside(entry.id, message.slice(0, 2000), this.#clock.now());
  }

  /** The next entries to dispatch: those handed over first, then the pending ones if asked. */
  async #next(): Promise<PendingInboxEntry[] | undefined> {
    if (this.#fresh.length > 0) return this.#fresh.splice(0, BATCH);
    if (!this.#leftovers) return undefined;
    this.#leftovers = false;
    const entries = await this.#delivery.pending(BATCH);
    // A full page: there may be more.
    if (entries.length === BATCH) this.#leftovers = true;
    return entries;
  }

  /** Dispatches until nothing is left; false if it stopped on a failure. */
  async #drain(): Promise<boolean> {
    try {
      for (;;) {
        const entries = await this.#next();
        if (entries === undefined) return true;
        if (entries.length === 0) continue;
        const queued = await this.#dispatchBatch(entries);
        // Most pushes match nothing: the runner's look at the queue is not free.
        if (queued.size > 0) this.#onQueued([...queued]);
        // Let the answers of a burst go out between batches.
        await new Promise((resolve) => setImmediate(resolve));
      }
    } catch (err) {
      // What was taken from memory is still pending in the store: read it at the next wake.
      this.#leftovers = true;
      this.#log.error({ err }, 'dispatcher failed; pending inbox entries stay for the next wake');
      return false;
    }
  }
}
