import { describe, expect, it } from 'vitest';
import { randomIds } from '../../engine/ids.ts';

describe('randomIds', () => {
  it('makes 24-hex ids that do not repeat', () => {
    const ids = Array.from({ length: 5000 }, () => randomIds.id());
    expect(ids.every((id) => /^[0-9a-f]{24}$/.test(id))).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('makes them in order, laid out as an ObjectId: seconds, a part per process, a counter', () => {
    const before = Math.floor(Date.now() / 1000);
    const ids = Array.from({ length: 1000 }, () => randomIds.id());
    const after = Math.floor(Date.now() / 1000);
    const seconds = ids.map((id) => parseInt(id.slice(0, 8), 16));
    expect(seconds.every((s) => s >= before && s <= after)).toBe(true);
    expect(new Set(ids.map((id) => id.slice(8, 18))).size).toBe(1);
    // In order unless the 3-byte counter wrapped (at most once in 1,000 ids).
    const descents = ids.filter((id, i) => i > 0 && id <= ids[i - 1]!).length;
    expect(descents).toBeLessThanOrEqual(1);
    const counters = ids.map((id) => parseInt(id.slice(18), 16));
    expect(counters.every((c, i) => i === 0 || c === ((counters[i - 1]! + 1) & 0xffffff))).toBe(
      true,
    );
  });

  it('makes URL-safe secrets of at least 32 characters', () => {
    const secret = randomIds.secret();
    expect(secret).toMatch(/^[A-Za-z0-9_-]{32,}$/);
    expect(randomIds.secret()).not.toBe(secret);
  });
});
