import { describe, expect, it } from 'vitest';
import { admits } from '../../../engine/store/postgres/dispatch.ts';
import { describeDatabase, isConnectionFailure } from '../../../engine/store/postgres/errors.ts';
import { channelOf } from '../../../engine/store/postgres/channels.ts';

describe('the frequency guard as the PostgreSQL dispatch decides it', () => {
  it('lets `once` through only when the action never fired since the save', () => {
    expect(admits({ kind: 'once', since: 0 }, undefined, 100)).toBe(true);
    expect(admits({ kind: 'once', since: 0 }, 50, 100)).toBe(false);
  });

  it('lets `atMostEvery` through once the interval has passed, and not after the clock went back', () => {
    const every = { kind: 'atMostEvery', ms: 1000, since: 0 } as const;
    expect(admits(every, undefined, 5000)).toBe(true);
    expect(admits(every, 4001, 5000)).toBe(false);
    expect(admits(every, 4000, 5000)).toBe(true);
    expect(admits(every, 9000, 5000)).toBe(false);
  });
});

describe('connection failures', () => {
  it('tells a lost server from a wrong statement', () => {
    const coded = (code: string, message = 'x') => Object.assign(new Error(message), { code });
    for (const err of [
      coded('ECONNREFUSED'),
      coded('57P01'),
      coded('08006'),
      coded('28P01'),
      coded('3D000'),
      new Error('Connection terminated unexpectedly'),
    ])
      expect(isConnectionFailure(err)).toBe(true);
    for (const err of [coded('23505'), coded('42P01'), new Error('boom'), 'ECONNREFUSED'])
      expect(isConnectionFailure(err)).toBe(false);
  });

  it('names host, port and database, never the user or password', () => {
    expect(describeDatabase('postgres://u:hunter2@db.example:6543/app?sslmode=require')).toBe(
      'db.example:6543/app',
    );
    expect(describeDatabase('postgresql://u@db/app')).toBe('db:5432/app');
    expect(describeDatabase('not a url')).toBe('the configured URL');
  });
});

describe('NOTIFY channels', () => {
  it('differ by schema and topic, and stay short plain identifiers', () => {
    const one = channelOf('tenant_one', 'inbox');
    expect(one).toMatch(/^[a-z0-9_]{1,63}$/);
    expect(one).not.toBe(channelOf('tenant_two', 'inbox'));
    expect(one).not.toBe(channelOf('tenant_one', 'queue'));
    expect(channelOf('x'.repeat(63), 'functions').length).toBeLessThan(64);
  });
});
