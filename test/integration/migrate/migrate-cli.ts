/** `cloudfn migrate` as a real child process, for the migrate suites. */
import { runCli, spawnCli, type CliRun } from '../cli/run-cli.ts';

export function migrateArgs(dataDir: string, url: string, extra: string[] = []): string[] {
  return [
    'migrate',
    '--from',
    'sqlite',
    '--to',
    'postgres',
    '--data-dir',
    dataDir,
    '--database-url',
    url,
    ...extra,
  ];
}

export function runMigrate(dataDir: string, url: string, extra: string[] = []): Promise<CliRun> {
  return runCli(migrateArgs(dataDir, url, extra));
}

export function spawnMigrate(dataDir: string, url: string, extra: string[] = []) {
  return spawnCli(migrateArgs(dataDir, url, extra));
}

/** The verification table's row of `table`: [rows sqlite, rows postgres, sha sqlite, sha postgres, ok]. */
export function checkRow(stdout: string, table: string): string[] | undefined {
  const line = stdout.split('\n').find((l) => l.startsWith(`${table} `));
  return line?.trim().split(/\s+/).slice(1);
}
