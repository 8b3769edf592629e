/**
 * The cloudfn CLI's entry point (bin/cloudfn.js imports it): parse, run one command, and
 * turn whatever stopped it into a readable message and an exit code scripts can use.
 */
import { CommanderError } from 'commander';
import { CliError, errorJson, EXIT, issuesOf, withoutMoreNote } from './errors.ts';
import { processIo, type Io } from './io.ts';
import { paint } from './format/colour.ts';
import { buildProgram } from './program.ts';

/** Runs the CLI on `argv` (without node and script); resolves the exit code. */
export async function runCli(argv: string[], io: Io = processIo()): Promise<number> {
  const program = buildProgram({ io, env: process.env, cwd: process.cwd(), now: () => Date.now() });
  try {
    await program.parseAsync(argv, { from: 'user' });
    return EXIT.ok;
  } catch (err) {
    return report(err, io, argv.includes('--json'));
  }
}

function report(err: unknown, io: Io, json: boolean): number {
  if (err instanceof CommanderError) {
    // Help and --version "fail" with exit code 0; anything else commander refuses is usage.
    if (err.exitCode === 0) return EXIT.ok;
    if (json) {
      const error = { code: 'E_CLI_USAGE', message: err.message, exit_code: EXIT.usage };
      io.out(JSON.stringify({ error }, null, 2));
      return EXIT.usage;
    }
    if (err.code !== 'commander.help' && err.code !== 'commander.helpDisplayed')
      io.err('Run "cloudfn --help" or "cloudfn <command> --help" for usage.');
    return EXIT.usage;
  }
  if (err instanceof CliError) {
    if (json) {
      io.out(JSON.stringify(errorJson(err), null, 2));
      return err.exitCode;
    }
    const c = io.colour;
    io.err(
      `${paint('error', 'red', c)} ${paint(err.code, 'bold', c)}: ${withoutMoreNote(err.message)}`,
    );
    const issues = issuesOf(err);
    // Every fault, not only the first: a definition with five problems is fixed in one go.
    if (issues.length > 1) {
      io.err(`${issues.length} problem(s):`);
      for (const issue of issues) {
        io.err(`  - ${issue.path ? `${paint(issue.path, 'bold', c)}: ` : ''}${issue.message}`);
        if (issue.hint) io.err(`    ${paint('hint', 'cyan', c)}: ${issue.hint}`);
      }
    }
    if (err.detail) io.err(err.detail);
    if (err.hint) io.err(`${paint('hint', 'cyan', c)}: ${err.hint}`);
    return err.exitCode;
  }
  // An engine error thrown in-process (`serve` failing to start, e.g. E_CONFIG_INVALID).
  const e = err as { code?: string; message?: string; stack?: string };
  if (json) {
    const error = { code: e.code ?? 'E_INTERNAL', message: e.message ?? String(err), exit_code: 1 };
    io.out(JSON.stringify({ error }, null, 2));
    return EXIT.refused;
  }
  io.err(
    `${paint('error', 'red', io.colour)} ${e.code ? `${e.code}: ` : ''}${e.message ?? String(err)}`,
  );
  if (!e.code && e.stack) io.err(e.stack);
  return EXIT.refused;
}
