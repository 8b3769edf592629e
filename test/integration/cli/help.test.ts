import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../../../engine/cli/program.ts';
import { runCli } from './run-cli.ts';

// Every command of the real binary answers --help with its usage and an example, and
// `cloudfn --help` lists every top-level command. The list of commands comes from the program
// itself, so a new command cannot skip this.
function commandPaths(command: Command, prefix: string[] = []): string[][] {
  return command.commands
    .filter((c) => c.name() !== 'help')
    .flatMap((c) => [[...prefix, c.name()], ...commandPaths(c, [...prefix, c.name()])]);
}

const silent = { out: () => {}, err: () => {}, interactive: false, colour: false };
const program = buildProgram({ io: silent, env: {}, cwd: process.cwd(), now: () => 0 });
const paths = commandPaths(program);

describe.concurrent('cloudfn --help', { timeout: 60_000 }, () => {
  it('lists every command, with examples and the exit codes', async () => {
    const run = await runCli(['--help']);
    expect(run.code).toBe(0);
    for (const c of program.commands)
      expect(run.stdout).toMatch(new RegExp(`^  ${c.name()}\\b`, 'm'));
    expect(run.stdout).toContain('Examples:');
    expect(run.stdout).toContain('Exit codes: 0 ok, 1 the engine refused');
  });

  it('covers the commands of the issue', () => {
    const names = paths.map((p) => p.join(' '));
    for (const expected of [
      'serve',
      'deploy',
      'invoke',
      'functions list',
      'tables list',
      'triggers list',
      'tables create',
      'tables export',
      'triggers create',
      'triggers test',
      'logs',
      'accounts set',
      'versions',
      'rollback',
      'env set',
      'push',
      'init',
    ]) {
      expect(names).toContain(expected);
    }
  });

  it.each(paths.map((p) => [p.join(' '), p]))(
    'cloudfn %s --help shows usage and an example',
    async (name, path) => {
      const run = await runCli([...(path as string[]), '--help']);
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toContain(`Usage: cloudfn ${name}`);
      expect(run.stdout).toContain('Examples:');
      expect(run.stdout).toContain(`$ cloudfn ${name}`);
    },
  );
});
