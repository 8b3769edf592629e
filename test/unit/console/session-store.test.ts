import { describe, expect, it } from 'vitest';
import { SessionStore } from '../../../engine/http/console/session-store.ts';

describe('console sessions', () => {
  const a = SessionStore.tokenHash('token-a');
  const b = SessionStore.tokenHash('token-b');

  it('end after the idle time, and a request in time keeps them alive', () => {
    let now = 0;
    const store = new SessionStore({ idleMs: 1000, maxAgeMs: 10_000, now: () => now });
    const { id } = store.open(a);
    now = 900;
    expect(store.find(id, a)).toBeDefined();
    now = 1800; // 900 ms after the last use
    expect(store.find(id, a)).toBeDefined();
    now = 2801;
    expect(store.find(id, a)).toBeUndefined();
  });

  it('end at the maximum age however busy', () => {
    let now = 0;
    const store = new SessionStore({ idleMs: 1000, maxAgeMs: 3000, now: () => now });
    const { id } = store.open(a);
    for (now = 500; now <= 3000; now += 500) expect(store.find(id, a)).toBeDefined();
    now = 3001;
    expect(store.find(id, a)).toBeUndefined();
  });

  it('end when the admin token changes (bound to its hash)', () => {
    const store = new SessionStore({ idleMs: 60_000, maxAgeMs: 60_000 });
    const { id } = store.open(a);
    expect(store.find(id, b)).toBeUndefined();
    // and stay ended, even under the old token
    expect(store.find(id, a)).toBeUndefined();
  });

  it('keep no usable cookie value and give each session its own CSRF value', () => {
    const store = new SessionStore({ idleMs: 60_000, maxAgeMs: 60_000 });
    const one = store.open(a);
    const two = store.open(a);
    expect(one.id).not.toBe(two.id);
    expect(one.csrf).not.toBe(two.csrf);
    expect(store.find(one.id, a)?.csrf).toBe(one.csrf);
    store.close(one.id);
    expect(store.find(one.id, a)).toBeUndefined();
    expect(store.size).toBe(1);
  });
});
