import fs from 'node:fs';
import { Command } from 'commander';
import type { Cli } from './context.ts';
import { registerAccounts } from './commands/accounts.ts';
import { registerCompletion } from './commands/completion.ts';
import { registerDeploy } from './commands/deploy.ts';
import { registerDev } from './commands/dev.ts';
import { registerEnv } from './commands/env.ts';
import { registerFunctions } from './commands/functions.ts';
import { registerInit } from './commands/init.ts';
import { registerInvoke } from './commands/invoke.ts';
import { registerLogs } from './commands/logs.ts';
import { registerMigrate } from './commands/migrate.ts';
import { registerPull } from './commands/pull.ts';
import { registerPush } from './commands/push.ts';
import { registerServe } from './commands/serve.ts';
import { registerTables } from './commands/tables.ts';
import { registerTriggers } from './commands/triggers.ts';

const VERSION = (
  JSON.parse(fs.readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  }
).version;

const GLOBAL_HELP = `
Connecting: --url / CLOUDFN_URL (default http://127.0.0.1:3000) and --admin-token /
CLOUDFN_ADMIN_TOKEN (default: <CLOUDFN_DATA_DIR or ./data>/admin-token, where the engine
keeps the token it generated).

Exit codes: 0 ok, 1 the engine refused (or a run failed), 2 usage error, 3 engine unreachable.

Examples:
  $ cloudfn serve
  $ cloudfn init my-app && cd my-app && npm install
  $ cloudfn deploy --dry-run
  $ cloudfn deploy
  $ cloudfn dev
  $ cloudfn deploy functions/user_consume_card.js
  $ cloudfn push wx2c2769f8efd9abc2 pushes/user_consume_card.xml --encrypt
  $ cloudfn logs user_consume_card --follow

Docs: docs/getting-started.md (tutorial), docs/cli.md (every command).
`;

/** The whole command tree; commander's own exits are turned into exceptions for main.ts. */
export function buildProgram(cli: Cli): Command {
  const program = new Command('cloudfn')
    .description(
      'Drive a cloudfn engine: functions, tables, triggers, WeChat accounts and test pushes.',
    )
    .version(VERSION, '-v, --version')
    .option('--url <url>', 'the engine (env CLOUDFN_URL; default http://127.0.0.1:3000)')
    .option(
      '--admin-token <token>',
      'the admin token (env CLOUDFN_ADMIN_TOKEN; default ./data/admin-token)',
    )
    .addHelpText('after', GLOBAL_HELP)
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({
      writeOut: (text) => cli.io.out(text.replace(/\n$/, '')),
      writeErr: (text) => cli.io.err(text.replace(/\n$/, '')),
    });
  registerServe(program);
  registerMigrate(program, cli);
  registerInit(program, cli);
  registerDeploy(program, cli);
  registerPull(program, cli);
  registerDev(program, cli);
  registerInvoke(program, cli);
  registerFunctions(program, cli);
  registerEnv(program, cli);
  registerTables(program, cli);
  registerTriggers(program, cli);
  registerLogs(program, cli);
  registerAccounts(program, cli);
  registerPush(program, cli);
  registerCompletion(program, cli);
  return program;
}
