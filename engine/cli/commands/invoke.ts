import fs from 'node:fs';
import type { Command } from 'commander';
import { clientFor, examples, JSON_FLAG, type Cli } from '../context.ts';
import { CliError, EXIT, usageError } from '../errors.ts';
import { parseDataArgument } from '../parse-args.ts';
import { formatBytes, formatDuration, json } from '../format/values.ts';
import { paint, statusColour } from '../format/colour.ts';
import { renderLogLines, type LogLine } from '../format/job.ts';

interface InvokeAnswer {
  code: number;
  data: unknown;
  error: { message?: string; stack?: string; code?: string; status?: string };
  job_id: string;
  status?: string;
  duration_ms?: number;
  memory_bytes?: number;
  log?: LogLine[];
}

/** `cloudfn invoke <name> [json|@file]`: run a function now, print its result and log. */
export function registerInvoke(program: Command, cli: Cli): void {
  program
    .command('invoke')
    .description('run a function once with event.data, print its result, duration, memory and log')
    .argument('<name>', 'the function')
    .argument('[data]', 'event.data as JSON, or @file.json (@- reads stdin)')
    .option(...JSON_FLAG)
    .addHelpText(
      'after',
      examples(
        `cloudfn invoke hello '{"name":"Ada"}'`,
        'cloudfn invoke user_consume_card @event.json',
        'cloudfn invoke hello --json | jq .data',
      ) +
        '\nThe result goes to stdout, the status line and the log to stderr. Exit 1 when the run fails.\n',
    )
    .action(
      async (
        name: string,
        dataArgument: string | undefined,
        options: { json?: boolean },
        command: Command,
      ) => {
        const data = parseDataArgument(dataArgument, readDataFile);
        const answer = await clientFor(cli, command).call<InvokeAnswer>(
          'POST',
          `/functions/${encodeURIComponent(name)}/invoke`,
          { body: { data } },
        );
        const failed = answer.code !== 0;
        if (options.json) cli.io.out(json(answer));
        else printRun(cli, answer);
        if (failed) {
          throw new CliError(
            'E_CLI_FUNCTION_FAILED',
            `${name} ${answer.status ?? 'failed'}: ${answer.error.message ?? 'no message'}`,
            {
              exitCode: EXIT.refused,
              hint: `The job is kept: cloudfn logs ${name} --status failed`,
              ...(options.json || !answer.error.stack ? {} : { detail: answer.error.stack }),
            },
          );
        }
      },
    );
}

function printRun(cli: Cli, answer: InvokeAnswer): void {
  const status = answer.status ?? (answer.code === 0 ? 'fulfilled' : 'execution_failed');
  if (answer.code === 0) cli.io.out(answer.data === undefined ? 'null' : json(answer.data));
  const meta = `${paint(status, statusColour(status), cli.io.colour)} in ${formatDuration(answer.duration_ms)} · memory ${formatBytes(answer.memory_bytes)} · job ${answer.job_id}`;
  cli.io.err(meta);
  const log = renderLogLines(answer.log ?? [], cli.io.colour);
  if (log) cli.io.err(log);
}

function readDataFile(file: string): string {
  try {
    return fs.readFileSync(file === '-' ? 0 : file, 'utf8');
  } catch (err) {
    throw usageError(`Cannot read ${file}: ${(err as Error).message}`, undefined, 'E_CLI_FILE');
  }
}
