import type { Command } from 'commander';
import type { AdminClient, ListAnswer } from '../admin-client.ts';
import { clientFor, examples, type Cli } from '../context.ts';
import { CliError, EngineRefusedError, EXIT } from '../errors.ts';
import { renderJob, renderTriggerLog, type JobRow, type TriggerLogRow } from '../format/runs.ts';
import { parsePositiveInt } from '../parse-args.ts';

interface LogsOptions {
  follow?: boolean;
  status?: string;
  limit: number;
  function?: boolean;
  trigger?: boolean;
  json?: boolean;
}

/** `--status failed` means every way of failing, for jobs and for trigger logs alike. */
const FAILED: Record<'function' | 'trigger', string[]> = {
  function: ['execution_failed', 'deadline_exceeded', 'execution_rejected'],
  trigger: ['failed', 'dead_letter'],
};
/** Job states that will still change: `--follow` waits for the outcome before printing. */
const RUNNING = new Set(['waiting', 'executing']);
const POLL_MS = 1000;

type Kind = 'function' | 'trigger';
type Row = JobRow | TriggerLogRow;

/** `cloudfn logs <function|trigger>`: a function's runs (jobs) or a trigger's firings. */
export function registerLogs(program: Command, cli: Cli): void {
  program
    .command('logs')
    .description(
      "a function's runs with their console output, or a trigger's firings; oldest first",
    )
    .argument('<name>', 'a function or a trigger')
    .option('-f, --follow', 'keep printing new runs until Ctrl-C')
    .option(
      '--status <status>',
      'only this status (failed = every failure: execution_failed, deadline_exceeded, … / failed, dead_letter)',
    )
    .option('--limit <n>', 'how many of the latest to show', parsePositiveInt('--limit'), 20)
    .option('--function', 'NAME is a function (when a trigger has the same name)')
    .option('--trigger', 'NAME is a trigger (when a function has the same name)')
    .option('--json', 'print rows as JSON (one object per line with --follow)')
    .addHelpText(
      'after',
      examples(
        'cloudfn logs user_consume_card',
        'cloudfn logs user_consume_card --trigger --status failed',
        'cloudfn logs hello --follow',
      ) +
        "\nWhen a function and a trigger share the name, the function's runs are shown; --trigger picks the trigger.\n",
    )
    .action(async (name: string, options: LogsOptions, command: Command) => {
      const client = clientFor(cli, command);
      const kind = await kindOf(client, name, options, cli);
      const statuses =
        options.status === undefined
          ? [undefined]
          : options.status === 'failed'
            ? FAILED[kind]
            : [options.status];
      const fetchRows = async () =>
        withJobErrors(client, await latest(client, kind, name, statuses, options.limit));
      const rows = (await fetchRows()).reverse();
      const print = (row: Row) =>
        cli.io.out(options.json ? JSON.stringify(row) : render(kind, row, cli.io.colour));

      if (!options.follow) {
        if (options.json) return cli.io.out(JSON.stringify(rows, null, 2));
        if (rows.length === 0)
          cli.io.err(
            `No ${kind === 'function' ? 'runs' : 'firings'} of ${name} yet${options.status ? ` with status ${options.status}` : ''}.`,
          );
        for (const row of rows) print(row);
        return;
      }

      const shown = new Map<string, string>();
      const show = (row: Row) => {
        if (kind === 'function' && RUNNING.has(row.status)) return;
        if (shown.get(row.id) === row.status) return;
        shown.set(row.id, row.status);
        print(row);
      };
      rows.forEach(show);
      cli.io.err(`Following ${kind} ${name}; Ctrl-C to stop.`);
      await new Promise<void>((resolve) => {
        let timer: NodeJS.Timeout | undefined;
        let stopped = false;
        const stop = () => {
          stopped = true;
          clearTimeout(timer);
          resolve();
        };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
        const poll = async () => {
          try {
            (await fetchRows()).reverse().forEach(show);
          } catch (err) {
            cli.io.err(`(poll failed: ${(err as Error).message}; retrying)`);
          }
          if (!stopped) timer = setTimeout(() => void poll(), POLL_MS);
        };
        timer = setTimeout(() => void poll(), POLL_MS);
      });
    });
}

function render(kind: Kind, row: Row, colour: boolean): string {
  return kind === 'function'
    ? renderJob(row as JobRow, colour)
    : renderTriggerLog(row as TriggerLogRow, colour);
}

async function exists(client: AdminClient, route: string): Promise<boolean> {
  try {
    await client.call('GET', route);
    return true;
  } catch (err) {
    if (err instanceof EngineRefusedError && err.status === 404) return false;
    throw err;
  }
}

async function kindOf(
  client: AdminClient,
  name: string,
  options: LogsOptions,
  cli: Cli,
): Promise<Kind> {
  if (options.function) return 'function';
  if (options.trigger) return 'trigger';
  const [isFunction, isTrigger] = await Promise.all([
    exists(client, `/functions/${encodeURIComponent(name)}`),
    exists(client, `/triggers/${encodeURIComponent(name)}`),
  ]);
  if (isFunction && isTrigger && !options.json)
    cli.io.err(
      `(${name} is a function and a trigger; showing the function's runs — add --trigger for the trigger's firings)`,
    );
  if (isFunction) return 'function';
  if (isTrigger) return 'trigger';
  throw new CliError('E_CLI_NOT_FOUND', `No function or trigger named "${name}".`, {
    exitCode: EXIT.refused,
    hint: 'cloudfn functions list and cloudfn triggers list show what exists.',
  });
}

/** The newest `limit` rows over the given statuses, newest first. */
async function latest(
  client: AdminClient,
  kind: Kind,
  name: string,
  statuses: Array<string | undefined>,
  limit: number,
): Promise<Row[]> {
  const route =
    kind === 'function'
      ? `/functions/${encodeURIComponent(name)}/jobs`
      : `/triggers/${encodeURIComponent(name)}/logs`;
  const pages = await Promise.all(
    statuses.map((status) =>
      client.call<ListAnswer<Row>>('GET', route, { query: { limit, status } }),
    ),
  );
  const time = (row: Row) => ('created_at' in row ? row.created_at : row.triggered_at) ?? '';
  return pages
    .flatMap((p) => p.objects)
    .sort((a, b) => time(b).localeCompare(time(a)))
    .slice(0, limit);
}

/**
 * A failed firing of a function action points at its job: the job's error (code, message,
 * stack) is what the user needs, so it is fetched and shown under the row.
 */
async function withJobErrors(client: AdminClient, rows: Row[]): Promise<Row[]> {
  return Promise.all(
    rows.map(async (row) => {
      if ('function' in row) return row; // a job: its error is on it already
      const log = row;
      if (!log.job_id || (log.status !== 'failed' && log.status !== 'dead_letter')) return log;
      try {
        const job = await client.call<JobRow>('GET', `/jobs/${encodeURIComponent(log.job_id)}`);
        return job.error ? { ...log, job_error: job.error } : log;
      } catch (err) {
        if (err instanceof EngineRefusedError && err.status === 404) return log;
        throw err;
      }
    }),
  );
}
