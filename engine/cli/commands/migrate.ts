import type { Command } from 'commander';
import { examples, type Cli } from '../context.ts';
import { CliError, EXIT, usageError } from '../errors.ts';
import { renderTable } from '../format/table.ts';
import { startProgress, type Progress } from '../progress.ts';

interface MigrateFlags {
  from?: string;
  to?: string;
  dataDir?: string;
  databaseUrl?: string;
  verifyOnly?: boolean;
  batchSize?: string;
  json?: boolean;
}

const SOURCES = ['sqlite'];
const TARGETS = ['postgres'];

/**
 * `cloudfn migrate --from sqlite --to postgres`: moves a stopped engine's data dir into
 * PostgreSQL (engine/migrate/). Runs here, not through an engine: it reads the data dir's
 * files and writes the database itself.
 */
export function registerMigrate(program: Command, cli: Cli): void {
  program
    .command('migrate')
    .description(
      "move a stopped engine's data dir (SQLite) into PostgreSQL: resumable, then verified table by table",
    )
    .requiredOption('--from <backend>', 'where the data is: sqlite (the data dir)')
    .requiredOption('--to <backend>', 'where it goes: postgres (the database URL)')
    .option('--data-dir <dir>', 'the data dir to move (CLOUDFN_DATA_DIR, default ./data)')
    .option(
      '--database-url <url>',
      'the PostgreSQL database, an empty schema (CLOUDFN_DATABASE_URL; ?options=-c%20search_path%3Dname picks a schema)',
    )
    .option('--verify-only', 'compare row counts and checksums only; write nothing')
    .option('--batch-size <rows>', 'rows per committed batch (default 1000)')
    .option('--json', 'print the report as JSON')
    .addHelpText(
      'after',
      examples(
        'cloudfn migrate --from sqlite --to postgres --data-dir ./data --database-url postgres://cloudfn@db/cloudfn',
        'cloudfn migrate --from sqlite --to postgres --data-dir ./data --database-url postgres://cloudfn@db/cloudfn --verify-only',
      ) +
        '\nStop the engine first (the command refuses a data dir in use). Run it again after an\ninterruption: it continues after the last committed batch. Exit 1 when a table does not match.\n',
    )
    .action(async (flags: MigrateFlags) => {
      const options = checkFlags(flags, cli.env);
      const { migrateDataDir, MigrateError } = await import('../../migrate/index.ts');
      const { DatabaseUnavailableError, isConnectionFailure } =
        await import('../../store/postgres/errors.ts');
      let progress: Progress | undefined;
      try {
        const report = await migrateDataDir({
          ...options,
          onPhase: (phase) => {
            if (!flags.json) cli.io.err(phase === 'copying' ? 'Copying…' : 'Verifying…');
          },
          onBatch: ({ table, rows }) => {
            progress ??= startProgress(cli.io, `  ${table}`, (n) => `${n} rows`);
            progress.update(rows);
          },
          onTableCopied: (name, outcome) => {
            progress?.stop();
            progress = undefined;
            if (flags.json || outcome.copied + outcome.before === 0) return;
            const rate =
              outcome.ms > 0 ? ` (${Math.round((outcome.copied / outcome.ms) * 1000)} rows/s)` : '';
            cli.io.err(
              `  ${name}: ${outcome.copied} rows copied${outcome.before > 0 ? `, ${outcome.before} by an earlier run` : ''}${outcome.copied > 0 ? rate : ''}`,
            );
          },
        });
        if (flags.json) cli.io.out(JSON.stringify(report, null, 2));
        else {
          cli.io.out(
            renderTable(
              [
                { header: 'TABLE', value: (c) => c.name },
                { header: 'ROWS SQLITE', value: (c) => String(c.sourceRows), align: 'right' },
                {
                  header: 'ROWS POSTGRES',
                  value: (c) => (c.targetRows === null ? 'missing' : String(c.targetRows)),
                  align: 'right',
                },
                { header: 'SHA-256 SQLITE', value: (c) => c.sourceChecksum.slice(0, 16) },
                {
                  header: 'SHA-256 POSTGRES',
                  value: (c) => (c.targetChecksum ?? '-').slice(0, 16),
                },
                { header: 'OK', value: (c) => (c.ok ? 'ok' : 'MISMATCH') },
              ],
              report.checks,
            ),
          );
          const copied = report.copied.reduce((n, c) => n + c.copied, 0);
          const ms = report.copied.reduce((n, c) => n + c.ms, 0);
          if (report.run !== 'verify-only')
            cli.io.err(
              `${report.run === 'resumed' ? 'Resumed: ' : ''}${copied} rows copied to ${report.database} in ${(ms / 1000).toFixed(1)} s.`,
            );
          for (const note of report.notes) cli.io.err(note);
        }
        if (!report.ok) {
          const bad = report.checks.filter((c) => !c.ok).map((c) => c.name);
          throw new CliError(
            'E_MIGRATE_VERIFY_FAILED',
            `${bad.length} table(s) differ between the data dir and PostgreSQL: ${bad.join(', ')}.`,
            {
              exitCode: EXIT.refused,
              hint:
                report.run === 'verify-only'
                  ? 'Run the migration (without --verify-only) to copy what is missing; a target changed since (an engine ran on it) differs by design.'
                  : 'Either the data dir changed between an interrupted run and this one, or an engine has written to PostgreSQL since the migration: migrate again into an empty schema.',
            },
          );
        }
      } catch (err) {
        progress?.stop();
        if (err instanceof MigrateError)
          throw new CliError(err.code, err.message, {
            exitCode: EXIT.refused,
            ...(err.hint ? { hint: err.hint } : {}),
          });
        if (err instanceof DatabaseUnavailableError)
          throw new CliError(err.code, err.message, {
            exitCode: EXIT.unreachable,
            hint: 'Check the URL given with --database-url (or CLOUDFN_DATABASE_URL) and that the server runs. Every batch committed so far is kept: run the same command again, and it continues there.',
          });
        // The connection lost midway: what was committed stays, the same command resumes.
        if (isConnectionFailure(err))
          throw new CliError(
            'E_DATABASE_UNAVAILABLE',
            `The connection to PostgreSQL was lost (${(err as Error).message}).`,
            {
              exitCode: EXIT.unreachable,
              hint: 'Every batch committed so far is kept: run the same command again once the server answers, and it continues there.',
            },
          );
        throw err;
      }
    });
}

