import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { examples, type Cli } from '../context.ts';
import { usageError } from '../errors.ts';
import { SAMPLE_APP_ID, starterFiles } from '../init/templates.ts';
import { parsePushSample, schemaFromPush } from '../push-sample.ts';

const CHECKOUT = fileURLToPath(new URL('../../../', import.meta.url));
const TYPINGS = ['baas.d.ts', 'sandbox-globals.d.ts'];
// Sample pushes copied from the repository's fixtures: the tutorial's, and two common ones.
const PUSHES = ['user_consume_card.xml', 'event_subscribe.xml', 'text.xml'];

/** A package name npm accepts, from the folder name. */
function packageName(root: string): string {
  const name = path
    .basename(root)
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^[._-]+/, '');
  return name || 'cloudfn-project';
}

/**
 * The devDependency spec of cloudfn: --cloudfn, else the checkout this CLI runs from as a
 * `file:` path relative to the project (what `npm install` links; no registry involved).
 */
function cloudfnSpec(root: string, given: string | undefined): string {
  if (given) return given;
  // The checkout as the user reached it (a symlink stays a symlink), else its real path.
  const launched = process.argv[1] ? path.resolve(process.argv[1], '../..') : undefined;
  const checkout =
    launched && fs.existsSync(launched) && fs.realpathSync(launched) === fs.realpathSync(CHECKOUT)
      ? launched
      : CHECKOUT;
  const relative = path.relative(root, checkout).split(path.sep).join('/') || '.';
  return `file:${relative.startsWith('.') ? relative : `./${relative}`}`;
}

/** `cloudfn init [dir]`: a project with cloudfn.json, package.json, functions, a trigger, pushes and typings. */
export function registerInit(program: Command, cli: Cli): void {
  program
    .command('init')
    .description(
      'create a project: cloudfn.json, package.json, a function, a trigger, sample pushes, typings',
    )
    .argument('[dir]', 'where to create it', '.')
    .option('--app-id <appId>', 'the AppID the trigger listens to', SAMPLE_APP_ID)
    .option(
      '--cloudfn <spec>',
      'the cloudfn devDependency in package.json (default: file: path of this checkout)',
    )
    .option('--force', 'overwrite files that exist')
    .addHelpText(
      'after',
      examples(
        'cloudfn init my-app',
        'cloudfn init . --app-id wx1234567890abcdef',
        'cloudfn init my-app --cloudfn github:me/cloudfn',
      ),
    )
    .action((dir: string, options: { appId: string; cloudfn?: string; force?: boolean }) => {
      const root = path.resolve(cli.cwd, dir);
      const fixtures = path.join(CHECKOUT, 'fixtures', 'wechat');
      const sample = fs.readFileSync(path.join(fixtures, 'user_consume_card.xml'), 'utf8');
      const files: Record<string, string> = {
        ...starterFiles({
          appId: options.appId,
          name: packageName(root),
          cloudfnSpec: cloudfnSpec(root, options.cloudfn),
          tableFields: schemaFromPush(parsePushSample(sample, 'user_consume_card.xml')),
        }),
      };
      for (const push of PUSHES)
        files[`pushes/${push}`] = fs.readFileSync(path.join(fixtures, push), 'utf8');
      for (const typing of TYPINGS)
        files[`types/${typing}`] = fs.readFileSync(path.join(CHECKOUT, 'types', typing), 'utf8');
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
      cli.io.out(
        `\nNext: cd ${dir} && npm install (installs the cloudfn CLI into the project), then npx cloudfn deploy. See its README.md.`,
      );
    });
}
