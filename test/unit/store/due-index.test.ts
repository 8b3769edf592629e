import { describe, expect, it } from 'vitest';
import { DueIndex, type DueEntry } from '../../../engine/store/sqlite/due-index.ts';
import { laneOf } from '../../../engine/triggers/index.ts';

const entry = (id: string, lane: string, runAt: number, rowid: number): DueEntry => ({
  id,
  lane,
  runAt,
  rowid,
});
const ids = (entries: DueEntry[]) => entries.map((e) => e.id);
const unlimited = () => Infinity;

describe('DueIndex.pick', () => {
  it('takes oldest first by (runAt, rowid) across lanes, up to the limit', () => {
    const index = new DueIndex();
    index.add(entry('b1', 'B', 2, 3));
    index.add(entry('a1', 'A', 1, 1));
    index.add(entry('a2', 'A', 2, 2));
    index.add(entry('b2', 'B', 2, 4));
    expect(ids(index.pick(10, 10, unlimited))).toEqual(['a1', 'a2', 'b1', 'b2']);
    expect(ids(index.pick(10, 3, unlimited))).toEqual(['a1', 'a2', 'b1']);
    expect(index.size).toBe(4); // picking does not remove
  });

  it('takes at most the room of each lane, its oldest, and nothing from a lane without room', () => {
    const index = new DueIndex();
    for (let i = 0; i < 5; i++) index.add(entry(`a${i}`, 'A', i, i));
    for (let i = 0; i < 5; i++) index.add(entry(`b${i}`, 'B', i, 10 + i));
    const room = (lane: string) => (lane === 'A' ? 2 : 0);
    expect(ids(index.pick(100, 10, room))).toEqual(['a0', 'a1']);
    expect(index.pick(100, 10, () => -3)).toEqual([]);
  });

  it('leaves entries not yet due', () => {
    const index = new DueIndex();
    index.add(entry('now', 'A', 5, 1));
    index.add(entry('later', 'A', 50, 2));
    expect(ids(index.pick(10, 10, unlimited))).toEqual(['now']);
  });

  it('keeps a lane in order when an entry comes back with a later time (a retry), and moves a re-added id', () => {
    const index = new DueIndex();
    index.add(entry('x', 'A', 1, 1));
    index.add(entry('y', 'A', 2, 2));
    index.add(entry('x', 'A', 30, 1)); // x retried at 30
    index.add(entry('z', 'A', 3, 3));
    expect(index.size).toBe(3);
    expect(ids(index.pick(100, 10, unlimited))).toEqual(['y', 'z', 'x']);
    expect(ids(index.pick(100, 10, () => 1))).toEqual(['y']);
  });

  it('forgets deleted entries and empty lanes', () => {
    const index = new DueIndex();
    index.add(entry('x', 'A', 1, 1));
    index.add(entry('y', 'B', 1, 2));
    index.delete('x');
    index.delete('nothing');
    expect(index.has('x')).toBe(false);
    expect(ids(index.pick(10, 10, unlimited))).toEqual(['y']);
    index.clear();
    expect(index.size).toBe(0);
  });
});

describe('laneOf', () => {
  it('is one lane per function, whichever trigger calls it, else one per trigger action', () => {
    expect(laneOf({ type: 'function', function: 'f' }, 'a', 0)).toBe('function:f');
    expect(laneOf({ type: 'function', function: 'f' }, 'b', 3)).toBe('function:f');
    expect(laneOf({ type: 'table', table: 't', record: {} }, 'c', 1)).toBe('action:c#1');
    expect(laneOf({ type: 'webhook', url: 'https://x' }, 'd', 0)).toBe('action:d#0');
  });
});
