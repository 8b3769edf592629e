import path from 'node:path';
import { Writable } from 'node:stream';
import Database from 'better-sqlite3';
import pino from 'pino';
import type { Engine } from '../../../../engine/main.ts';
import { startTestEngine } from '../../../helpers/engine.ts';

/** A clock that runs with real time, shifted by `offsetMs` (tests move it to a vector's time). */
export interface ShiftedClock {
  offsetMs: number;
  now(): number;
  /** Puts the clock at this unix second (and lets it run on from there). */
  setSeconds(seconds: number): void;
}

export function shiftedClock(): ShiftedClock {
  const clock: ShiftedClock = {
    offsetMs: 0,
    now: () => Date.now() + clock.offsetMs,
    setSeconds: (seconds) => {
      clock.offsetMs = seconds * 1000 - Date.now();
    },
  };
  return clock;
}

/** One pino line as JSON. */
export type LogLine = Record<string, unknown> & { msg?: string; level?: number };

export interface ReceiverEngine {
  engine: Engine;
  url: string;
  dataDir: string;
  clock: ShiftedClock;
  /** Every line the engine logged (level info and up), parsed. */
  logs: LogLine[];
  /** Calls the admin API with the engine's token; parses JSON answers. */
  api(method: string, route: string, body?: unknown): Promise<{ status: number; body: any }>;
  /** Counts rows of the engine's own database, read through a second connection. */
  count(
    table: 'inbox' | 'trigger_logs' | 'jobs' | 'queue',
    where?: string,
    ...params: unknown[]
  ): number;
  close(): Promise<void>;
}

/**
 * A real engine on 127.0.0.1:0 with a temp data dir (kept when `dataDir` is given, for
 * restarts), a shiftable clock and its log captured.
 */
export async function startReceiverEngine(
  options: { dataDir?: string; clock?: ShiftedClock; env?: Record<string, string> } = {},
): Promise<ReceiverEngine> {
  const clock = options.clock ?? shiftedClock();
  const logs: LogLine[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n'))
        if (line) logs.push(JSON.parse(line) as LogLine);
      done();
    },
  });
  const t = await startTestEngine({
    dataDir: options.dataDir,
    env: options.env,
    overrides: { clock, log: pino({ level: 'info' }, sink) },
  });
  const db = new Database(path.join(t.dataDir, 'engine.db'), {
    readonly: true,
    fileMustExist: true,
  });
  return {
    engine: t.engine,
    url: t.engine.url,
    dataDir: t.dataDir,
    clock,
    logs,
    api: t.api,
    count(table, where, ...params) {
      const row = db
        .prepare(`SELECT count(*) AS n FROM ${table}${where ? ` WHERE ${where}` : ''}`)
        .get(...params) as { n: number };
      return row.n;
    },
    async close() {
      db.close();
      await t.close();
    },
  };
}

/** Registers an account and checks the answer. */
export async function putAccount(
  t: ReceiverEngine,
  appId: string,
  body: { token: string; encodingAESKey?: string; mode?: string },
): Promise<void> {
  const put = await t.api('PUT', `/wechat/accounts/${appId}`, body);
  if (put.status !== 200)
    throw new Error(`PUT account ${appId}: ${put.status} ${JSON.stringify(put.body)}`);
}

/** Deploys a function from source and checks the answer. */
export async function deployFunction(t: ReceiverEngine, name: string, code: string): Promise<void> {
  const put = await t.api('PUT', `/functions/${name}`, { code });
  if (put.status !== 201 && put.status !== 200)
    throw new Error(`PUT function ${name}: ${put.status} ${JSON.stringify(put.body)}`);
}

/** Creates a trigger and checks the answer. */
export async function createTrigger(
  t: ReceiverEngine,
  definition: Record<string, unknown>,
): Promise<void> {
  const post = await t.api('POST', '/triggers', definition);
  if (post.status !== 201)
    throw new Error(`POST trigger: ${post.status} ${JSON.stringify(post.body)}`);
}
