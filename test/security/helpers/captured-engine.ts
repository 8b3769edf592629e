import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { resolveConfig } from '../../../engine/config.ts';
import { startEngine, type Engine } from '../../../engine/main.ts';

export interface CapturedEngine {
  engine: Engine;
  dataDir: string;
  /** Everything the engine logged so far (pino's JSON lines), at level debug and above. */
  logText(): string;
  api(method: string, route: string, body?: unknown): Promise<{ status: number; body: any }>;
  close(): Promise<void>;
}

/** A real engine on 127.0.0.1:0 whose pino output is kept in memory, to be searched for leaks. */
export async function startCapturedEngine(
  options: { env?: Record<string, string> } = {},
): Promise<CapturedEngine> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cloudfn-sec-'));
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString('utf8'));
      done();
    },
  });
  const config = resolveConfig(
    { ...options.env },
    {
      port: 0,
      host: '127.0.0.1',
      dataDir,
      adminToken: 'sec-admin-token-5ecret',
      logLevel: 'debug',
    },
  );
  const engine = await startEngine(config, { log: pino({ level: 'debug' }, sink) });
  return {
    engine,
    dataDir,
    logText: () => lines.join(''),
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
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
