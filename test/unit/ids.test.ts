import { describe, expect, it } from 'vitest';
import { randomIds } from '../../engine/ids.ts';

describe('randomIds', () => {
  it('makes 24-hex ids that do not repeat across pool refills', () => {
    const ids = Array.from({ length: 5000 }, () => randomIds.id());
    expect(ids.every((id) => /^[0-9a-f]{24}$/.test(id))).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('makes URL-safe secrets of at least 32 characters', () => {
    const secret = randomIds.secret();
    expect(secret).toMatch(/^[A-Za-z0-9_-]{32,}$/);
    expect(randomIds.secret()).not.toBe(secret);
  });
});
