/**
 * `cloudfn migrate --from sqlite --to postgres`: a stopped engine's data dir into PostgreSQL.
 * The engine's state first (in foreign-key order), then each data table (its catalog row,
 * then its records), then every table verified on both sides. Each step is resumable: a
 * table already copied is skipped, a table half copied continues after its last batch.
 */
import fs from 'node:fs';
import path from 'node:path';
import { SECRETS_KEY_FILE } from '../secrets/secrets-key.ts';
import { CATALOG_SPEC, recordsSpec } from './data-tables.ts';
import { ENGINE_TABLES } from './engine-tables.ts';
import { copyTable, type CopyOutcome, type CopyProgress } from './copy.ts';
import { openPostgresTarget } from './postgres-target.ts';
import { openSqliteSource } from './sqlite-source.ts';
import type { TableSpec } from './table-spec.ts';
import { verifyTable, type TableCheck } from './verify.ts';

export interface MigrateOptions {
  dataDir: string;
  databaseUrl: string;
  /** Rows per committed batch (default 1,000). */
  batchSize?: number;
  /** Compare only: nothing is written. */
  verifyOnly?: boolean;
  /** Unix ms. */
  now?: () => number;
  onBatch?: (progress: CopyProgress) => void;
  onTableCopied?: (name: string, outcome: CopyOutcome) => void;
  /** Before each phase: "copying", "verifying". */
  onPhase?: (phase: 'copying' | 'verifying') => void;
}

export interface MigrateReport {
  dataDir: string;
  /** Host, port and database (no credentials). */
  database: string;
  run: 'started' | 'resumed' | 'verify-only';
  copied: Array<{ name: string } & CopyOutcome>;
  checks: TableCheck[];
  ok: boolean;
  /** Things the operator must know (the secrets key, rows left behind and why). */
  notes: string[];
}

export const DEFAULT_BATCH_SIZE = 1000;

export async function migrateDataDir(options: MigrateOptions): Promise<MigrateReport> {
  const now = options.now ?? Date.now;
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  const source = openSqliteSource(options.dataDir);
  try {
    const target = await openPostgresTarget(options.databaseUrl);
    try {
      let run: MigrateReport['run'] = 'verify-only';
      const copied: MigrateReport['copied'] = [];
      if (!options.verifyOnly) {
        await target.prepare();
        run = await target.claim(`sqlite:${source.dataDir}`, now());
        options.onPhase?.('copying');
        const batches = { n: 0 };
        const copy = async (spec: TableSpec) => {
          const outcome = await copyTable(source, target, spec, {
            batchSize,
            onBatch: options.onBatch,
            batches,
          });
          copied.push({ name: spec.name, ...outcome });
          options.onTableCopied?.(spec.name, outcome);
        };
        for (const spec of ENGINE_TABLES) await copy(spec);
        for (const schema of source.tables) {
          const info = await target.ensureTable(schema);
          await copy(recordsSpec(schema, info.ident));
        }
        await target.setNextTableId(source.nextTableId);
      }
      options.onPhase?.('verifying');
      const checks: TableCheck[] = [];
      for (const spec of [...ENGINE_TABLES, CATALOG_SPEC])
        checks.push(await verifyTable(source, target, spec, batchSize));
      for (const schema of source.tables) {
        const info = await target.table(schema.id);
        checks.push(await verifyTable(source, target, recordsSpec(schema, info?.ident), batchSize));
      }
      const ok = checks.every((c) => c.ok);
      if (ok && !options.verifyOnly) await target.complete(now());
      return {
        dataDir: source.dataDir,
        database: target.where,
        run,
        copied,
        checks,
        ok,
        notes: notes(source.dataDir, source.orphanQueueItems()),
      };
    } finally {
      await target.close();
    }
  } finally {
    source.close();
  }
}

function notes(dataDir: string, orphans: number): string[] {
  const keyFile = path.join(dataDir, SECRETS_KEY_FILE);
  const out = [
    fs.existsSync(keyFile)
      ? `Accounts' secrets moved sealed: start every PostgreSQL engine with this data dir's key, CLOUDFN_SECRETS_KEY=$(cat ${keyFile}) (keep it secret; without it the accounts cannot be opened).`
      : "Accounts' secrets moved sealed: start every PostgreSQL engine with the CLOUDFN_SECRETS_KEY this engine used.",
  ];
  if (orphans > 0)
    out.push(
      `${orphans} queue item(s) without a trigger log row were left behind: no engine can run them.`,
    );
  return out;
}
