/**
 * What the engine holds now, read through the admin API, for the plan: accounts (and whether
 * their secrets are the project's), tables and their fields, functions with their code and
 * env digests, and trigger definitions.
 */
import type { AdminClient, ListAnswer } from '../admin-client.ts';
import { EngineRefusedError } from '../errors.ts';
import { computeSignature, decryptMessage, prepareAccount } from '../../wechat/index.ts';
import type { DesiredAccount, Project } from './load.ts';
import type { FunctionCode } from '../../functions/api-shapes.ts';

export interface RemoteAccount {
  appId: string;
  mode: string;
  hasEncodingAESKey: boolean;
}

export interface RemoteField {
  name: string;
  type: string;
  [key: string]: unknown;
}

/** What the plan compares: the `/code` answer (its date plays no part). */
export type RemoteFunction = Omit<FunctionCode, 'created_at'>;

export interface EngineState {
  accounts: Map<string, RemoteAccount & { secretsMatch: boolean }>;
  tables: Map<string, RemoteField[]>;
  functions: Map<string, RemoteFunction>;
  triggers: Map<string, Record<string, unknown>>;
}

const ALL = { limit: 1000 };

/** Reads the engine's state; `project` limits the per-item calls to what it declares. */
export async function readEngineState(
  client: AdminClient,
  project?: Pick<Project, 'accounts' | 'functions'>,
): Promise<EngineState> {
  const [accounts, tables, functions, triggers] = await Promise.all([
    client.call<ListAnswer<RemoteAccount>>('GET', '/wechat/accounts'),
    client.call<ListAnswer<{ name: string; fields: RemoteField[] }>>('GET', '/tables', {
      query: ALL,
    }),
    client.call<ListAnswer<{ name: string }>>('GET', '/functions', { query: ALL }),
    client.call<ListAnswer<Record<string, unknown> & { name: string }>>('GET', '/triggers', {
      query: ALL,
    }),
  ]);
  const wanted = (name: string, list: Array<{ name: string }> | undefined) =>
    list === undefined || list.some((d) => d.name === name);
  const fnNames = functions.objects.map((f) => f.name).filter((n) => wanted(n, project?.functions));
  const codes = await Promise.all(
    fnNames.map((n) =>
      // The code exactly as stored (`raw`): a pulled file then deploys to the same sha256.
      client.call<RemoteFunction>('GET', `/functions/${encodeURIComponent(n)}/versions/active`, {
        query: { raw: 'true' },
      }),
    ),
  );
  const desired = new Map(project?.accounts.map((a) => [a.appId, a]));
  const checked = await Promise.all(
    accounts.objects.map(async (a) => {
      const mine = desired.get(a.appId);
      const secretsMatch = mine ? await sameSecrets(client, a, mine) : false;
      return [a.appId, { ...a, secretsMatch }] as const;
    }),
  );
  return {
    accounts: new Map(checked),
    tables: new Map(tables.objects.map((t) => [t.name, t.fields])),
    functions: new Map(codes.map((c) => [c.name, c])),
    triggers: new Map(triggers.objects.map((t) => [t.name, t])),
  };
}

// A push the engine signs (and encrypts) for the comparison; never sent anywhere.
const PROBE = JSON.stringify({
  ToUserName: 'gh_cloudfn_plan',
  FromUserName: 'cloudfn-plan',
  CreateTime: 1,
  MsgType: 'event',
  Event: 'cloudfn_plan',
});
const PROBE_TIME = '1';
const PROBE_NONCE = 'cloudfnplan';

/**
 * Whether the engine holds the project's Token and EncodingAESKey, without either leaving
 * the engine: it signs (and encrypts) a probe through the admin sign route, and the CLI
 * checks the signature with its token and decrypts with its key.
 */
async function sameSecrets(
  client: AdminClient,
  remote: RemoteAccount,
  mine: DesiredAccount,
): Promise<boolean> {
  if (remote.hasEncodingAESKey !== (mine.encodingAESKey !== undefined)) return false;
  let signed: { query: Record<string, string>; body: string };
  try {
    signed = await client.call(
      'POST',
      `/wechat/accounts/${encodeURIComponent(remote.appId)}/sign`,
      {
        body: {
          body: PROBE,
          encrypt: mine.encodingAESKey !== undefined,
          timestamp: PROBE_TIME,
          nonce: PROBE_NONCE,
        },
      },
    );
  } catch (err) {
    if (err instanceof EngineRefusedError) return false;
    throw err;
  }
  if (signed.query.signature !== computeSignature(mine.token, PROBE_TIME, PROBE_NONCE))
    return false;
  if (mine.encodingAESKey === undefined) return true;
  try {
    const key = prepareAccount({
      appId: mine.appId,
      token: mine.token,
      encodingAESKey: mine.encodingAESKey,
      mode: 'safe',
    }).keys[0]!;
    const encrypt = (JSON.parse(signed.body) as { Encrypt?: string }).Encrypt ?? '';
    const opened = decryptMessage(key, encrypt);
    return opened.message === PROBE && opened.appId === mine.appId;
  } catch {
    return false;
  }
}
