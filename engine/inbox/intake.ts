import type { DeliveryLog, InboxEntry, InboxSource } from '../store/index.ts';
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

  async accept(event: NewEvent): Promise<AcceptedEvent> {
    const entry = { ...event, id: this.#ids.id(), receivedAt: this.#clock.now() };
    const isNew = await this.#group.accept(entry);
    if (isNew) this.#wake(entry);
    return { id: entry.id, isNew, receivedAt: entry.receivedAt };
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