/** The flags, checked (usage errors, exit 2), with the environment's defaults. */
function checkFlags(flags: MigrateFlags, env: NodeJS.ProcessEnv) {
  if (!SOURCES.includes(flags.from ?? ''))
    throw new CliError(
      'E_MIGRATE_UNKNOWN_SOURCE',
      `--from ${JSON.stringify(flags.from)} is not a backend cloudfn migrates from.`,
      {
        exitCode: EXIT.usage,
        hint: `Use --from ${SOURCES.join(' | ')} (a data dir, given with --data-dir).`,
      },
    );
  if (!TARGETS.includes(flags.to ?? ''))
    throw new CliError(
      'E_MIGRATE_UNKNOWN_TARGET',
      `--to ${JSON.stringify(flags.to)} is not a backend cloudfn migrates to.`,
      {
        exitCode: EXIT.usage,
        hint: `Use --to ${TARGETS.join(' | ')} (a database, given with --database-url).`,
      },
    );
  const databaseUrl = flags.databaseUrl || env.CLOUDFN_DATABASE_URL;
  if (!databaseUrl || !/^postgres(ql)?:\/\//.test(databaseUrl))
    throw usageError(
      databaseUrl
        ? '--database-url is not a postgres:// URL.'
        : 'Where to? No --database-url (nor CLOUDFN_DATABASE_URL).',
      'Give the target database: --database-url postgres://user:password@host:5432/db (an empty database or schema).',
    );
  let batchSize: number | undefined;
  if (flags.batchSize !== undefined) {
    batchSize = Number(flags.batchSize);
    if (!/^\d+$/.test(flags.batchSize) || batchSize < 1 || batchSize > 100_000)
      throw usageError(
        `--batch-size "${flags.batchSize}" is not a number of rows.`,
        'Give a whole number from 1 to 100000 (default 1000).',
      );
  }
  return {
    dataDir: flags.dataDir || env.CLOUDFN_DATA_DIR || './data',
    databaseUrl,
    verifyOnly: flags.verifyOnly === true,
    ...(batchSize === undefined ? {} : { batchSize }),
  };
}
