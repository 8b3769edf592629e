import type { Command } from 'commander';
import { examples } from '../context.ts';

/** `cloudfn serve`: what `npm start` runs. */
export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('run the engine (settings: environment first, then these flags)')
    .option('--port <port>', 'port to listen on (PORT, default 3000)')
    .option('--host <host>', 'address to bind (HOST, default 127.0.0.1)')
    .option('--data-dir <dir>', 'where state is kept (CLOUDFN_DATA_DIR, default ./data)')
    .option(
      '--durability <mode>',
      'fsync: a push is on disk before "success"; process: committed, survives a crash of the engine, not of the machine (CLOUDFN_DURABILITY, default fsync)',
    )
    .addHelpText(
      'after',
      examples(
        'cloudfn serve',
        'cloudfn serve --port 8080 --host 0.0.0.0 --data-dir /var/lib/cloudfn',
      ) +
        '\nThe admin token is --admin-token or CLOUDFN_ADMIN_TOKEN; when neither is set it is\ngenerated on the first start, printed once and kept in <data dir>/admin-token.\n',
    )
    .action(
      async (
        options: { port?: string; host?: string; dataDir?: string; durability?: string },
        command: Command,
      ) => {
        const { serve } = await import('../serve.ts');
        const { adminToken } = command.optsWithGlobals<{ adminToken?: string }>();
        await serve({
          port: options.port,
          host: options.host,
          dataDir: options.dataDir,
          durability: options.durability,
          adminToken,
        });
      },
    );
}
