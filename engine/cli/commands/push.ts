import type { Command } from 'commander';
import type { AdminClient, ListAnswer } from '../admin-client.ts';
import { clientFor, examples, type Cli } from '../context.ts';
import { CliError, EngineRefusedError, EXIT } from '../errors.ts';
import { paint } from '../format/colour.ts';
import { renderJob, renderTriggerLog, type JobRow, type TriggerLogRow } from '../format/runs.ts';
import { parseEventTime, parsePositiveInt } from '../parse-args.ts';
import { readText } from '../read-file.ts';
import { isEventOf } from '../event-match.ts';
import { parseWechatJson, parseWechatXml } from '../../wechat/index.ts';
import type { TriggerRow } from './triggers.ts';

interface PushOptions {
  encrypt?: boolean;
  eventTime?: string;
  fresh?: boolean;
  wait: number;
  json?: boolean;
}

interface SignedPush {
  query: Record<string, string>;
  body: string;
  contentType: string;
}

interface Run {
  log: TriggerLogRow;
  job?: JobRow;
}

const FINAL = new Set(['succeeded', 'dead_letter']);
const POLL_MS = 250;

/** `cloudfn push <appId> <file>`: send a push as WeChat would, then show the runs it caused. */
export function registerPush(program: Command, cli: Cli): void {
  program
    .command('push')
    .description(
      'send a correctly signed (optionally encrypted) push to the engine, as WeChat would, and show the trigger runs it caused',
    )
    .argument('<appId>', 'the account to push as (registered with cloudfn accounts set)')
    .argument('<file>', 'the plaintext push: XML (公众号) or JSON (小程序)')
    .option(
      '--encrypt',
      'encrypt it (安全模式) — the default when the account has an EncodingAESKey',
    )
    .option('--no-encrypt', 'send it in plaintext even when the account has a key')
    .option('--event-time <time>', 'set CreateTime: now, unix seconds or ISO-8601')
    .option(
      '--fresh',
      'a new MsgId and CreateTime now, so it is not taken for a retry of an earlier push',
    )
    .option(
      '--wait <seconds>',
      'how long to wait for the runs it causes (0: do not wait)',
      (v) => (v === '0' ? 0 : parsePositiveInt('--wait')(v)),
      15,
    )
    .option('--json', 'print {answer, runs} as JSON')
    .addHelpText(
      'after',
      examples(
        'cloudfn push wx2c2769f8efd9abc2 pushes/user_consume_card.xml --encrypt',
        'cloudfn push wx2c2769f8efd9abc2 pushes/text.xml --fresh --wait 0',
      ) +
        '\nThe engine signs (and encrypts) the push through an admin-only route, so no account secret\nis needed here. Exit 1 when the engine refuses the push or a run it caused failed.\n',
    )
    .action(async (appId: string, file: string, options: PushOptions, command: Command) => {
      const client = clientFor(cli, command);
      const { eventDataOf, withCreateTime, withFreshMsgId } = await import('../push-sample.ts');
      let text = readText(file).trim();
      if (options.fresh) text = withCreateTime(withFreshMsgId(text), Math.floor(cli.now() / 1000));
      if (options.eventTime)
        text = withCreateTime(text, parseEventTime(options.eventTime, cli.now()));
      const data = eventDataOf(text, file, appId);

      const signed = await client.call<SignedPush>(
        'POST',
        `/wechat/accounts/${encodeURIComponent(appId)}/sign`,
        {
          body: {
            body: text,
            ...(options.encrypt === undefined ? {} : { encrypt: options.encrypt }),
          },
        },
      );
      const encrypted = signed.query.encrypt_type === 'aes';
      // Runs already logged for this same event (an earlier push of this file) are not this
      // push's: the time window below alone would count a run of a few seconds ago.
      const expected = options.wait > 0 ? await matchingTriggers(client, appId, data) : [];
      const earlier = new Set((await triggerLogs(client, expected, data, 0)).map((l) => l.id));
      const route = `/wechat/${encodeURIComponent(appId)}?${new URLSearchParams(signed.query).toString()}`;
      const response = await client.public(route, {
        method: 'POST',
        headers: { 'content-type': signed.contentType },
        body: signed.body,
      });
      const answer = await response.text();
      if (!response.ok) throw refusal(response.status, answer);
      const since = Date.parse(response.headers.get('date') ?? '') - 1000 || cli.now() - 1000;
      const duplicate = response.headers.get('x-cloudfn-duplicate') === 'true';
      // The engine holds the key: it opens (decrypts) the reply so the bot's words show.
      const reply = isSuccess(answer)
        ? undefined
        : readReply(
            await client.call<{ encrypted: boolean; message: string }>(
              'POST',
              `/wechat/accounts/${encodeURIComponent(appId)}/open-reply`,
              { body: { body: answer } },
            ),
          );
      if (!options.json) {
        cli.io.err(
          `→ POST /wechat/${appId} (${encrypted ? 'encrypted' : 'plaintext'}, ${Buffer.byteLength(signed.body)} bytes)`,
        );
        if (reply) printReply(cli, response.status, reply);
        else cli.io.out(`← ${response.status} ${answer === '' ? '(empty)' : answer}`);
        if (duplicate)
          cli.io.err(
            `Duplicate: the engine already has this push (same MsgId, or same FromUserName and CreateTime) and took it for WeChat's retry, so nothing runs again. Add --fresh to send it as a new push.`,
          );
      }
      const runs =
        options.wait > 0 && !duplicate
          ? await awaitRuns(
              client,
              appId,
              expected,
              data,
              { since, earlier },
              options.wait * 1000,
              cli,
              options.json === true,
            )
          : [];
      if (options.json)
        cli.io.out(
          JSON.stringify(
            {
              status: response.status,
              answer,
              duplicate,
              ...(reply ? { reply } : {}),
              runs,
            },
            null,
            2,
          ),
        );
      const failed = runs.filter((r) => !['succeeded', 'pending'].includes(r.log.status));
      if (failed.length > 0) {
        throw new CliError(
          'E_CLI_RUN_FAILED',
          `${failed.length} of ${runs.length} trigger runs caused by this push failed.`,
          {
            exitCode: EXIT.refused,
            hint: `cloudfn logs <trigger> --trigger --status failed shows them; a failed run is retried, then dead-lettered.`,
          },
        );
      }
    });
}

