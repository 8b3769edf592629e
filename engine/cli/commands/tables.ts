import fs from 'node:fs';
import { Option, type Command } from 'commander';
import type { AdminClient, ListAnswer } from '../admin-client.ts';
import { clientFor, examples, JSON_FLAG, type Cli } from '../context.ts';
import { EngineRefusedError, usageError } from '../errors.ts';
import {
  parseImportFile,
  planImport,
  type ImportRecord,
  type OnConflict,
} from '../import-records.ts';
import { renderTable, truncate } from '../format/table.ts';
import { formatBytes, formatTime, json } from '../format/values.ts';
import { collect, parseFieldSpec, type FieldSpec } from '../parse-args.ts';
import { startProgress } from '../progress.ts';
import { readText } from '../read-file.ts';

interface TableRow {
  id: number;
  name: string;
  fields: FieldSpec[];
  created_at: string;
}

/** `cloudfn tables list|create|export|import|delete`. */
export function registerTables(program: Command, cli: Cli): void {
  const tables = program
    .command('tables')
    .description('data tables: list, create, export and import');
  tables.addHelpText(
    'after',
    examples(
      'cloudfn tables list',
      'cloudfn tables create coupons --from-push pushes/user_consume_card.xml',
    ),
  );

  tables
    .command('list')
    .description('tables with their id and fields')
    .option(...JSON_FLAG)
    .addHelpText('after', examples('cloudfn tables list', 'cloudfn tables list --json'))
    .action(async (options: { json?: boolean }, command: Command) => {
      const answer = await clientFor(cli, command).call<ListAnswer<TableRow>>('GET', '/tables', {
        query: { limit: 1000 },
      });
      if (options.json) return cli.io.out(json(answer));
      if (answer.objects.length === 0)
        return cli.io.err(
          'No tables yet: cloudfn tables create <name> --field Name:type makes one.',
        );
      cli.io.out(
        renderTable(
          [
            { header: 'ID', value: (t) => String(t.id), align: 'right' },
            { header: 'NAME', value: (t) => t.name },
            { header: 'CREATED', value: (t) => formatTime(t.created_at) },
            {
              header: 'FIELDS',
              value: (t) => truncate(t.fields.map((f) => `${f.name}:${f.type}`).join(' '), 80),
            },
          ],
          answer.objects,
        ),
      );
    });

  tables
    .command('create')
    .description('create a table from --field specs, or with a column per element of a sample push')
    .argument('<name>', 'the table name')
    .option(
      '--field <Name:type>',
      'a field; types string, integer, number, boolean, date, array, object; ! = required (repeatable)',
      collect,
    )
    .option(
      '--from-push <file>',
      'a sample push (XML or JSON): a string column per element, CreateTime integer, plus _AppId',
    )
    .option(...JSON_FLAG)
    .addHelpText(
      'after',
      examples(
        'cloudfn tables create user_consume_card --from-push pushes/user_consume_card.xml',
        'cloudfn tables create orders --field OrderId:string! --field Amount:integer --field Paid:boolean',
      ),
    )
    .action(
      async (
        name: string,
        options: { field?: string[]; fromPush?: string; json?: boolean },
        command: Command,
      ) => {
        const fields: FieldSpec[] = [];
        const { parsePushSample, schemaFromPush } = await import('../push-sample.ts');
        if (options.fromPush)
          fields.push(
            ...schemaFromPush(parsePushSample(readText(options.fromPush), options.fromPush)),
          );
        for (const spec of options.field ?? []) {
          const field = parseFieldSpec(spec);
          const at = fields.findIndex((f) => f.name === field.name);
          if (at >= 0) fields[at] = field;
          else fields.push(field);
        }
        if (fields.length === 0)
          throw usageError(
            'A table needs fields.',
            'Give --field Name:type (repeatable) or --from-push <sample.xml>.',
          );
        const table = await clientFor(cli, command).call<TableRow>('POST', '/tables', {
          body: { name, fields },
        });
        if (options.json) return cli.io.out(json(table));
        cli.io.out(
          `Created table ${table.name} (id ${table.id}) with ${table.fields.length} fields:`,
        );
        cli.io.out(
          renderTable(
            [
              { header: 'FIELD', value: (f: FieldSpec) => f.name },
              { header: 'TYPE', value: (f) => `${f.type}${f.required ? ' (required)' : ''}` },
            ],
            table.fields,
          ),
        );
      },
    );

  tables
    .command('export')
    .description('every record of a table as CSV or JSON')
    .argument('<table>', 'the table name or id')
    .option('--format <format>', 'csv or json', 'json')
    .option('--out <file>', 'write to a file instead of stdout')
    .addHelpText(
      'after',
      examples(
        'cloudfn tables export user_consume_card --format csv --out coupons.csv',
        'cloudfn tables export orders | jq length',
      ),
    )
    .action(async (table: string, options: { format: string; out?: string }, command: Command) => {
      if (options.format !== 'csv' && options.format !== 'json')
        throw usageError(`--format must be csv or json, not "${options.format}".`);
      const response = await clientFor(cli, command).stream(
        `/tables/${encodeURIComponent(table)}/export`,
        { format: options.format },
      );
      const total = Number(response.headers.get('content-length')) || undefined;
      const progress = startProgress(cli.io, `Exporting ${table}`, formatBytes);
      const sink = options.out ? fs.createWriteStream(options.out) : undefined;
      let received = 0;
      try {
        for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
          received += chunk.byteLength;
          progress.update(received, total);
          if (sink) {
            if (!sink.write(chunk))
              await new Promise<void>((resolve) => sink.once('drain', () => resolve()));
          } else process.stdout.write(chunk);
        }
      } finally {
        progress.stop();
        if (sink)
          await new Promise<void>((resolve, reject) =>
            sink.end((err?: Error | null) => (err ? reject(err) : resolve())),
          );
      }
      if (options.out)
        cli.io.err(`Exported ${table} to ${options.out} (${formatBytes(received)}).`);
    });

  tables
    .command('import')
    .description(
      'create records from a JSON or CSV file (an export imports as is); records whose id exists are skipped or updated, the others keep their id',
    )
    .argument('<table>', 'the table name or id')
    .argument('<file>', 'records as a JSON array, newline-delimited JSON, or CSV (a .csv file)')
    .option('--batch <n>', 'records per request (each batch is all or nothing)', '500')
    .addOption(
      new Option('--on-conflict <what>', 'a record whose id is in the table: skip it or update it')
        .choices(['skip', 'update'])
        .default('skip'),
    )
    .option('--dry-run', 'say what would be created, updated and skipped; write nothing')
    .option(...JSON_FLAG)
    .addHelpText(
      'after',
      examples(
        'cloudfn tables import orders orders.json',
        'cloudfn tables import orders orders.json --on-conflict update --dry-run',
        'cloudfn tables export orders > o.json && cloudfn tables import orders_copy o.json',
        'cloudfn tables import orders orders.csv',
      ),
    )
    .action(
      async (
        table: string,
        file: string,
        options: { batch: string; onConflict: OnConflict; dryRun?: boolean; json?: boolean },
        command: Command,
      ) => {
        const text = readText(file);
        const batch = Number(options.batch);
        if (!Number.isInteger(batch) || batch < 1 || batch > 1000)
          throw usageError('--batch must be an integer from 1 to 1000.');
        const client = clientFor(cli, command);
        const route = `/tables/${encodeURIComponent(table)}`;
        const schema = await client.call<TableRow>('GET', route);
        const records = parseImportFile(text, file, {
          integerIds: schema.name === '_userprofile',
          columns: new Map(schema.fields.map((f) => [f.name, f.type])),
        });
        const existing = await existingIds(client, route, records, schema.name === '_userprofile');
        const plan = planImport(records, existing, options.onConflict);
        const summary = {
          table: schema.name,
          dry_run: options.dryRun === true,
          created: plan.create.length,
          updated: plan.update.length,
          skipped: plan.skip.length,
          skipped_lines: plan.skip.map((r) => r.line),
        };
        const say = () => {
          if (options.json) return cli.io.out(json(summary));
          const verb = options.dryRun ? 'Would import' : 'Imported';
          const written = plan.create.length + plan.update.length;
          const skipped =
            plan.skip.length === 0
              ? '0 skipped'
              : `${plan.skip.length} skipped (their id is in the table already; --on-conflict update updates them)`;
          cli.io.out(
            `${verb} ${written} records into ${schema.name}: ${plan.create.length} created, ${plan.update.length} updated, ${skipped}.`,
          );
        };
        if (options.dryRun) return say();

        const total = plan.create.length + plan.update.length;
        const progress = startProgress(cli.io, `Importing into ${table}`, (n) => `${n} records`);
        let done = 0;
        try {
          for (let at = 0; at < plan.create.length; at += batch) {
            const slice = plan.create.slice(at, at + batch);
            await atLines(file, slice, () =>
              client.call('POST', `${route}/records`, {
                // The file's id is kept, so importing the file again finds the record.
                body: slice.map((r) => (r.id === undefined ? r.data : { id: r.id, ...r.data })),
              }),
            );
            done += slice.length;
            progress.update(done, total);
          }
          for (const record of plan.update) {
            await atLines(file, [record], () =>
              client.call('PUT', `${route}/records/${encodeURIComponent(record.id!)}`, {
                body: record.data,
              }),
            );
            progress.update(++done, total);
          }
        } finally {
          progress.stop();
        }
        say();
      },
    );

  tables
    .command('delete')
    .description('drop a table and all its records')
    .argument('<table>', 'the table name or id')
    .option('--force', 'drop it even if triggers use it (their firings then dead-letter)')
    .addHelpText('after', examples('cloudfn tables delete old_orders'))
    .action(async (table: string, options: { force?: boolean }, command: Command) => {
      await clientFor(cli, command).call('DELETE', `/tables/${encodeURIComponent(table)}`, {
        query: { force: options.force ? 'true' : undefined },
      });
      cli.io.out(`Deleted table ${table}.`);
    });
}

