import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { examples, type Cli } from '../context.ts';
import { usageError } from '../errors.ts';
import { SAMPLE_APP_ID, starterFiles } from '../init/templates.ts';

const TYPINGS = fileURLToPath(new URL('../../../types/baas.d.ts', import.meta.url));

/** `cloudfn init [dir]`: a starter folder with a function, a trigger, a sample push and typings. */
export function registerInit(program: Command, cli: Cli): void {
  program
    .command('init')
    .description(
      'create a starter folder: a function, a trigger file, a sample push, typings and a tsconfig',
    )
    .argument('[dir]', 'where to create it', '.')
    .option('--app-id <appId>', 'the AppID the trigger listens to', SAMPLE_APP_ID)
    .option('--force', 'overwrite files that exist')
    .addHelpText(
      'after',
      examples('cloudfn init my-app', 'cloudfn init . --app-id wx1234567890abcdef'),
    )
    .action((dir: string, options: { appId: string; force?: boolean }) => {
      const root = path.resolve(cli.cwd, dir);
      const files = {
        ...starterFiles(options.appId),
        'types/baas.d.ts': fs.readFileSync(TYPINGS, 'utf8'),
      };
      const existing = Object.keys(files).filter((f) => fs.existsSync(path.join(root, f)));
      if (existing.length > 0 && !options.force) {
        throw usageError(
          `${dir} already has ${existing.join(', ')}.`,
          'Pick an empty folder, or add --force to overwrite them.',
          'E_CLI_INIT_EXISTS',
        );
      }
      for (const [file, content] of Object.entries(files)) {
        fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
        fs.writeFileSync(path.join(root, file), content);
      }
      cli.io.out(`Created ${Object.keys(files).length} files in ${dir}:`);
      for (const file of Object.keys(files).sort()) cli.io.out(`  ${file}`);
      cli.io.out(`\nNext: cd ${dir} and follow its README.md (or docs/getting-started.md).`);
    });
}
