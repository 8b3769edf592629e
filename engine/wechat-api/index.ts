/**
 * WeChat API services for functions: the AppSecrets, the shared access token and the calls
 * of BaaS.wechat, wired for the composition root.
 */
import type { Logger } from 'pino';
import type { Clock } from '../clock.ts';
import type { AccountRegistry } from '../receiver/account-registry.ts';
import type { TokenStore } from '../store/index.ts';
import type { TableStore } from '../tables/table-store.ts';
import { AccountSecrets } from './account-choice.ts';
import { createWechatHostRequests, type HostRequestFn } from './host-requests.ts';
import { TokenManager, type TokenManagerOptions } from './token-manager.ts';
import { createWechatCall } from './wechat-client.ts';
import { createWechatHttp } from './wechat-http.ts';

export { TokenManager, DAILY_TOKEN_QUOTA, quotaDay } from './token-manager.ts';
export { WechatApiError } from './errors.ts';
export type { HostRequestFn } from './host-requests.ts';

export interface WechatApi {
  tokens: TokenManager;
  hostRequests: Record<string, HostRequestFn>;
}

export function createWechatApi(deps: {
  baseUrl: string;
  accounts: AccountRegistry;
  store: TokenStore;
  tables: TableStore;
  clock: Clock;
  log: Logger;
  options?: TokenManagerOptions;
}): WechatApi {
  const http = createWechatHttp(deps.baseUrl);
  const secrets = new AccountSecrets(deps.accounts);
  const tokens = new TokenManager({
    http,
    store: deps.store,
    secretOf: (appId) => secrets.secretOf(appId),
    clock: deps.clock,
    log: deps.log,
    ...(deps.options ? { options: deps.options } : {}),
  });
  // A new or removed AppSecret: the account's token (and its back-off) no longer apply.
  deps.accounts.onChange((appId) => {
    tokens
      .forget(appId)
      .catch((err: unknown) => deps.log.warn({ appId, err }, 'stored access token not dropped'));
  });
  const call = createWechatCall(http, tokens);
  return {
    tokens,
    hostRequests: createWechatHostRequests({
      call,
      tokens,
      accounts: secrets,
      tables: deps.tables,
      clock: deps.clock,
    }),
  };
}
