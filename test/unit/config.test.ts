import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../engine/config.ts';

describe('resolveConfig', () => {
  it('applies the defaults', () => {
    const config = resolveConfig({});
    expect(config).toMatchObject({
      port: 3000,
      host: '127.0.0.1',
      executors: 1,
      suspectCpuMs: 100,
      quarantineCpuPercent: 10,
    });
  });

  it('reads the environment, and flags win over it', () => {
    const env = { CLOUDFN_SUSPECT_CPU_MS: '250', CLOUDFN_QUARANTINE_CPU_PERCENT: '50' };
    expect(resolveConfig(env)).toMatchObject({ suspectCpuMs: 250, quarantineCpuPercent: 50 });
    expect(resolveConfig(env, { suspectCpuMs: 5 }).suspectCpuMs).toBe(5);
  });

  it('refuses a value out of range with E_CONFIG_INVALID naming the setting', () => {
    for (const [name, value] of [
      ['CLOUDFN_QUARANTINE_CPU_PERCENT', '0'],
      ['CLOUDFN_QUARANTINE_CPU_PERCENT', '101'],
      ['CLOUDFN_SUSPECT_CPU_MS', '0.5'],
      ['CLOUDFN_EXECUTORS', 'many'],
    ] as const) {
      expect(() => resolveConfig({ [name]: value })).toThrow(
        expect.objectContaining({ code: 'E_CONFIG_INVALID', details: { setting: name } }),
      );
    }
  });

  it('durability: fsync by default, process on request, anything else refused naming the values', () => {
    expect(resolveConfig({}).durability).toBe('fsync');
    expect(resolveConfig({ CLOUDFN_DURABILITY: 'process' }).durability).toBe('process');
    expect(
      resolveConfig({ CLOUDFN_DURABILITY: 'process' }, { durability: 'fsync' }).durability,
    ).toBe('fsync');
    expect(() => resolveConfig({ CLOUDFN_DURABILITY: 'none' })).toThrow(
      expect.objectContaining({
        code: 'E_CONFIG_INVALID',
        details: { setting: 'CLOUDFN_DURABILITY' },
        message: expect.stringContaining('one of fsync, process'),
      }),
    );
  });
});
