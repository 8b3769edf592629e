/** A real engine wired to the fake WeChat API, with one or more accounts holding an AppSecret. */
import { startTestEngine, type TestEngine } from '../../helpers/engine.ts';
import { startFakeWechatApi, type FakeWechatApi } from '../../helpers/fake-wechat-api.ts';
import type { Logger } from 'pino';
import type { Clock } from '../../../engine/clock.ts';

export const APP_ID = 'wx2c2769f8efd9abc2';
export const APP_SECRET = 'c1d9bbf0e7c64f7e8e6f9a0b1c2d3e4f';

/** A clock tests move by hand (token expiry without waiting). */
export function manualClock(
  start = Date.UTC(2026, 0, 5, 2, 0, 0),
): Clock & { advance(ms: number): void } {
  let now = start;
  return {
    now: () => now,
    advance(ms) {
      now += ms;
    },
  };
}

export interface WechatSetup {
  t: TestEngine;
  fake: FakeWechatApi;
  close(): Promise<void>;
}

export async function startWechatSetup(
  options: {
    accounts?: Record<string, string>;
    env?: Record<string, string>;
    clock?: Clock;
    log?: Logger;
    expiresIn?: number;
  } = {},
): Promise<WechatSetup> {
  const accounts = options.accounts ?? { [APP_ID]: APP_SECRET };
  const fake = await startFakeWechatApi({
    accounts,
    ...(options.expiresIn === undefined ? {} : { expiresIn: options.expiresIn }),
  });
  const t = await startTestEngine({
    env: { CLOUDFN_WECHAT_API_URL: fake.url, ...options.env },
    overrides: {
      ...(options.clock ? { clock: options.clock } : {}),
      ...(options.log ? { log: options.log } : {}),
    },
  });
  for (const [appId, appSecret] of Object.entries(accounts)) {
    const put = await t.api('PUT', `/wechat/accounts/${appId}`, { token: 'spamtest', appSecret });
    if (put.status !== 200) throw new Error(`account set-up failed: ${JSON.stringify(put.body)}`);
  }
  return {
    t,
    fake,
    async close() {
      await t.close();
      await fake.close();
    },
  };
}

/** Deploys `code` as `name` (201 expected). */
export async function deploy(
  t: TestEngine,
  name: string,
  code: string,
  options: { timeoutMs?: number } = {},
): Promise<void> {
  const answer = await t.api('PUT', `/functions/${name}`, { code, ...options });
  if (answer.status !== 201 && answer.status !== 200)
    throw new Error(`deploy failed: ${JSON.stringify(answer.body)}`);
}

export async function invoke(t: TestEngine, name: string, data: unknown = {}) {
  return (await t.api('POST', `/functions/${name}/invoke`, { data })).body as {
    code: number;
    data: any;
    error: any;
    status: string;
    log: { level: string; message: string }[];
  };
}
