import type { Command } from 'commander';
import { examples, type Cli } from '../context.ts';

interface DevOptions {
  port?: string;
  host?: string;
  temp?: boolean;
}

/**
 * `cloudfn dev`: the `wrangler dev` loop for WeChat. A local engine for the project (data in
 * ./.cloudfn, or a temp folder with --temp), the project deployed, redeployed on every save,
 * and the functions' runs streamed. Other commands in the project find it through
 * .cloudfn/dev.json.
 */
export function registerDev(program: Command, cli: Cli): void {
  program
    .command('dev')
    .description(
      'run a local engine for the project: deploy it, redeploy on every save, stream the runs',
    )
    .option('--port <port>', 'port of the local engine (default: a free one)', '0')
    .option('--host <host>', 'address to bind', '127.0.0.1')
    .option(
      '--temp',
      'keep the engine state in a temp folder, removed on exit (default ./.cloudfn/data)',
    )
    .addHelpText(
      'after',
      examples(
        'cloudfn dev',
        'cloudfn dev --temp --port 8787',
        'cloudfn push wx2c2769f8efd9abc2 pushes/user_consume_card.xml   # in another terminal: finds the dev engine',
      ),
    )
    .action(async (options: DevOptions) => {
      const { runDev } = await import('../dev/run-dev.ts');
      await runDev(cli, {
        port: options.port ?? '0',
        host: options.host ?? '127.0.0.1',
        temp: options.temp === true,
      });
    });
}
