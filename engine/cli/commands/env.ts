import type { Command } from 'commander';
import { clientFor, examples, JSON_FLAG, type Cli } from '../context.ts';
import { json } from '../format/values.ts';
import { parseEnvPairs } from '../parse-args.ts';

interface FunctionRow {
  name: string;
  version: number;
  env: string[];
}

/**
 * `cloudfn env set|unset|list`: a function's process.env. Values are secrets the engine never
 * echoes, so the merge happens there: PATCH /functions/:name/env makes a new version with the
 * active code and limits and the merged env.
 */
export function registerEnv(program: Command, cli: Cli): void {
  const env = program
    .command('env')
    .description("a function's environment (process.env); values are never shown");
  env.addHelpText(
    'after',
    examples('cloudfn env set hello API_KEY=abc123 REGION=sh', 'cloudfn env list hello'),
  );

  const patch = async (
    command: Command,
    name: string,
    body: { set?: Record<string, string>; unset?: string[] },
  ) => {
    return clientFor(cli, command).call<FunctionRow>(
      'PATCH',
      `/functions/${encodeURIComponent(name)}/env`,
      {
        body,
      },
    );
  };

  env
    .command('set')
    .description('set values (a new version with the same code; other values are kept)')
    .argument('<name>', 'the function')
    .argument('<pairs...>', 'KEY=value pairs')
    .option(...JSON_FLAG)
    .addHelpText(
      'after',
      examples(
        'cloudfn env set hello API_KEY=abc123',
        "cloudfn env set hello 'GREETING=hello world' DEBUG=1",
      ),
    )
    .action(
      async (name: string, pairs: string[], options: { json?: boolean }, command: Command) => {
        const fn = await patch(command, name, { set: parseEnvPairs(pairs) });
        if (options.json) return cli.io.out(json(fn));
        cli.io.out(`${name} is now v${fn.version} with env ${fn.env.join(' ') || '(none)'}.`);
      },
    );

  env
    .command('unset')
    .description('remove values (a new version with the same code)')
    .argument('<name>', 'the function')
    .argument('<keys...>', 'names to remove')
    .option(...JSON_FLAG)
    .addHelpText('after', examples('cloudfn env unset hello DEBUG'))
    .action(async (name: string, keys: string[], options: { json?: boolean }, command: Command) => {
      const fn = await patch(command, name, { unset: keys });
      if (options.json) return cli.io.out(json(fn));
      cli.io.out(`${name} is now v${fn.version} with env ${fn.env.join(' ') || '(none)'}.`);
    });

  env
    .command('list')
    .description('the names set for the active version (values are never shown)')
    .argument('<name>', 'the function')
    .option(...JSON_FLAG)
    .addHelpText('after', examples('cloudfn env list hello'))
    .action(async (name: string, options: { json?: boolean }, command: Command) => {
      const fn = await clientFor(cli, command).call<FunctionRow>(
        'GET',
        `/functions/${encodeURIComponent(name)}`,
      );
      if (options.json)
        return cli.io.out(json({ name: fn.name, version: fn.version, env: fn.env }));
      if (fn.env.length === 0) return cli.io.err(`${name} v${fn.version} has no env.`);
      cli.io.out(fn.env.join('\n'));
    });
}
