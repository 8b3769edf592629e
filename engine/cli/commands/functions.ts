import type { Command } from 'commander';
import type { ListAnswer } from '../admin-client.ts';
import type { FunctionInfo, VersionInfo } from '../../functions/api-shapes.ts';
import { clientFor, examples, JSON_FLAG, type Cli } from '../context.ts';
import { CliError, EXIT } from '../errors.ts';
import { renderTable } from '../format/table.ts';
import { formatTime, json } from '../format/values.ts';
import { parsePositiveInt } from '../parse-args.ts';

const LIST_ALL = { limit: 1000 };

/** `cloudfn functions list|delete`, `cloudfn versions <name>`, `cloudfn rollback <name> [version]`. */
export function registerFunctions(program: Command, cli: Cli): void {
  const functions = program.command('functions').description('list and delete deployed functions');
  functions.addHelpText(
    'after',
    examples('cloudfn functions list', 'cloudfn functions delete hello'),
  );

  functions
    .command('list')
    .description('deployed functions with their active version and limits')
    .option(...JSON_FLAG)
    .addHelpText('after', examples('cloudfn functions list', 'cloudfn functions list --json'))
    .action(async (options: { json?: boolean }, command: Command) => {
      const answer = await clientFor(cli, command).call<ListAnswer<FunctionInfo>>(
        'GET',
        '/functions',
        { query: LIST_ALL },
      );
      if (options.json) return cli.io.out(json(answer));
      if (answer.objects.length === 0)
        return cli.io.err('No functions yet: cloudfn deploy <file> deploys one.');
      cli.io.out(
        renderTable(
          [
            { header: 'NAME', value: (f) => f.name },
            { header: 'VERSION', value: (f) => String(f.version), align: 'right' },
            { header: 'TIMEOUT', value: (f) => `${f.timeoutMs ?? '-'} ms`, align: 'right' },
            { header: 'MEMORY', value: (f) => `${f.memoryMb ?? '-'} MB`, align: 'right' },
            { header: 'ENV', value: (f) => f.env.join(',') || '-' },
            { header: 'UPDATED', value: (f) => formatTime(f.updated_at) },
          ],
          answer.objects,
        ),
      );
    });

  functions
    .command('delete')
    .description('delete a function, all its versions and its jobs')
    .argument('<name>', 'the function')
    .option('--force', 'delete even if triggers use it (their firings then dead-letter)')
    .addHelpText('after', examples('cloudfn functions delete hello'))
    .action(async (name: string, options: { force?: boolean }, command: Command) => {
      await clientFor(cli, command).call('DELETE', `/functions/${encodeURIComponent(name)}`, {
        query: { force: options.force ? 'true' : undefined },
      });
      cli.io.out(`Deleted ${name}.`);
    });

  program
    .command('versions')
    .description('the numbered versions of a function; * marks the active one')
    .argument('<name>', 'the function')
    .option(...JSON_FLAG)
    .addHelpText('after', examples('cloudfn versions user_consume_card'))
    .action(async (name: string, options: { json?: boolean }, command: Command) => {
      const client = clientFor(cli, command);
      const fn = await client.call<FunctionInfo>('GET', `/functions/${encodeURIComponent(name)}`);
      const answer = await client.call<ListAnswer<VersionInfo>>(
        'GET',
        `/functions/${encodeURIComponent(name)}/versions`,
      );
      if (options.json) return cli.io.out(json({ active: fn.version, ...answer }));
      const rows = [...answer.objects].sort((a, b) => b.version - a.version);
      cli.io.out(
        renderTable(
          [
            {
              header: 'VERSION',
              value: (v) => `${v.version === fn.version ? '*' : ' '}${v.version}`,
              align: 'right',
            },
            { header: 'CREATED', value: (v) => formatTime(v.created_at) },
            { header: 'SHA256', value: (v) => v.sha256.slice(0, 12) },
            { header: 'TIMEOUT', value: (v) => `${v.timeoutMs} ms`, align: 'right' },
            { header: 'MEMORY', value: (v) => `${v.memoryMb} MB`, align: 'right' },
            { header: 'ENV', value: (v) => v.env.join(',') || '-' },
          ],
          rows,
        ),
      );
    });

  program
    .command('rollback')
    .description('make an earlier version active again (default: the one before the active one)')
    .argument('<name>', 'the function')
    .argument('[version]', 'the version to activate', parsePositiveInt('version'))
    .option(...JSON_FLAG)
    .addHelpText(
      'after',
      examples('cloudfn rollback user_consume_card', 'cloudfn rollback user_consume_card 2'),
    )
    .action(
      async (
        name: string,
        version: number | undefined,
        options: { json?: boolean },
        command: Command,
      ) => {
        const client = clientFor(cli, command);
        const target = version ?? (await previousVersion(client, name));
        const fn = await client.call<FunctionInfo>(
          'POST',
          `/functions/${encodeURIComponent(name)}/rollback`,
          { body: { version: target } },
        );
        if (options.json) return cli.io.out(json(fn));
        cli.io.out(`${name} is now at v${fn.version}.`);
      },
    );
}

async function previousVersion(
  client: ReturnType<typeof clientFor>,
  name: string,
): Promise<number> {
  const fn = await client.call<FunctionInfo>('GET', `/functions/${encodeURIComponent(name)}`);
  const versions = await client.call<ListAnswer<VersionInfo>>(
    'GET',
    `/functions/${encodeURIComponent(name)}/versions`,
  );
  const earlier = versions.objects.map((v) => v.version).filter((v) => v < fn.version);
  if (earlier.length === 0) {
    throw new CliError(
      'E_CLI_NO_EARLIER_VERSION',
      `${name} has no version before v${fn.version} to roll back to.`,
      {
        exitCode: EXIT.refused,
        hint: `cloudfn versions ${name} lists them; name one: cloudfn rollback ${name} <version>.`,
      },
    );
  }
  return Math.max(...earlier);
}