/** A passive reply as WeChat reads it: decrypted when it was sealed, and its fields. */
interface OpenedReply {
  encrypted: boolean;
  message: string;
  fields: Record<string, unknown> | null;
}

/** Fields of the opened reply (`MsgType`, `Content`, …), parsed as the engine parses XML/JSON. */
function readReply(opened: { encrypted: boolean; message: string }): OpenedReply {
  let fields: Record<string, unknown> | null = null;
  try {
    const text = opened.message.trim();
    fields = text.startsWith('<') ? parseWechatXml(text) : parseWechatJson(text);
  } catch {
    // Not XML or JSON: shown as it is.
  }
  return { ...opened, fields };
}

const isSuccess = (answer: string) => answer.trim() === '' || answer.trim() === 'success';

/** A passive reply as WeChat will show it: its fields, one per line, decrypted. */
function printReply(cli: Cli, status: number, reply: OpenedReply): void {
  const c = cli.io.colour;
  const how = reply.encrypted ? 'encrypted; decrypted by the engine' : 'plaintext';
  cli.io.out(`← ${status} passive reply (${how}):`);
  if (!reply.fields) return cli.io.out(`  ${reply.message}`);
  const fields = reply.fields;
  const width = Math.max(...Object.keys(fields).map((k) => k.length), 0);
  for (const [key, value] of Object.entries(fields))
    cli.io.out(
      `  ${paint(key.padEnd(width), 'bold', c)}  ${typeof value === 'string' ? value : JSON.stringify(value)}`,
    );
}

