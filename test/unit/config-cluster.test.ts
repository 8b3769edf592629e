import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../engine/config.ts';
import { checkRoleHasSharedState, parseRole, partsOf } from '../../engine/role.ts';

describe('the role of an engine process', () => {
  it('is `all` unless CLOUDFN_ROLE or --role says otherwise (the flag wins)', () => {
    expect(resolveConfig({}).role).toBe('all');
    const shared = { CLOUDFN_DATABASE_URL: 'postgres://db.internal/cloudfn' };
    expect(resolveConfig({ ...shared, CLOUDFN_ROLE: 'worker' }).role).toBe('worker');
    expect(resolveConfig({ ...shared, CLOUDFN_ROLE: 'worker' }, { role: 'receiver' }).role).toBe(
      'receiver',
    );
    expect(() => resolveConfig({ CLOUDFN_ROLE: 'worker' })).toThrow(
      expect.objectContaining({ code: 'E_CONFIG_INVALID', details: { setting: 'CLOUDFN_ROLE' } }),
    );
    expect(parseRole('Receiver')).toBe('receiver');
  });

  it('refuses an unknown role with E_CONFIG_INVALID naming the choices', () => {
    expect(() => parseRole('leader')).toThrow(
      expect.objectContaining({
        code: 'E_CONFIG_INVALID',
        message: 'CLOUDFN_ROLE must be one of all, receiver, worker, not "leader".',
        details: { setting: 'CLOUDFN_ROLE' },
      }),
    );
  });

  it('starts the HTTP intake on all and receiver, the queue work on all and worker', () => {
    expect(partsOf('all')).toEqual({ serves: true, works: true });
    expect(partsOf('receiver')).toEqual({ serves: true, works: false });
    expect(partsOf('worker')).toEqual({ serves: false, works: true });
  });

  it('allows receiver and worker only on a shared database', () => {
    expect(() => checkRoleHasSharedState('all', undefined)).not.toThrow();
    expect(() => checkRoleHasSharedState('worker', 'postgres://db/x')).not.toThrow();
    for (const role of ['receiver', 'worker'] as const)
      expect(() => checkRoleHasSharedState(role, undefined)).toThrow(
        expect.objectContaining({
          code: 'E_CONFIG_INVALID',
          message: expect.stringContaining('set CLOUDFN_DATABASE_URL'),
        }),
      );
  });
});

describe('the claim lease', () => {
  it('is 60 s unless CLOUDFN_CLAIM_LEASE_MS says otherwise, from 1 s to an hour', () => {
    expect(resolveConfig({}).claimLeaseMs).toBe(60_000);
    expect(resolveConfig({ CLOUDFN_CLAIM_LEASE_MS: '3000' }).claimLeaseMs).toBe(3000);
    for (const value of ['999', '3600001', 'soon'])
      expect(() => resolveConfig({ CLOUDFN_CLAIM_LEASE_MS: value })).toThrow(
        expect.objectContaining({
          code: 'E_CONFIG_INVALID',
          details: { setting: 'CLOUDFN_CLAIM_LEASE_MS' },
        }),
      );
  });
});

describe('the job runner slots', () => {
  it('are 32 in all and 16 per function unless CLOUDFN_RUN_CONCURRENCY and CLOUDFN_FUNCTION_CONCURRENCY say otherwise', () => {
    expect(resolveConfig({})).toMatchObject({ runConcurrency: 32, functionConcurrency: 16 });
    expect(
      resolveConfig({ CLOUDFN_RUN_CONCURRENCY: '64', CLOUDFN_FUNCTION_CONCURRENCY: '48' }),
    ).toMatchObject({ runConcurrency: 64, functionConcurrency: 48 });
    // A small total caps the per-function default with it.
    expect(resolveConfig({ CLOUDFN_RUN_CONCURRENCY: '4' })).toMatchObject({
      runConcurrency: 4,
      functionConcurrency: 4,
    });
  });

  it('refuses a per-function cap above the total, naming both settings', () => {
    expect(() =>
      resolveConfig({ CLOUDFN_RUN_CONCURRENCY: '8', CLOUDFN_FUNCTION_CONCURRENCY: '9' }),
    ).toThrow(
      expect.objectContaining({
        code: 'E_CONFIG_INVALID',
        message: expect.stringContaining('raise CLOUDFN_RUN_CONCURRENCY'),
        details: { setting: 'CLOUDFN_FUNCTION_CONCURRENCY' },
      }),
    );
    for (const [name, value] of [
      ['CLOUDFN_RUN_CONCURRENCY', '0'],
      ['CLOUDFN_RUN_CONCURRENCY', 'many'],
      ['CLOUDFN_FUNCTION_CONCURRENCY', '1.5'],
    ] as const)
      expect(() => resolveConfig({ [name]: value })).toThrow(
        expect.objectContaining({ code: 'E_CONFIG_INVALID', details: { setting: name } }),
      );
  });
});
