import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../engine/config.ts';

describe('resolveConfig: the PostgreSQL settings', () => {
  it('keeps the state on SQLite when no URL is given', () => {
    const config = resolveConfig({});
    expect(config.databaseUrl).toBeUndefined();
    expect(config.databasePoolSize).toBe(10);
  });

  it('reads CLOUDFN_DATABASE_URL and the pool size; the flag wins', () => {
    const env = {
      CLOUDFN_DATABASE_URL: 'postgres://a@db.example:5432/one',
      CLOUDFN_DATABASE_POOL_SIZE: '4',
    };
    expect(resolveConfig(env)).toMatchObject({
      databaseUrl: 'postgres://a@db.example:5432/one',
      databasePoolSize: 4,
    });
    expect(resolveConfig(env, { databaseUrl: 'postgresql://b@other/two' }).databaseUrl).toBe(
      'postgresql://b@other/two',
    );
  });

  it('refuses a URL that is not PostgreSQL, without echoing it (it may hold a password)', () => {
    for (const value of ['mysql://u:secret@h/db', 'not a url secret', 'postgres:///db']) {
      let thrown: unknown;
      try {
        resolveConfig({ CLOUDFN_DATABASE_URL: value });
      } catch (err) {
        thrown = err;
      }
      expect(thrown).toMatchObject({
        code: 'E_CONFIG_INVALID',
        details: { setting: 'CLOUDFN_DATABASE_URL' },
      });
      expect((thrown as Error).message).not.toContain('secret');
    }
  });

  it('refuses a pool size out of range', () => {
    expect(() => resolveConfig({ CLOUDFN_DATABASE_POOL_SIZE: '1' })).toThrow(
      expect.objectContaining({
        code: 'E_CONFIG_INVALID',
        details: { setting: 'CLOUDFN_DATABASE_POOL_SIZE' },
      }),
    );
  });
});
