import type { Command } from 'commander';
import { clientFor, examples, JSON_FLAG, type Cli } from '../context.ts';
import { EngineRefusedError, usageError } from '../errors.ts';
import { collect, parseEnvPairs, parsePositiveInt } from '../parse-args.ts';
import { withSpinner } from '../spinner.ts';
import { json } from '../format/values.ts';

interface DeployOptions {
  dryRun?: boolean;
  name?: string;
  timeout?: number;
  memory?: number;
  env?: string[];
  json?: boolean;
}

interface Deployed {
  name: string;
  version: number;
  sha256?: string;
  timeoutMs?: number;
  memoryMb?: number;
  env?: string[];
}

/**
 * `cloudfn deploy <file|dir>`: build locally (errors with a code frame), then upload.
 * `cloudfn deploy` alone: the whole project of cloudfn.json, plan first.
 */
export function registerDeploy(program: Command, cli: Cli): void {
  program
    .command('deploy')
    .description(
      'deploy the project (cloudfn.json: plan, then apply), or one function file or folder',
    )
    .argument(
      '[path]',
      'a .js or .ts file, or a folder with index.js / index.ts (default: the whole project)',
    )
    .option('--dry-run', 'project deploy: print the plan only, change nothing')
    .option('--name <name>', 'function name (default: the file or folder name)')
    .option(
      '--timeout <ms>',
      'time limit per run in ms (default 5000)',
      parsePositiveInt('--timeout'),
    )
    .option('--memory <mb>', 'memory limit in MB (default 128)', parsePositiveInt('--memory'))
    .option('--env <KEY=value>', 'an environment value for process.env (repeatable)', collect)
    .option(...JSON_FLAG)
    .addHelpText(
      'after',
      examples(
        'cloudfn deploy                      # the project: accounts, tables, functions, triggers',
        'cloudfn deploy --dry-run            # print the plan only',
        'cloudfn deploy functions/user_consume_card.js',
        'cloudfn deploy functions/hello.ts --name hello --timeout 10000 --env GREETING=hi',
        'cloudfn deploy ./my-function        # a folder: bundles index.js / index.ts and its imports',
      ),
    )
    .action(async (target: string | undefined, options: DeployOptions, command: Command) => {
      const client = clientFor(cli, command);
      if (target === undefined) {
        if (options.name || options.timeout || options.memory || options.env)
          throw usageError(
            '--name, --timeout, --memory and --env apply to one function: give its path.',
            'A project declares them in cloudfn.json.',
          );
        const { requireProjectRoot } = await import('../project/load.ts');
        const { deployProject } = await import('../project/deploy-project.ts');
        const result = await deployProject(client, requireProjectRoot(cli.cwd), {
          env: cli.env,
          // With --json, stdout holds only the JSON; the plan goes to stderr.
          io: options.json ? { ...cli.io, out: cli.io.err } : cli.io,
          ...(options.dryRun ? { dryRun: true } : {}),
        });
        if (options.json) cli.io.out(json(result.steps.map(({ request: _r, ...s }) => s)));
        return;
      }
      if (options.dryRun)
        throw usageError('--dry-run plans a project deploy: run "cloudfn deploy --dry-run".');
      const env = options.env ? parseEnvPairs(options.env) : undefined;
      // The bundler (esbuild and the runtime) loads only when a deploy needs it.
      const { buildError, prepareUpload, sizeReport } = await import('../bundle.ts');
      const upload = await withSpinner(cli.io, `Bundling ${target}…`, () =>
        prepareUpload(target, options.name),
      );
      const body = {
        code: upload.code,
        filename: upload.filename,
        ...(options.timeout === undefined ? {} : { timeoutMs: options.timeout }),
        ...(options.memory === undefined ? {} : { memoryMb: options.memory }),
        ...(env === undefined ? {} : { env }),
      };
      let deployed: Deployed;
      try {
        deployed = await withSpinner(
          cli.io,
          `Uploading ${upload.name} (${Math.ceil(Buffer.byteLength(upload.code) / 1024)} KB)…`,
          () =>
            client.call<Deployed>('PUT', `/functions/${encodeURIComponent(upload.name)}`, { body }),
        );
      } catch (err) {
        // The engine's own build refused it: point into the file as written when we sent it as is.
        if (err instanceof EngineRefusedError && err.code === 'E_FUNCTION_BUILD') {
          throw buildError(err.body);
        }
        throw err;
      }
      for (const line of sizeReport(upload)) cli.io.err(line);
      if (options.json) return cli.io.out(json(deployed));
      const limits = `timeout ${deployed.timeoutMs ?? '?'} ms, memory ${deployed.memoryMb ?? '?'} MB`;
      const envNames = deployed.env?.length ? `, env ${deployed.env.join(' ')}` : '';
      cli.io.out(
        `Deployed ${deployed.name} v${deployed.version} (${limits}${envNames}) sha256 ${(deployed.sha256 ?? '').slice(0, 12)}`,
      );
      if (upload.bundled) cli.io.err(`Bundled ${upload.entry} locally before upload.`);
    });
}
