import type { DeliveryLog, InboxEntry, InboxSource, NewFiring } from '../store/index.ts';
import type { Clock } from '../clock.ts';
import type { Ids } from '../ids.ts';
import { GroupCommit } from './group-commit.ts';

/** An event a source hands in: the intake stamps its id and time. */
export interface NewEvent {
  source: InboxSource;
  /** appId for pushes, trigger name for webhooks and timers, table name for table changes. */
  key: string;
  /** Unique per (source, key) when set: a retry with it is recognised and not stored again. */
  dedupKey: string | null;
  data: unknown;
}

export interface AcceptedEvent {
  /** The entry's id (a repeat of a known dedup key gets an id that was not stored). */
  id: string;
  /** False when the dedup key was seen: the event was accepted before. */
  isNew: boolean;
  receivedAt: number;
}

/**
 * Who dispatches an entry in its accept's own transaction (the dispatcher of a process that
 * runs the queue): it names the entry's firings before the commit and hears after it whether
 * they went in with it.
 */
export interface AcceptDispatch {
  /** The entry's firings, to be written with it if it is new; undefined: dispatch it later. */
  firingsOf(entry: InboxEntry): NewFiring[] | undefined;
  /**
   * After the accept (or its failure), for every entry `firingsOf` saw (`firings` as it
   * answered): `dispatched` says the entry was new and its firings went in with it; otherwise
   * none did (a repeat, a failure, or it was stored pending: then the listeners of
   * `onAccepted` were given it just before, as any new entry).
   */
  settled(entry: InboxEntry, dispatched: boolean): void;
}

/** How sources hand in events (what the WeChat and hooks routes, timers and tables see). */
export interface Intake {
  /** Resolves once the event is durable: answer the sender only then. */
  accept(event: NewEvent): Promise<AcceptedEvent>;
}

/**
 * The one intake of the engine (issue 14, item 4): every source — WeChat pushes, incoming
 * webhooks, timer ticks, table changes — hands its events here. It stamps them, commits them
 * durably in groups (group-commit.ts) and, once a new one is committed, wakes whoever
 * dispatches (the dispatcher subscribes itself): no source knows about dispatching.
 */
export class EventIntake implements Intake {
  #group: GroupCommit;
  #delivery: DeliveryLog;
  #clock: Clock;
  #ids: Ids;
  #listeners: ((entry?: InboxEntry) => void)[] = [];
  #dispatch: AcceptDispatch | undefined;

  constructor(deps: { delivery: DeliveryLog; clock: Clock; ids: Ids }) {
    this.#delivery = deps.delivery;
    this.#group = new GroupCommit(deps.delivery);
    this.#clock = deps.clock;
    this.#ids = deps.ids;
  }

  /**
   * Called with each new entry once it is committed (the dispatcher takes it from memory;
   * coalesce there), and without one when an entry was put back in line (replay: read the
   * pending entries).
   */
  onAccepted(listener: (entry?: InboxEntry) => void): void {
    this.#listeners.push(listener);
  }

  /**
   * Has entries dispatched in their accept's transaction (one statement less per group, and
   * on PostgreSQL no update of the inbox row): the dispatcher names their firings first.
   */
  dispatchWithAccept(dispatch: AcceptDispatch): void {
    this.#dispatch = dispatch;
  }

  async accept(event: NewEvent): Promise<AcceptedEvent> {
    let entry: InboxEntry = { ...event, id: this.#ids.id(), receivedAt: this.#clock.now() };
    const firings = this.#dispatch?.firingsOf(entry);
    if (firings !== undefined) entry = { ...entry, firings };
    let committed;
    try {
      committed = await this.#group.accept(entry);
    } catch (err) {
      this.#dispatch?.settled(entry, false);
      throw err;
    }
    // Stored pending: whoever dispatches hears of it (before `settled`, so that the
    // dispatcher never sees a gap in which a newer entry could pass it).
    if (committed.isNew && !committed.dispatched) this.#wake(entry);
    this.#dispatch?.settled(entry, committed.dispatched);
    return { id: entry.id, isNew: committed.isNew, receivedAt: entry.receivedAt };
  }

  /** Puts a set-aside entry back in line (POST /inbox/:id/replay); false if it was not set aside. */
  async replay(id: string): Promise<boolean> {
    const replayed = await this.#delivery.replayEntry(id);
    if (replayed) this.#wake();
    return replayed;
  }

  #wake(entry?: InboxEntry): void {
    for (const listener of this.#listeners) listener(entry);
  }
}