/** Which of the records' ids are in the table now (asked 500 at a time). */
async function existingIds(
  client: AdminClient,
  route: string,
  records: ImportRecord[],
  integerIds: boolean,
): Promise<Set<string>> {
  const ids = [...new Set(records.flatMap((r) => (r.id === undefined ? [] : [r.id])))];
  const found = new Set<string>();
  for (let at = 0; at < ids.length; at += 500) {
    const chunk = ids.slice(at, at + 500).map((id) => (integerIds ? Number(id) : id));
    const answer = await client.call<{ objects: Array<{ id: string | number }> }>(
      'GET',
      `${route}/records`,
      { query: { where: JSON.stringify({ id: { $in: chunk } }), keys: 'id', limit: 1000 } },
    );
    for (const row of answer.objects) found.add(String(row.id));
  }
  return found;
}

/**
 * Runs one request of the import; a refusal names the line of the file the refused record
 * starts on (the engine's `index` is the position in the batch).
 */
async function atLines<T>(file: string, slice: ImportRecord[], send: () => Promise<T>): Promise<T> {
  try {
    return await send();
  } catch (err) {
    if (!(err instanceof EngineRefusedError)) throw err;
    const index = typeof err.body.index === 'number' ? err.body.index : 0;
    const record = slice[index] ?? slice[0]!;
    const message = err.message.replace(/ \(item \d+\)/, '');
    throw new EngineRefusedError(
      err.status,
      { ...err.body, message: `${file}:${record.line}: ${message}`, line: record.line },
      err.hint,
    );
  }
}
