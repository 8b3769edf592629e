import { Writable } from 'node:stream';
import pino from 'pino';
import { startTestEngine, type TestEngine } from '../../helpers/engine.ts';

export interface CapturedEngine extends TestEngine {
  /** Everything the engine logged so far (pino's JSON lines), at level debug and above. */
  logText(): string;
}

/** A real engine on 127.0.0.1:0 whose pino output is kept in memory, to be searched for leaks. */
export async function startCapturedEngine(
  options: { env?: Record<string, string> } = {},
): Promise<CapturedEngine> {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString('utf8'));
      done();
    },
  });
  const t = await startTestEngine({
    env: options.env,
    // Marked like the other secrets, so a leak of the admin token into the log is found too.
    adminToken: 'sec-admin-token-5ecret',
    overrides: { log: pino({ level: 'debug' }, sink) },
  });
  return { ...t, logText: () => lines.join('') };
}
