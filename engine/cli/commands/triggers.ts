import type { Command } from 'commander';
import type { AdminClient, ListAnswer } from '../admin-client.ts';
import { clientFor, examples, JSON_FLAG, type Cli } from '../context.ts';
import { EngineRefusedError, usageError } from '../errors.ts';
import { paint } from '../format/colour.ts';
import { renderTable, truncate } from '../format/table.ts';
import { inline, json } from '../format/values.ts';
import { readText } from '../read-file.ts';

export interface TriggerRow {
  name: string;
  type: string;
  enabled?: boolean;
  condition?: Record<string, unknown>;
  actions?: Array<Record<string, unknown>>;
  key?: string;
  hook_path?: string;
  reply?: boolean;
}

interface TestAnswer {
  trigger: string;
  missing_references?: Array<{ kind: string; name: string; path: string }>;
  enabled?: boolean;
  matched: boolean;
  reasons?: string[];
  rules: Array<{
    field: string;
    op: string;
    value?: unknown;
    actual?: unknown;
    matched: boolean;
    reason?: string;
  }>;
}

/** What a trigger listens to, in a few words. */
export function sourceOf(t: TriggerRow): string {
  const c = t.condition ?? {};
  switch (t.type) {
    case 'wechat_message':
      return `appId ${inline(c.appId)}`;
    case 'table':
      return `table ${inline(c.table)} on ${Array.isArray(c.on) ? c.on.join(',') : 'create,update,delete'}`;
    case 'timer':
      return `cron ${inline(c.cron)}${c.timezone ? ` ${inline(c.timezone)}` : ''}`;
    case 'webhook':
      return t.hook_path ?? 'POST /hooks/<key>';
    default:
      return '-';
  }
}

/** The actions of a trigger in a few words: `function:hello table:log webhook:https://…`. */
export function actionsOf(t: TriggerRow): string {
  return (t.actions ?? [])
    .map((a) => `${inline(a.type)}:${inline(a.function ?? a.table ?? a.url)}`)
    .join(' ');
}

