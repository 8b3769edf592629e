import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { resolveConfig } from '../../engine/config.ts';
import { startEngine, type Engine, type EngineOverrides } from '../../engine/main.ts';

export interface TestEngine {
  engine: Engine;
  dataDir: string;
  /** Calls the admin API with the engine's token; parses JSON answers. */
  api(method: string, route: string, body?: unknown): Promise<{ status: number; body: any }>;
  close(): Promise<void>;
}

/**
 * A real engine on 127.0.0.1:0 with its own temp data dir, removed on close. Its log is
 * silent unless `overrides.log` gives a logger (tests that search the log pass one with a sink).
 */
export async function startTestEngine(
  options: {
    dataDir?: string;
    env?: Record<string, string>;
    adminToken?: string;
    overrides?: EngineOverrides;
  } = {},
): Promise<TestEngine> {
  const dataDir = options.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'cloudfn-test-'));
  const config = resolveConfig(
    { ...options.env },
    {
      port: 0,
      host: '127.0.0.1',
      dataDir,
      adminToken: options.adminToken ?? 'test-admin-token',
      logLevel: 'silent',
    },
  );
  const engine = await startEngine(config, {
    log: pino({ level: 'silent' }),
    ...options.overrides,
  });
  return {
    engine,
    dataDir,
    async api(method, route, body) {
      const response = await fetch(`${engine.url}/api/v1${route}`, {
        method,
        headers: {
          authorization: `Bearer ${engine.adminToken}`,
          'content-type': 'application/json',
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await response.text();
      return { status: response.status, body: text ? JSON.parse(text) : undefined };
    },
    async close() {
      await engine.close();
      if (!options.dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
