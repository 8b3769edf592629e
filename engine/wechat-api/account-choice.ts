/**
 * Which account a function's WeChat call uses: the `appId` option when given; else the
 * account that pushed the event (`event.data._AppId`) when it holds an AppSecret; else the
 * only account holding one (as on MinCloud, where an app has one). AppSecrets are decrypted
 * once and cached until an account changes.
 */
import type { AccountRegistry } from '../receiver/account-registry.ts';
import { WechatAccountError } from './errors.ts';

export class AccountSecrets {
  readonly #registry: AccountRegistry;
  #secrets: Map<string, string> | undefined;

  constructor(registry: AccountRegistry) {
    this.#registry = registry;
    registry.onChange(() => {
      this.#secrets = undefined;
    });
  }

  async #all(): Promise<Map<string, string>> {
    if (this.#secrets) return this.#secrets;
    const secrets = new Map(
      (await this.#registry.list())
        .filter((a) => a.appSecret !== null)
        .map((a) => [a.appId, a.appSecret!]),
    );
    // Kept unless an account changed while it was read (that change emptied the cache).
    this.#secrets ??= secrets;
    return secrets;
  }

  async secretOf(appId: string): Promise<string | undefined> {
    return (await this.#all()).get(appId);
  }

  async choose(explicit: string | undefined, pushAppId: string | undefined): Promise<string> {
    const all = await this.#all();
    if (explicit !== undefined) {
      if (all.has(explicit)) return explicit;
      throw new WechatAccountError(
        'E_WECHAT_API_NO_SECRET',
        `Account ${explicit} is not registered with an AppSecret: PUT /api/v1/wechat/accounts/${explicit} with "appSecret".`,
      );
    }
    if (pushAppId !== undefined && all.has(pushAppId)) return pushAppId;
    if (all.size === 1) return [...all.keys()][0]!;
    if (all.size === 0)
      throw new WechatAccountError(
        'E_WECHAT_API_NO_SECRET',
        'No WeChat account has an AppSecret: PUT /api/v1/wechat/accounts/<appId> with "appSecret" (公众号/小程序 → 开发 → 基本配置).',
      );
    throw new WechatAccountError(
      'E_WECHAT_API_ACCOUNT_AMBIGUOUS',
      `${all.size} accounts have an AppSecret and this run was not caused by a push of one of them: pass {appId} (e.g. BaaS.wechat.sendTemplateMessage(data, {appId: 'wx…'})).`,
    );
  }
}
