/**
 * N real `cloudfn serve` processes on one fresh PostgreSQL schema, as they run behind a load
 * balancer: each its own data dir, all the same admin token and the same secrets key (one
 * process seals an AppSecret, another must unseal it). Helpers act through one process's
 * admin API and push to any process, as WeChat's retries land wherever the balancer sends them.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createTestSchema, type TestSchema } from './postgres.ts';
import { killServe, startServe, type ServeProcess } from './serve-process.ts';
import { buildPush, sendPush, type PushAccount } from './wechat-push.ts';

export type Role = 'all' | 'receiver' | 'worker';

export interface ClusterOptions {
  /** One entry per process: its role (default: three processes, all `all`). */
  roles?: Role[];
  /** Settings every process gets (e.g. a short lease). */
  env?: Record<string, string>;
  /**
   * The URL the processes reach the schema by, from the schema's own URL (e.g. through a
   * TCP proxy the test can cut); default: that URL as is.
   */
  databaseUrl?: (schemaUrl: string) => string;
}

export interface ApiAnswer {
  status: number;
  body: any;
}

export interface Cluster {
  schema: TestSchema;
  adminToken: string;
  /** The processes, in the order of `roles`; a slot is replaced by `restart`. */
  nodes: ServeProcess[];
  /** Calls the admin API of process `on`. */
  api(on: number, method: string, route: string, body?: unknown): Promise<ApiAnswer>;
  /** As `api`, failing the test with the answer unless it is 2xx. */
  ok(on: number, method: string, route: string, body?: unknown): Promise<ApiAnswer>;
  deployFunction(on: number, name: string, code: string): Promise<ApiAnswer>;
  /** A plain-mode account (signature only: the cheapest pushes). */
  createAccount(on: number, account: PushAccount): Promise<ApiAnswer>;
  createTrigger(on: number, definition: object): Promise<ApiAnswer>;
  /** A signed push of `xml` for `account`, POSTed to process `to`. */
  push(to: number, account: PushAccount, xml: string): Promise<{ status: number; text: string }>;
  /** Every trigger log row of `trigger`, read through process `on` (pages of 1,000). */
  logs(on: number, trigger: string): Promise<any[]>;
  /** Every job of function `fn`, read through process `on` (pages of 1,000). */
  jobs(on: number, fn: string): Promise<any[]>;
  /** SIGKILLs process `index` and waits for it to be gone. */
  kill(index: number): Promise<void>;
  /** Starts process `index` again (same data dir, role and settings) after a kill. */
  restart(index: number): Promise<ServeProcess>;
  /** Starts one more process with `role`; resolves to its index. */
  add(role: Role): Promise<number>;
  /** Kills every process, drops the schema and the data dirs. */
  close(): Promise<void>;
}

/** A plain-mode text push (MsgId is the dedup key WeChat's retries share). */
export function textPush(account: PushAccount, msgId: string, content: string, from = 'user_a') {
  return (
    `<xml><ToUserName><![CDATA[${account.appId}]]></ToUserName>` +
    `<FromUserName><![CDATA[${from}]]></FromUserName>` +
    `<CreateTime>${Math.floor(Date.now() / 1000)}</CreateTime>` +
    `<MsgType><![CDATA[text]]></MsgType><Content><![CDATA[${content}]]></Content>` +
    `<MsgId>${msgId}</MsgId></xml>`
  );
}

/** Starts the processes (together: their migrations meet under the advisory lock). */
export async function startCluster(options: ClusterOptions = {}): Promise<Cluster> {
  const roles = [...(options.roles ?? ['all', 'all', 'all'])];
  const schema = await createTestSchema('cluster');
  const adminToken = `cluster-${crypto.randomBytes(12).toString('hex')}`;
  const secretsKey = crypto.randomBytes(32).toString('base64');
  const databaseUrl = options.databaseUrl?.(schema.url) ?? schema.url;
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'cloudfn-cluster-'));
  const nodes: ServeProcess[] = [];

  const startNode = (index: number) => {
    const role = roles[index]!;
    const dataDir = path.join(root, `node-${index}`);
    fs.mkdirSync(dataDir, { recursive: true });
    return startServe({
      cwd: dataDir,
      env: {
        PORT: '0',
        HOST: '127.0.0.1',
        CLOUDFN_DATA_DIR: dataDir,
        CLOUDFN_DATABASE_URL: databaseUrl,
        CLOUDFN_ADMIN_TOKEN: adminToken,
        CLOUDFN_SECRETS_KEY: secretsKey,
        CLOUDFN_ROLE: role,
        // info: the start line (with the URL) is logged at info.
        CLOUDFN_LOG_LEVEL: 'info',
        ...options.env,
      },
    });
  };

  const close = async () => {
    await Promise.all(nodes.map((node) => killServe(node)));
    await schema.drop().catch(() => {});
    fs.rmSync(root, { recursive: true, force: true });
  };

  try {
    const started = await Promise.allSettled(roles.map((_, i) => startNode(i)));
    for (const outcome of started) if (outcome.status === 'fulfilled') nodes.push(outcome.value);
    const failed = started.find((o) => o.status === 'rejected');
    if (failed) throw (failed as PromiseRejectedResult).reason;
  } catch (err) {
    await close();
    throw err;
  }

  const api = (on: number, method: string, route: string, body?: unknown) =>
    nodes[on]!.api(adminToken, method, route, body);
  const ok = async (on: number, method: string, route: string, body?: unknown) => {
    const answer = await api(on, method, route, body);
    if (answer.status >= 300)
      throw new Error(
        `${method} ${route} on process ${on}: ${answer.status} ${JSON.stringify(answer.body)}`,
      );
    return answer;
  };
  const everyPage = async (on: number, route: string): Promise<any[]> => {
    const all: any[] = [];
    for (let offset = 0; ; offset += 1000) {
      const sep = route.includes('?') ? '&' : '?';
      const page = await ok(on, 'GET', `${route}${sep}limit=1000&offset=${offset}`);
      all.push(...(page.body.objects as any[]));
      if (all.length >= page.body.meta.total_count || page.body.objects.length === 0) return all;
    }
  };

  return {
    schema,
    adminToken,
    nodes,
    api,
    ok,
    deployFunction: (on, name, code) => ok(on, 'PUT', `/functions/${name}`, { code }),
    createAccount: (on, account) =>
      ok(on, 'PUT', `/wechat/accounts/${account.appId}`, { token: account.token }),
    createTrigger: (on, definition) => ok(on, 'POST', '/triggers', definition),
    push: (to, account, xml) => sendPush(nodes[to]!.url, account.appId, buildPush(account, xml)),
    logs: (on, trigger) => everyPage(on, `/triggers/${trigger}/logs`),
    jobs: (on, fn) => everyPage(on, `/functions/${fn}/jobs`),
    async kill(index) {
      await killServe(nodes[index]);
    },
    async restart(index) {
      nodes[index] = await startNode(index);
      return nodes[index];
    },
    async add(role) {
      const index = roles.length;
      roles.push(role);
      nodes[index] = await startNode(index);
      return index;
    },
    close,
  };
}
