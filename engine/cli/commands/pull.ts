import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { clientFor, examples, type Cli } from '../context.ts';
import { usageError } from '../errors.ts';

/** `cloudfn pull [dir]`: write a project (cloudfn.json, functions, triggers) from an engine. */
export function registerPull(program: Command, cli: Cli): void {
  program
    .command('pull')
    .description(
      "write a project from a running engine: cloudfn.json, functions' code, triggers (secrets as env placeholders)",
    )
    .argument('[dir]', 'where to write it', '.')
    .option('--force', 'overwrite files that exist')
    .addHelpText(
      'after',
      examples(
        'cloudfn pull my-engine',
        'CLOUDFN_URL=https://fn.example.com cloudfn pull . --force',
      ),
    )
    .action(async (dir: string, options: { force?: boolean }, command: Command) => {
      const client = clientFor(cli, command);
      const { readEngineState } = await import('../project/state.ts');
      const { pulledFiles } = await import('../project/pull.ts');
      const files = pulledFiles(await readEngineState(client));
      const root = path.resolve(cli.cwd, dir);
      const existing = Object.keys(files).filter((f) => fs.existsSync(path.join(root, f)));
      if (existing.length > 0 && !options.force) {
        throw usageError(
          `${dir} already has ${existing.join(', ')}.`,
          'Pull into an empty folder, or add --force to overwrite them.',
          'E_CLI_INIT_EXISTS',
        );
      }
      for (const [file, content] of Object.entries(files)) {
        fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
        fs.writeFileSync(path.join(root, file), content);
      }
      cli.io.out(`Pulled ${client.connection.url} into ${dir}:`);
      for (const file of Object.keys(files).sort()) cli.io.out(`  ${file}`);
      cli.io.err(
        'Secrets are not pulled: fill in the names listed in .env.example (as .env or the environment) before "cloudfn deploy".',
      );
    });
}
