/**
 * An in-memory index of the queue's unclaimed items by lane, so that claiming is O(lanes +
 * claimed) instead of a scan of the whole backlog: a SQL window over 10,000 queued items took
 * ≈ 20 ms per claim, and the job runner claims on every completion, so a backlog slowed the
 * very work that drains it. The queue store is the only writer of the queue table (one engine
 * process per SQLite database), keeps this index in step with it, and rebuilds it from the
 * table at start; an entry whose row has gone (a rolled-back dispatch) is dropped when met.
 */
import type { QueuedFiring } from '../queued-firing.ts';

export type { QueuedFiring };

export interface DueEntry {
  id: string;
  /** SQLite rowid: the tie-break after run_at, as in the table's order. */
  rowid: number;
  runAt: number;
  lane: string;
  /**
   * The item itself, when this process queued it (or claimed it before): a claim then hands
   * it out without reading and parsing its row again. Entries loaded at start have none.
   */
  item?: QueuedFiring;
}

const before = (a: DueEntry, b: DueEntry) =>
  a.runAt < b.runAt || (a.runAt === b.runAt && a.rowid < b.rowid);

export class DueIndex {
  /** Per lane, its unclaimed entries oldest first. */
  #lanes = new Map<string, DueEntry[]>();
  #byId = new Map<string, DueEntry>();

  get size(): number {
    return this.#byId.size;
  }

  has(id: string): boolean {
    return this.#byId.has(id);
  }

  /** Adds (or moves) an unclaimed entry. */
  add(entry: DueEntry): void {
    this.delete(entry.id);
    this.#byId.set(entry.id, entry);
    let list = this.#lanes.get(entry.lane);
    if (!list) this.#lanes.set(entry.lane, (list = []));
    // New items come last nearly always (run_at = now, rowids grow): search from the end.
    let i = list.length;
    while (i > 0 && before(entry, list[i - 1]!)) i--;
    list.splice(i, 0, entry);
  }

  delete(id: string): void {
    const entry = this.#byId.get(id);
    if (!entry) return;
    this.#byId.delete(id);
    const list = this.#lanes.get(entry.lane)!;
    const i = list.indexOf(entry);
    if (i >= 0) list.splice(i, 1);
    if (list.length === 0) this.#lanes.delete(entry.lane);
  }

  /** The earliest runAt of any entry (each lane keeps its oldest first), if any. */
  earliest(): number | undefined {
    let min: number | undefined;
    for (const list of this.#lanes.values()) {
      const first = list[0]!.runAt;
      if (min === undefined || first < min) min = first;
    }
    return min;
  }

  clear(): void {
    this.#lanes.clear();
    this.#byId.clear();
  }

  /**
   * What a claim takes: the due entries (runAt ≤ now) oldest first by (runAt, rowid), at most
   * `room(lane)` from each lane (its oldest), at most `limit` in all. Does not remove them.
   */
  pick(now: number, limit: number, room: (lane: string) => number): DueEntry[] {
    const candidates: DueEntry[] = [];
    for (const [lane, list] of this.#lanes) {
      const n = Math.min(room(lane), limit);
      for (let i = 0; i < n && i < list.length && list[i]!.runAt <= now; i++)
        candidates.push(list[i]!);
    }
    candidates.sort((a, b) => a.runAt - b.runAt || a.rowid - b.rowid);
    return candidates.slice(0, Math.max(0, limit));
  }
}