function refusal(status: number, answer: string): EngineRefusedError {
  let error: Record<string, unknown> = { message: answer || `HTTP ${status}` };
  try {
    const parsed = JSON.parse(answer) as { error?: Record<string, unknown> };
    if (parsed.error) error = parsed.error;
  } catch {
    // A plain-text refusal: shown as it came.
  }
  return new EngineRefusedError(
    status,
    error,
    'The receiver refused the push: is the account set with the Token and key you meant (cloudfn accounts list)?',
  );
}

/** The enabled wechat_message triggers of this account whose rules match the push (a dry-run each). */
async function matchingTriggers(
  client: AdminClient,
  appId: string,
  data: Record<string, unknown>,
): Promise<TriggerRow[]> {
  const all = await client.call<ListAnswer<TriggerRow>>('GET', '/triggers', {
    query: { limit: 1000 },
  });
  const candidates = all.objects.filter(
    (t) =>
      t.type === 'wechat_message' && t.enabled !== false && (t.condition?.appId ?? appId) === appId,
  );
  const verdicts = await Promise.all(
    candidates.map((t) =>
      client.call<{ matched: boolean }>('POST', `/triggers/${encodeURIComponent(t.name)}/test`, {
        body: { data },
      }),
    ),
  );
  return candidates.filter((_, i) => verdicts[i]!.matched);
}

/** The latest logs of these triggers for this event, since a time. */
async function triggerLogs(
  client: AdminClient,
  triggers: TriggerRow[],
  data: Record<string, unknown>,
  since: number,
): Promise<TriggerLogRow[]> {
  const pages = await Promise.all(
    triggers.map((t) =>
      client.call<ListAnswer<TriggerLogRow & { event: unknown }>>(
        'GET',
        `/triggers/${encodeURIComponent(t.name)}/logs`,
        { query: { limit: 50 } },
      ),
    ),
  );
  return pages.flatMap((p) =>
    p.objects.filter((l) => Date.parse(l.triggered_at) >= since && isEventOf(l.event, data)),
  );
}

/**
 * Polls the logs of every trigger the push should fire until each action has an outcome;
 * runs logged since `since` count, except those seen before the push was sent.
 */
async function awaitRuns(
  client: AdminClient,
  appId: string,
  expected: TriggerRow[],
  data: Record<string, unknown>,
  window: { since: number; earlier: Set<string> },
  waitMs: number,
  cli: Cli,
  quiet: boolean,
): Promise<Run[]> {
  if (expected.length === 0) {
    if (!quiet)
      cli.io.err(
        `No enabled trigger of ${appId} matches this push (cloudfn triggers test <name> <file> explains why).`,
      );
    return [];
  }
  const deadline = Date.now() + waitMs;
  let logs: TriggerLogRow[] = [];
  for (;;) {
    logs = (await triggerLogs(client, expected, data, window.since)).filter(
      (l) => !window.earlier.has(l.id),
    );
    const complete = expected.every(
      (t) =>
        logs.filter((l) => l.trigger === t.name && FINAL.has(l.status)).length >=
        (t.actions?.length ?? 1),
    );
    if (complete || Date.now() >= deadline) break;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  if (logs.length === 0 && !quiet) {
    cli.io.err(
      `No run appeared within ${waitMs / 1000} s. If this exact push was sent before, the engine took it for WeChat's retry and ran nothing: add --fresh.`,
    );
  }
  const runs: Run[] = [];
  for (const log of logs.sort((a, b) => a.triggered_at.localeCompare(b.triggered_at))) {
    const job = log.job_id
      ? await client
          .call<JobRow>('GET', `/jobs/${encodeURIComponent(log.job_id)}`)
          .catch(() => undefined)
      : undefined;
    runs.push({ log, ...(job ? { job } : {}) });
    if (quiet) continue;
    cli.io.out(
      `${paint(log.trigger, 'bold', cli.io.colour)}  ${renderTriggerLog(log, cli.io.colour)}`,
    );
    if (job) cli.io.out(`    ${renderJob(job, cli.io.colour).replace(/\n/g, '\n    ')}`);
  }
  return runs;
}
