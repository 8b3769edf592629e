import type { Command } from 'commander';
import { AdminClient } from './admin-client.ts';
import { resolveConnection } from './connection.ts';
import type { Io } from './io.ts';

/** What every command gets: where to write, the environment, and its engine client. */
export interface Cli {
  io: Io;
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** Unix milliseconds (a seam for `--event-time now`). */
  now(): number;
}

/** The admin client for a command, from its global --url / --admin-token and the environment. */
export function clientFor(cli: Cli, command: Command): AdminClient {
  const { url, adminToken } = command.optsWithGlobals<{ url?: string; adminToken?: string }>();
  return new AdminClient(resolveConnection({ url, adminToken }, cli.env, cli.cwd));
}

/** The help epilogue of a command: its examples, shown by `--help`. */
export function examples(...lines: string[]): string {
  return `\nExamples:\n${lines.map((l) => `  $ ${l}`).join('\n')}\n`;
}

/** The `--json` flag of a read command. */
export const JSON_FLAG = ['--json', "print the engine's JSON answer instead of a table"] as const;
