import fs from 'node:fs';
import type { Command } from 'commander';
import type { ListAnswer } from '../admin-client.ts';
import { clientFor, examples, JSON_FLAG, type Cli } from '../context.ts';
import { usageError } from '../errors.ts';
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

/** `cloudfn tables list|create|export|import`. */
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
    .description('create records from a JSON file (an array of records, or one record per line)')
    .argument('<table>', 'the table name or id')
    .argument('<file>', 'records as a JSON array or newline-delimited JSON')
    .option('--batch <n>', 'records per request (each batch is all or nothing)', '500')
    .addHelpText(
      'after',
      examples(
        'cloudfn tables import orders orders.json',
        'cloudfn tables export orders > o.json && cloudfn tables import orders_copy o.json',
      ),
    )
    .action(async (table: string, file: string, options: { batch: string }, command: Command) => {
      const records = parseRecords(readText(file), file);
      const batch = Number(options.batch);
      if (!Number.isInteger(batch) || batch < 1 || batch > 1000)
        throw usageError('--batch must be an integer from 1 to 1000.');
      const client = clientFor(cli, command);
      const progress = startProgress(cli.io, `Importing into ${table}`, (n) => `${n} records`);
      let done = 0;
      try {
        for (let at = 0; at < records.length; at += batch) {
          await client.call('POST', `/tables/${encodeURIComponent(table)}/records`, {
            body: records.slice(at, at + batch),
          });
          done = Math.min(records.length, at + batch);
          progress.update(done, records.length);
        }
      } finally {
        progress.stop();
      }
      cli.io.out(`Imported ${done} records into ${table}.`);
    });
}

/** System fields are the engine's to set: an exported file imports without them. */
const SYSTEM_FIELDS = ['id', 'created_at', 'updated_at', 'created_by'];

function parseRecords(text: string, file: string): Array<Record<string, unknown>> {
  const trimmed = text.trim();
  let values: unknown[];
  try {
    values = trimmed.startsWith('[')
      ? (JSON.parse(trimmed) as unknown[])
      : trimmed
          .split('\n')
          .filter((l) => l.trim())
          .map((l) => JSON.parse(l) as unknown);
  } catch (err) {
    throw usageError(
      `${file} is not JSON records: ${(err as Error).message}.`,
      'Give a JSON array of objects, or one JSON object per line.',
    );
  }
  return values.map((value, i) => {
    if (value === null || typeof value !== 'object' || Array.isArray(value))
      throw usageError(`${file}: record ${i + 1} is not a JSON object.`);
    const record = { ...(value as Record<string, unknown>) };
    for (const key of SYSTEM_FIELDS) delete record[key];
    return record;
  });
}