/** `cloudfn triggers list|create|test|enable|disable|replay|delete`. */
export function registerTriggers(program: Command, cli: Cli): void {
  const triggers = program
    .command('triggers')
    .description('triggers: list, create from a file, dry-run, delete');
  triggers.addHelpText(
    'after',
    examples('cloudfn triggers list', 'cloudfn triggers create triggers/user_consume_card.json'),
  );

  triggers
    .command('list')
    .description('triggers with their type, source and actions')
    .option(...JSON_FLAG)
    .addHelpText('after', examples('cloudfn triggers list', 'cloudfn triggers list --json'))
    .action(async (options: { json?: boolean }, command: Command) => {
      const answer = await clientFor(cli, command).call<ListAnswer<TriggerRow>>(
        'GET',
        '/triggers',
        { query: { limit: 1000 } },
      );
      if (options.json) return cli.io.out(json(answer));
      if (answer.objects.length === 0)
        return cli.io.err('No triggers yet: cloudfn triggers create <file.json> adds one.');
      cli.io.out(
        renderTable(
          [
            { header: 'NAME', value: (t) => t.name },
            { header: 'TYPE', value: (t) => `${t.type}${t.reply ? ' (reply)' : ''}` },
            { header: 'ENABLED', value: (t) => (t.enabled === false ? 'no' : 'yes') },
            { header: 'SOURCE', value: (t) => truncate(sourceOf(t), 40) },
            { header: 'ACTIONS', value: (t) => truncate(actionsOf(t), 60) },
          ],
          answer.objects,
        ),
      );
    });

  triggers
    .command('create')
    .description(
      'create a trigger from a JSON definition (SPEC §4); --replace updates one of that name',
    )
    .argument('<file>', 'the trigger definition, JSON')
    .option('--replace', 'replace the trigger of the same name when it exists')
    .option(
      '--dry-run',
      'check everything a save checks (definition, functions, tables, accounts); save nothing',
    )
    .option(...JSON_FLAG)
    .addHelpText(
      'after',
      examples(
        'cloudfn triggers create triggers/user_consume_card.json',
        'cloudfn triggers create triggers/nightly.json --replace',
      ),
    )
    .action(
      async (
        file: string,
        options: { replace?: boolean; dryRun?: boolean; json?: boolean },
        command: Command,
      ) => {
        let definition: unknown;
        try {
          definition = JSON.parse(readText(file));
        } catch (err) {
          if (err instanceof SyntaxError)
            throw usageError(
              `${file} is not JSON: ${err.message}.`,
              'A trigger file holds one JSON object, e.g. {"name": …, "type": "wechat_message", …}.',
            );
          throw err;
        }
        const name = (definition as { name?: unknown } | null)?.name;
        const client = clientFor(cli, command);
        if (options.dryRun) {
          const checked = await dryRunSave(client, definition, name, options.replace === true);
          if (options.json) return cli.io.out(json(checked));
          return cli.io.out(
            `${file}: valid; ${checked.exists ? 'would replace' : 'would create'} trigger ${checked.trigger.name} (${checked.trigger.type}): ${sourceOf(checked.trigger)} → ${actionsOf(checked.trigger) || 'no actions'}. Nothing saved.`,
          );
        }
        const created = await createOrReplace(
          client,
          definition,
          typeof name === 'string' ? name : undefined,
          options.replace === true,
        );
        if (options.json) return cli.io.out(json(created.trigger));
        const t = created.trigger;
        cli.io.out(
          `${created.replaced ? 'Replaced' : 'Created'} trigger ${t.name} (${t.type}): ${sourceOf(t)} → ${actionsOf(t) || 'no actions'}`,
        );
        if (t.key)
          cli.io.out(
            `Incoming webhook: POST ${client.connection.url}/hooks/${t.key}  (keep the key secret)`,
          );
        for (const action of t.actions ?? []) {
          if (action.type === 'webhook' && typeof action.secret === 'string')
            cli.io.out(`Webhook secret for ${inline(action.url)}: ${action.secret}`);
        }
      },
    );

  triggers
    .command('test')
    .description('dry-run: would this event fire the trigger? Shows each rule with the value found')
    .argument('<name>', 'the trigger')
    .argument('<file>', 'a sample push (.xml, or a mini-program .json push) or event.data as JSON')
    .option(...JSON_FLAG)
    .addHelpText(
      'after',
      examples(
        'cloudfn triggers test user_consume_card pushes/user_consume_card.xml',
        'cloudfn triggers test on_order event.json',
      ),
    )
    .action(async (name: string, file: string, options: { json?: boolean }, command: Command) => {
      const client = clientFor(cli, command);
      const trigger = await client.call<TriggerRow>('GET', `/triggers/${encodeURIComponent(name)}`);
      const data = await eventFromFile(readText(file), file, trigger);
      const answer = await client.call<TestAnswer>(
        'POST',
        `/triggers/${encodeURIComponent(name)}/test`,
        { body: { data } },
      );
      if (options.json) return cli.io.out(json(answer));
      const c = cli.io.colour;
      cli.io.out(
        `${name}: ${answer.matched ? paint('matches', 'green', c) : paint('does not match', 'red', c)}${answer.enabled === false ? ' (but the trigger is disabled)' : ''}`,
      );
      for (const reason of answer.reasons ?? []) cli.io.out(`  - ${reason}`);
      // Deleted with --force since the trigger was saved: it fires, and the firing dead-letters.
      for (const m of answer.missing_references ?? [])
        cli.io.out(
          `  ${paint('!', 'yellow', c)} ${m.path}: no ${m.kind} named "${m.name}" any more; its firings dead-letter until it is back`,
        );
      if (answer.rules.length === 0)
        return cli.io.out('No rules: every event of its source matches.');
      cli.io.out(
        renderTable(
          [
            {
              header: '',
              value: (r) => (r.matched ? paint('✓', 'green', c) : paint('✗', 'red', c)),
            },
            { header: 'FIELD', value: (r) => r.field },
            { header: 'OP', value: (r) => r.op },
            { header: 'VALUE', value: (r) => truncate(inline(r.value), 30) },
            {
              header: 'ACTUAL',
              value: (r) => truncate(r.actual === undefined ? '(missing)' : inline(r.actual), 30),
            },
            { header: 'WHY NOT', value: (r) => r.reason ?? '' },
          ],
          answer.rules,
        ),
      );
    });

  for (const [verb, enabled] of [
    ['enable', true],
    ['disable', false],
  ] as const) {
    triggers
      .command(verb)
      .description(
        `${verb} a trigger (${enabled ? 'it fires again' : 'it keeps its definition and logs but fires no more'})`,
      )
      .argument('<name>', 'the trigger')
      .addHelpText('after', examples(`cloudfn triggers ${verb} user_consume_card`))
      .action(async (name: string, _options: unknown, command: Command) => {
        await clientFor(cli, command).call('PATCH', `/triggers/${encodeURIComponent(name)}`, {
          body: { enabled },
        });
        cli.io.out(`Trigger ${name} ${enabled ? 'enabled' : 'disabled'}.`);
      });
  }

  triggers
    .command('replay')
    .description('run a logged firing again, or every dead letter of the trigger (--all-dead)')
    .argument('<trigger>', 'the trigger')
    .argument('[log-id]', 'the firing (the id in cloudfn logs <trigger> --json)')
    .option('--all-dead', 'every dead-lettered firing of the trigger')
    .option(...JSON_FLAG)
    .addHelpText(
      'after',
      examples(
        'cloudfn triggers replay user_consume_card 6650a1c2e4b0f1a2b3c4d5e6',
        'cloudfn triggers replay user_consume_card --all-dead',
      ),
    )
    .action(
      async (
        name: string,
        logId: string | undefined,
        options: { allDead?: boolean; json?: boolean },
        command: Command,
      ) => {
        if ((logId === undefined) === (options.allDead !== true))
          throw usageError(
            'Give either a log id or --all-dead.',
            `cloudfn logs ${name} --trigger --status failed shows the firings and their ids.`,
          );
        const client = clientFor(cli, command);
        const base = `/triggers/${encodeURIComponent(name)}/logs`;
        if (logId !== undefined) {
          const log = await client.call<Record<string, unknown>>(
            'POST',
            `${base}/${encodeURIComponent(logId)}/replay`,
          );
          if (options.json) return cli.io.out(json(log));
          return cli.io.out(
            `Replaying firing ${logId} of ${name}: queued again (cloudfn logs ${name} --trigger shows how it ends).`,
          );
        }
        const answer = await client.call<{ replayed: number }>('POST', `${base}/replay`, {
          body: { status: 'dead_letter' },
        });
        if (options.json) return cli.io.out(json(answer));
        cli.io.out(
          answer.replayed === 0
            ? `${name} has no dead letters to replay.`
            : `Replaying ${answer.replayed} dead-lettered firing(s) of ${name}.`,
        );
      },
    );

  triggers
    .command('delete')
    .description('delete a trigger (its logs go with it)')
    .argument('<name>', 'the trigger')
    .addHelpText('after', examples('cloudfn triggers delete user_consume_card'))
    .action(async (name: string, _options: unknown, command: Command) => {
      await clientFor(cli, command).call('DELETE', `/triggers/${encodeURIComponent(name)}`);
      cli.io.out(`Deleted trigger ${name}.`);
    });
}

async function createOrReplace(
  client: AdminClient,
  definition: unknown,
  name: string | undefined,
  replace: boolean,
): Promise<{ trigger: TriggerRow; replaced: boolean }> {
  try {
    return {
      trigger: await client.call<TriggerRow>('POST', '/triggers', { body: definition }),
      replaced: false,
    };
  } catch (err) {
    if (!(err instanceof EngineRefusedError) || err.status !== 409 || !name) throw err;
    if (!replace)
      throw new EngineRefusedError(
        err.status,
        err.body,
        `Add --replace to update it, or delete it first: cloudfn triggers delete ${name}.`,
      );
    return {
      trigger: await client.call<TriggerRow>('PUT', `/triggers/${encodeURIComponent(name)}`, {
        body: definition,
      }),
      replaced: true,
    };
  }
}

/** POST (or PUT with --replace) ?dryRun=true: every check of a save, nothing saved. */
async function dryRunSave(
  client: AdminClient,
  definition: unknown,
  name: unknown,
  replace: boolean,
): Promise<{ dry_run: true; exists: boolean; trigger: TriggerRow }> {
  const existing =
    typeof name === 'string' && replace
      ? await client
          .call('GET', `/triggers/${encodeURIComponent(name)}`)
          .then(() => true)
          .catch((err: unknown) => {
            if (err instanceof EngineRefusedError && err.status === 404) return false;
            throw err;
          })
      : false;
  const answer = existing
    ? await client.call<{ trigger: TriggerRow }>(
        'PUT',
        `/triggers/${encodeURIComponent(name as string)}`,
        { body: definition, query: { dryRun: 'true' } },
      )
    : await client.call<{ trigger: TriggerRow }>('POST', '/triggers', {
        body: definition,
        query: { dryRun: 'true' },
      });
  return { dry_run: true, exists: existing, trigger: answer.trigger };
}

/** event.data for a dry-run: a push is parsed as the receiver would; other JSON is taken as is. */
async function eventFromFile(
  text: string,
  file: string,
  trigger: TriggerRow,
): Promise<Record<string, unknown>> {
  const { eventDataOf } = await import('../push-sample.ts');
  const trimmed = text.trim();
  const appId = typeof trigger.condition?.appId === 'string' ? trigger.condition.appId : '';
  if (trimmed.startsWith('<')) return eventDataOf(trimmed, file, appId);
  let parsed: unknown;
  try {
    parsed = JSON.parse(trimmed);
  } catch (err) {
    throw usageError(`${file} is neither XML nor JSON: ${(err as Error).message}.`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
    throw usageError(`${file} must hold a JSON object.`);
  // A mini-program push (it has MsgType) is normalised like the receiver does; other JSON is event.data.
  return trigger.type === 'wechat_message' && 'MsgType' in parsed
    ? eventDataOf(trimmed, file, appId)
    : (parsed as Record<string, unknown>);
}
